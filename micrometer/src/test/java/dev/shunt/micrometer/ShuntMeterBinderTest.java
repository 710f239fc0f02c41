package dev.shunt.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.FallbackReason;
import dev.shunt.core.MetricsSnapshot;
import dev.shunt.core.ShuntMetrics;
import dev.shunt.core.testing.ConnectedPair;
import dev.shunt.core.testing.TestProtection;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The binder's meters over real connections: a fast-path one moves the connection and byte meters, a forced
 * fallback the counters of its reasons. */
class ShuntMeterBinderTest {
    private static final dev.shunt.core.ShuntConfig FAST = TestProtection.fastPath(4096, 20_000, 5_000);

    @Test
    void bindsOneMeterPerFigureAndOneFallbackCounterPerReason() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new ShuntMeterBinder().bindTo(registry);
        int scalarFigures = MetricsSnapshot.class.getRecordComponents().length - 1; // all but the fallbacks map
        assertEquals(scalarFigures + FallbackReason.values().length, registry.getMeters().size());
        for (FallbackReason reason : FallbackReason.values()) {
            registry.get("shunt.fallbacks").tag("reason", reason.name().toLowerCase(Locale.ROOT)).functionCounter();
        }
        assertEquals("bytes", registry.get("shunt.bytes.sent").functionCounter().getId().getBaseUnit());
    }

    @Test
    void metersFollowRealConnections() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new ShuntMeterBinder().bindTo(registry);
        double opened = counter(registry, "shunt.connections.opened");
        double sent = counter(registry, "shunt.bytes.sent");
        double received = counter(registry, "shunt.bytes.received");
        double open = gauge(registry, "shunt.connections");
        try (ConnectedPair pair = ConnectedPair.open(FAST)) {
            assertTrue(pair.client.isFastPath(), pair.client.toString());
            pair.client.stream().write(new byte[1000], 0, 1000);
            assertEquals(1000, pair.server.stream().read(new byte[2000], 0, 2000, 0));
            assertEquals(open + 2, gauge(registry, "shunt.connections"), "both ends of the pair");
            assertEquals(opened + 2, counter(registry, "shunt.connections.opened"));
            assertEquals(sent + 1000, counter(registry, "shunt.bytes.sent"));
            assertEquals(received + 1000, counter(registry, "shunt.bytes.received"));
        }
        assertEquals(open, gauge(registry, "shunt.connections"));

        double disabled = fallbacks(registry, FallbackReason.DISABLED);
        double notShunt = fallbacks(registry, FallbackReason.PEER_NOT_SHUNT);
        try (ConnectedPair pair = ConnectedPair.open(FAST, FAST.withEnabled(false))) {
            assertFalse(pair.client.isFastPath());
        }
        assertEquals(disabled + 1, fallbacks(registry, FallbackReason.DISABLED), "the client, disabled");
        assertEquals(notShunt + 1, fallbacks(registry, FallbackReason.PEER_NOT_SHUNT), "the server's view of it");
        MetricsSnapshot now = ShuntMetrics.snapshot();
        assertEquals(now.fallbacks(FallbackReason.DISABLED), fallbacks(registry, FallbackReason.DISABLED));
        assertEquals(now.parks(), counter(registry, "shunt.parks"));
        assertEquals(now.doorbellSignals(), counter(registry, "shunt.signals"));
        assertEquals(now.doorbellBytes(), counter(registry, "shunt.signals.doorbell"));
        assertEquals(now.protocolErrors(), counter(registry, "shunt.protocol.errors"));
        assertEquals(now.handshakeFailures(), counter(registry, "shunt.handshake.failures"));
        assertEquals(now.missedWakeups(), counter(registry, "shunt.wakeups.missed"));
        assertEquals(now.threadMoves(), counter(registry, "shunt.threads.moved"));
    }

    private static double counter(SimpleMeterRegistry registry, String name) {
        FunctionCounter counter = registry.get(name).functionCounter();
        return counter.count();
    }

    private static double gauge(SimpleMeterRegistry registry, String name) {
        Gauge gauge = registry.get(name).gauge();
        return gauge.value();
    }

    private static double fallbacks(SimpleMeterRegistry registry, FallbackReason reason) {
        return registry.get("shunt.fallbacks").tag("reason", reason.name().toLowerCase(Locale.ROOT))
                .functionCounter().count();
    }
}
