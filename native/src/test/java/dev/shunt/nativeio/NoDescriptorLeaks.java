package dev.shunt.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Fails a test that leaves more (or fewer) descriptors open than it found. */
final class NoDescriptorLeaks implements BeforeEachCallback, AfterEachCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(NoDescriptorLeaks.class);
    private static final String COUNT = "openCount";
    private static final String TABLE = "table";

    @Override
    public void beforeEach(ExtensionContext context) {
        // Load libc (and with it the JNR jars) before counting, so that a first use does not look like a leak.
        Errno.describe(Errno.EPERM);
        context.getStore(NAMESPACE).put(TABLE, table());
        context.getStore(NAMESPACE).put(COUNT, Descriptors.openCount());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        int after = Descriptors.openCount();
        int before = context.getStore(NAMESPACE).get(COUNT, Integer.class);
        if (before != after) {
            Map<Integer, String> now = table();
            @SuppressWarnings("unchecked")
            Map<Integer, String> then = context.getStore(NAMESPACE).get(TABLE, Map.class);
            assertEquals(before, after, "open descriptors before and after " + context.getDisplayName()
                    + ": before " + then + ", after " + now);
        }
    }

    private static Map<Integer, String> table() {
        Map<Integer, String> table = new TreeMap<>();
        for (String name : new File("/proc/self/fd").list()) {
            int fd = Integer.parseInt(name);
            table.put(fd, Descriptors.describe(fd));
        }
        return table;
    }
}
