package dev.shunt.micrometer;

import dev.shunt.core.FallbackReason;
import dev.shunt.core.ShuntMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Binds every figure of {@link ShuntMetrics} (this process's Shunt connections) to a Micrometer registry:
 * {@code new ShuntMeterBinder().bindTo(registry)}. The meters read the process-wide counters when the registry
 * is read; nothing is counted twice.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>Name</th><th>Type</th><th>Unit</th><th>What</th></tr>
 *   <tr><td>{@code shunt.connections}</td><td>gauge</td><td>connections</td><td>fast-path connections open
 *       now</td></tr>
 *   <tr><td>{@code shunt.connections.opened}</td><td>counter</td><td>connections</td><td>fast-path connections
 *       established</td></tr>
 *   <tr><td>{@code shunt.fallbacks}</td><td>counter, tag {@code reason}</td><td>connections</td><td>connections
 *       kept on the kernel socket, one counter per {@link FallbackReason} (its name in lower case)</td></tr>
 *   <tr><td>{@code shunt.bytes.sent}</td><td>counter</td><td>bytes</td><td>bytes written into rings</td></tr>
 *   <tr><td>{@code shunt.bytes.received}</td><td>counter</td><td>bytes</td><td>bytes read from rings</td></tr>
 *   <tr><td>{@code shunt.signals}</td><td>counter</td><td>signals</td><td>futex wakes and doorbell bytes sent to a
 *       sleeping peer</td></tr>
 *   <tr><td>{@code shunt.parks}</td><td>counter</td><td>parks</td><td>times a local thread or event loop slept
 *       waiting for its peer</td></tr>
 *   <tr><td>{@code shunt.protocol.errors}</td><td>counter</td><td>connections</td><td>connections closed because the
 *       peer broke the protocol</td></tr>
 *   <tr><td>{@code shunt.handshake.failures}</td><td>counter</td><td>handshakes</td><td>handshakes that could
 *       neither finish nor fall back</td></tr>
 * </table>
 */
public final class ShuntMeterBinder implements MeterBinder {
    private final ShuntMetrics metrics = ShuntMetrics.get();

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("shunt.connections", metrics, ShuntMetrics::getFastPathConnections)
                .description("Shunt fast-path connections open now")
                .baseUnit(BaseUnits.CONNECTIONS)
                .register(registry);
        counter(registry, "shunt.connections.opened", "Shunt fast-path connections established",
                BaseUnits.CONNECTIONS, ShuntMetrics::getFastPathConnectionsOpened);
        for (FallbackReason reason : FallbackReason.values()) {
            FunctionCounter.builder("shunt.fallbacks", metrics, m -> m.fallbacks(reason))
                    .description("Connections Shunt kept on the kernel socket, by reason")
                    .baseUnit(BaseUnits.CONNECTIONS)
                    .tag("reason", reason.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
        counter(registry, "shunt.bytes.sent", "Bytes written into Shunt's shared-memory rings", BaseUnits.BYTES,
                ShuntMetrics::getFastPathBytesOut);
        counter(registry, "shunt.bytes.received", "Bytes read from Shunt's shared-memory rings", BaseUnits.BYTES,
                ShuntMetrics::getFastPathBytesIn);
        counter(registry, "shunt.signals", "Futex wakes and doorbell bytes Shunt sent to a sleeping peer", "signals",
                ShuntMetrics::getDoorbellSignals);
        counter(registry, "shunt.signals.doorbell", "Those of shunt.signals sent as a byte on the kernel socket",
                "signals", ShuntMetrics::getDoorbellBytes);
        counter(registry, "shunt.parks", "Times a thread or event loop slept waiting for its Shunt peer", "parks",
                ShuntMetrics::getParks);
        counter(registry, "shunt.protocol.errors", "Shunt connections closed because the peer broke the protocol",
                BaseUnits.CONNECTIONS, ShuntMetrics::getProtocolErrors);
        counter(registry, "shunt.handshake.failures", "Shunt handshakes that could neither finish nor fall back",
                "handshakes", ShuntMetrics::getHandshakeFailures);
        counter(registry, "shunt.wakeups.missed", "Event-loop sleeps ended by Shunt's backstop with work waiting and no"
                + " wake-up come (lost, withheld or late signals)", "wakeups", ShuntMetrics::getMissedWakeups);
        counter(registry, "shunt.threads.moved", "Times a waiting thread moved itself off the CPU its Shunt peer shared"
                + " with it", "moves", ShuntMetrics::getThreadMoves);
    }

    private void counter(MeterRegistry registry, String name, String description, String unit,
            ToDoubleFunction<ShuntMetrics> count) {
        FunctionCounter.builder(name, metrics, count).description(description).baseUnit(unit).register(registry);
    }
}
