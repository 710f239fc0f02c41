package dev.shunt.niosuite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
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
    /** Longer than a handshake may take ({@code shunt.handshakeTimeoutMillis} defaults to 5 s). */
    private static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PathsTaken.class);

    @Override
    public void beforeEach(ExtensionContext context) throws JMException {
        context.getStore(NAMESPACE).put("opened", opened());
        context.getStore(NAMESPACE).put("fallbacks", fallbacks());
    }

    @Override
    public void afterEach(ExtensionContext context) throws JMException, InterruptedException {
        long openedBefore = context.getStore(NAMESPACE).get("opened", Long.class);
        long fallbacksBefore = context.getStore(NAMESPACE).get("fallbacks", Long.class);
        String test = context.getDisplayName();
        if (NioDomain.FAST) {
            if (!context.getRequiredTestMethod().isAnnotationPresent(ClosesBeforeTheHandshake.class)) {
                awaitAtLeast(2, openedBefore, PathsTaken::opened);
                assertTrue(opened() - openedBefore >= 2, "no fast-path connection in " + test);
                assertEquals(0, fallbacks() - fallbacksBefore, "fallbacks in fast-path mode in " + test);
            }
        } else {
            awaitAtLeast(2, fallbacksBefore, PathsTaken::fallbacks);
            assertEquals(0, opened() - openedBefore, "fast-path connections in fallback mode in " + test);
            assertTrue(fallbacks() - fallbacksBefore >= 2, "fewer than two fallbacks in " + test);
        }
    }

    /**
     * Waits, up to a bound, for a counter to grow by {@code count}: a method may end while its handshakes still run on
     * their own threads (a client that writes, which the channel keeps for the handshake, and closes at once; CI saw
     * {@code SocketFileRegionTest.testFileRegionDrainStopsAtCompletion} end before either side had counted).
     */
    private static void awaitAtLeast(long count, long before, Counter counter)
            throws JMException, InterruptedException {
        long deadline = System.nanoTime() + SETTLE_NANOS;
        while (counter.read() - before < count && System.nanoTime() - deadline < 0) {
            Thread.sleep(1);
        }
    }

    /** One of the MBean's counters. */
    @FunctionalInterface
    private interface Counter {
        long read() throws JMException;
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
