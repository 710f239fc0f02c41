package dev.shunt.nativeio.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.Errno;
import java.io.File;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves more (or fewer) descriptors open than it found.
 *
 * <p>The JVM itself opens files for an instant now and then (seen: its container support
 * re-reading {@code /sys/fs/cgroup/memory/.../memory.limit_in_bytes} from a background
 * thread), so one reading of {@link Descriptors#openCount()} can be one too high. The
 * baseline is therefore the lowest of a few readings, and a mismatch afterwards is
 * re-read for up to two seconds before it counts as a leak: a real leak does not go away.
 */
public final class NoDescriptorLeaks implements BeforeEachCallback, AfterEachCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(NoDescriptorLeaks.class);
    private static final String COUNT = "openCount";
    private static final String TABLE = "table";
    private static final int BASELINE_READINGS = 5;
    private static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(2);

    @Override
    public void beforeEach(ExtensionContext context) throws InterruptedException {
        // Load libc (and with it the JNR jars) before counting, so that a first use does not look like a leak.
        Errno.describe(Errno.EPERM);
        context.getStore(NAMESPACE).put(TABLE, table());
        context.getStore(NAMESPACE).put(COUNT, baseline());
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        int before = context.getStore(NAMESPACE).get(COUNT, Integer.class);
        int after = settledCount(before);
        if (after != before) {
            Map<?, ?> then = context.getStore(NAMESPACE).get(TABLE, Map.class);
            assertEquals(before, after, "open descriptors before and after " + context.getDisplayName()
                    + ": before " + then + ", after " + table());
        }
    }

    /**
     * The lowest of a few readings of {@link Descriptors#openCount()}.
     *
     * @return the count without the JVM's short-lived descriptors
     * @throws InterruptedException if interrupted between readings
     */
    public static int baseline() throws InterruptedException {
        int baseline = Integer.MAX_VALUE;
        for (int i = 0; i < BASELINE_READINGS; i++) {
            baseline = Math.min(baseline, Descriptors.openCount());
            Thread.sleep(1);
        }
        return baseline;
    }

    /**
     * Reads {@link Descriptors#openCount()} until it equals {@code expected} or two seconds
     * have passed.
     *
     * @param expected the count wanted
     * @return the last reading
     * @throws InterruptedException if interrupted between readings
     */
    public static int settledCount(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE_NANOS;
        int count = Descriptors.openCount();
        while (count != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
            count = Descriptors.openCount();
        }
        return count;
    }

    /** Descriptor number to link target, for the failure message. */
    private static Map<Integer, String> table() {
        Map<Integer, String> table = new TreeMap<>();
        for (String name : new File("/proc/self/fd").list()) {
            int fd = Integer.parseInt(name);
            table.put(fd, Descriptors.describe(fd));
        }
        return table;
    }
}
