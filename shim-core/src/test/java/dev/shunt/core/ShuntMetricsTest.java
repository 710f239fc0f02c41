package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.ConnectedPair;
import dev.shunt.core.testing.TestProtection;
import java.lang.management.ManagementFactory;
import java.util.Map;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import org.junit.jupiter.api.Test;

class ShuntMetricsTest {
    private static final ShuntConfig FAST = TestProtection.fastPath(4096, 1_000, 5_000);

    @Test
    void countsConnectionsBytesAndFallbacksInSnapshotsAndOverJmx() throws Exception {
        MetricsSnapshot before = ShuntMetrics.snapshot();
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("dev.shunt:type=Shunt");
        try (ConnectedPair pair = ConnectedPair.open(FAST)) {
            pair.client.stream().write(new byte[1000], 0, 1000);
            byte[] buf = new byte[1000];
            int read = 0;
            while (read < 1000) {
                read += pair.server.stream().read(buf, read, 1000 - read, 0);
            }
            MetricsSnapshot during = ShuntMetrics.snapshot();
            assertEquals(before.fastPathConnections() + 2, during.fastPathConnections());
            assertEquals(before.fastPathConnectionsOpened() + 2, during.fastPathConnectionsOpened());
            assertEquals(before.fastPathBytesOut() + 1000, during.fastPathBytesOut());
            assertEquals(before.fastPathBytesIn() + 1000, during.fastPathBytesIn());
            assertEquals(during.fastPathConnections(), (Long) server.getAttribute(name, "FastPathConnections"));
            assertEquals(during.fastPathBytesIn(), (Long) server.getAttribute(name, "FastPathBytesIn"));
            // This copy's own figures, of which the process's total is the sum (one copy here).
            ObjectName copy = new ObjectName("dev.shunt:type=Shunt,copy=dev.shunt.core");
            assertEquals(during.fastPathConnections(), (Long) server.getAttribute(copy, "FastPathConnections"));
        }
        assertEquals(before.fastPathConnections(), ShuntMetrics.snapshot().fastPathConnections());

        try (ConnectedPair plain = ConnectedPair.open(FAST, FAST.withEnabled(false))) {
            assertEquals(FallbackReason.PEER_NOT_SHUNT, plain.server.fallbackReason());
        }
        MetricsSnapshot after = ShuntMetrics.snapshot();
        assertEquals(before.fallbacks(FallbackReason.PEER_NOT_SHUNT) + 1, after.fallbacks(FallbackReason.PEER_NOT_SHUNT));
        assertEquals(before.fallbacks(FallbackReason.DISABLED) + 1, after.fallbacks(FallbackReason.DISABLED));
        TabularData table = (TabularData) server.getAttribute(name, "Fallbacks");
        Map<String, Long> overJmx = new java.util.HashMap<>();
        for (Object row : table.values()) {
            CompositeData data = (CompositeData) row;
            overJmx.put((String) data.get("key"), (Long) data.get("value"));
        }
        assertEquals(after.fallbacks(FallbackReason.PEER_NOT_SHUNT), overJmx.get("peer does not run Shunt"));
        assertTrue(overJmx.keySet().containsAll(after.fallbacks().keySet()));
        for (String attribute : new String[] {"DoorbellSignals", "DoorbellBytes", "Parks", "ProtocolErrors",
            "FastPathBytesOut", "FastPathConnectionsOpened", "HandshakeFailures", "MissedWakeups"}) {
            assertTrue((Long) server.getAttribute(name, attribute) >= 0, attribute);
        }
    }
}
