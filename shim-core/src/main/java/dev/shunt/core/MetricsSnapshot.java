package dev.shunt.core;

import java.util.Map;

/**
 * Shunt's counters at one moment.
 *
 * @param fastPathConnections fast-path connections open now
 * @param fastPathConnectionsOpened fast-path connections established since start
 * @param fallbacks connections kept on the kernel socket, by {@link FallbackReason#description()}
 * @param fastPathBytesIn bytes read from rings
 * @param fastPathBytesOut bytes written into rings
 * @param doorbellSignals futex wakes and doorbell bytes (on the kernel socket) sent to a sleeping peer
 * @param doorbellBytes those of {@code doorbellSignals} sent as doorbell bytes
 * @param parks times a local thread parked waiting for its peer
 * @param protocolErrors connections closed because the peer broke the protocol
 * @param handshakeFailures handshakes that could neither finish nor fall back
 * @param missedWakeups event-loop sleeps ended by the loop's backstop with work waiting and no wake-up come
 * @param threadMoves times a waiting thread moved itself off the CPU its peer shared with it
 */
public record MetricsSnapshot(long fastPathConnections, long fastPathConnectionsOpened, Map<String, Long> fallbacks,
        long fastPathBytesIn, long fastPathBytesOut, long doorbellSignals, long doorbellBytes, long parks,
        long protocolErrors, long handshakeFailures, long missedWakeups, long threadMoves) {

    /** Copies the fallback map so the snapshot cannot change. */
    public MetricsSnapshot {
        fallbacks = Map.copyOf(fallbacks);
    }

    /**
     * @param reason a fallback reason
     * @return how many connections fell back for it
     */
    public long fallbacks(FallbackReason reason) {
        return fallbacks.getOrDefault(reason.description(), 0L);
    }
}
