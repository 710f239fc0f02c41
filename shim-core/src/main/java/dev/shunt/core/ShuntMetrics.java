package dev.shunt.core;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Process-wide counters of this copy of Shunt's core, exported over JMX as {@code dev.shunt:type=Shunt,copy=<package>}
 * and within the process's total {@code dev.shunt:type=Shunt} ({@link ProcessMetrics}), and readable in code through
 * {@link #snapshot()}. Counting is a {@link LongAdder} add: no allocation, no lock.
 */
public final class ShuntMetrics implements ShuntMetricsMXBean {
    /** The JMX name of the process's total, over every copy of Shunt's core in it. */
    public static final String OBJECT_NAME = "dev.shunt:type=Shunt";

    private static final ShuntMetrics INSTANCE = register(new ShuntMetrics());

    private final LongAdder fastPathOpen = new LongAdder();
    private final LongAdder fastPathOpened = new LongAdder();
    private final Map<FallbackReason, LongAdder> fallbacks = new EnumMap<>(FallbackReason.class);
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder signals = new LongAdder();
    private final LongAdder doorbellBytes = new LongAdder();
    private final LongAdder parks = new LongAdder();
    private final LongAdder protocolErrors = new LongAdder();
    private final LongAdder handshakeFailures = new LongAdder();
    private final LongAdder missedWakeups = new LongAdder();
    private final LongAdder threadMoves = new LongAdder();

    private ShuntMetrics() {
        for (FallbackReason reason : FallbackReason.values()) {
            fallbacks.put(reason, new LongAdder());
        }
    }

    private static ShuntMetrics register(ShuntMetrics metrics) {
        ProcessMetrics.register(metrics);
        return metrics;
    }

    /** @return the process-wide instance */
    public static ShuntMetrics get() {
        return INSTANCE;
    }

    /** @return the counters now */
    public static MetricsSnapshot snapshot() {
        return INSTANCE.takeSnapshot();
    }

    private MetricsSnapshot takeSnapshot() {
        return new MetricsSnapshot(fastPathOpen.sum(), fastPathOpened.sum(), getFallbacks(), bytesIn.sum(),
                bytesOut.sum(), signals.sum(), doorbellBytes.sum(), parks.sum(), protocolErrors.sum(),
                handshakeFailures.sum(), missedWakeups.sum(), threadMoves.sum());
    }

    void fastPathOpened() {
        fastPathOpened.increment();
        fastPathOpen.increment();
    }

    void fastPathClosed() {
        fastPathOpen.decrement();
    }

    void fallback(FallbackReason reason) {
        fallbacks.get(reason).increment();
    }

    void bytesIn(long n) {
        bytesIn.add(n);
    }

    void bytesOut(long n) {
        bytesOut.add(n);
    }

    void signalSent() {
        signals.increment();
    }

    void doorbellRung() {
        doorbellBytes.increment();
    }

    void parked() {
        parks.increment();
    }

    void protocolError() {
        protocolErrors.increment();
    }

    void handshakeFailed() {
        handshakeFailures.increment();
    }

    void missedWakeup() {
        missedWakeups.increment();
    }

    void threadMoved() {
        threadMoves.increment();
    }

    @Override
    public long getFastPathConnections() {
        return fastPathOpen.sum();
    }

    @Override
    public long getFastPathConnectionsOpened() {
        return fastPathOpened.sum();
    }

    @Override
    public Map<String, Long> getFallbacks() {
        Map<String, Long> out = new LinkedHashMap<>();
        fallbacks.forEach((reason, count) -> out.put(reason.description(), count.sum()));
        return out;
    }

    /**
     * @param reason a fallback reason
     * @return connections that stayed on the kernel socket for it since start
     */
    public long fallbacks(FallbackReason reason) {
        return fallbacks.get(reason).sum();
    }

    @Override
    public long getFastPathBytesIn() {
        return bytesIn.sum();
    }

    @Override
    public long getFastPathBytesOut() {
        return bytesOut.sum();
    }

    @Override
    public long getDoorbellSignals() {
        return signals.sum();
    }

    @Override
    public long getDoorbellBytes() {
        return doorbellBytes.sum();
    }

    @Override
    public long getParks() {
        return parks.sum();
    }

    @Override
    public long getProtocolErrors() {
        return protocolErrors.sum();
    }

    @Override
    public long getHandshakeFailures() {
        return handshakeFailures.sum();
    }

    @Override
    public long getMissedWakeups() {
        return missedWakeups.sum();
    }

    @Override
    public long getThreadMoves() {
        return threadMoves.sum();
    }
}
