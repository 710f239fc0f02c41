package dev.shunt.niosuite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Checks, from the agent's {@code dev.shunt:type=Shunt} MBean (what an application can see without depending on
 * Shunt), that a testsuite method took the path its mode says: in {@code fast} mode fast-path connections were opened
 * (two per connection in one JVM, its client and its server) and none fell back, unless the method's connections
 * close before the handshake settles ({@link ClosesBeforeTheHandshake}); in {@code fallback} mode none was opened,
 * and connections fell back.
 */
final class PathsTaken implements BeforeEachCallback, AfterEachCallback {
    private static final ObjectName NAME = name("dev.shunt:type=Shunt");
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PathsTaken.class);

    @Override
    public void beforeEach(ExtensionContext context) throws JMException {
        context.getStore(NAMESPACE).put("opened", opened());
        context.getStore(NAMESPACE).put("fallbacks", fallbacks());
    }

    @Override
    public void afterEach(ExtensionContext context) throws JMException {
        long opened = opened() - context.getStore(NAMESPACE).get("opened", Long.class);
        long fallbacks = fallbacks() - context.getStore(NAMESPACE).get("fallbacks", Long.class);
        String test = context.getDisplayName();
        if (NioDomain.FAST) {
            if (!context.getRequiredTestMethod().isAnnotationPresent(ClosesBeforeTheHandshake.class)) {
                assertTrue(opened >= 2, "no fast-path connection in " + test);
                assertEquals(0, fallbacks, "fallbacks in fast-path mode in " + test);
            }
        } else {
            assertEquals(0, opened, "fast-path connections in fallback mode in " + test);
            assertTrue(fallbacks >= 2, "fewer than two fallbacks in " + test);
        }
    }

    private static long opened() throws JMException {
        return registered() ? (Long) beans().getAttribute(NAME, "FastPathConnectionsOpened") : 0;
    }

    private static long fallbacks() throws JMException {
        long sum = 0;
        if (!registered()) {
            return sum;
        }
        for (Object row : ((TabularData) beans().getAttribute(NAME, "Fallbacks")).values()) {
            sum += (Long) ((CompositeData) row).get("value");
        }
        return sum;
    }

    private static ObjectName name(String name) {
        try {
            return new ObjectName(name);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static MBeanServer beans() {
        return ManagementFactory.getPlatformMBeanServer();
    }

    /** The agent's metrics register with its first Unix-domain channel. */
    private static boolean registered() {
        return beans().isRegistered(NAME);
    }
}
