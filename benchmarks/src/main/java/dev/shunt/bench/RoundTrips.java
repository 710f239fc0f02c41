package dev.shunt.bench;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The schedule and the record of a round-trip case, shared by every driver: a warm-up phase of back-to-back
 * round trips, then a measured phase paced by a {@link Pacing}, each latency recorded from the intended send
 * time into a histogram. The {@link Meter} is read at the edges of the measured phase.
 *
 * <pre>for (long t; (t = trips.next()) &gt;= 0; ) { send; receive the reply; trips.replied(t); }</pre>
 */
final class RoundTrips {
    /** Latencies above this are recorded as this (HdrHistogram needs a bound). */
    static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final Pacing pacing;
    private final long warmupNanos;
    private final long measureNanos;
    private final Meter meter;
    private final Histogram histogram = new Histogram(HIGHEST_NANOS, 3);
    private boolean started;
    private boolean measuring;
    private long phaseEnd;
    private long start;
    private long sent;
    private Usage usage;

    RoundTrips(Pacing pacing, long warmupNanos, long measureNanos, Meter meter) {
        this.pacing = pacing;
        this.warmupNanos = warmupNanos;
        this.measureNanos = measureNanos;
        this.meter = meter;
    }

    /**
     * Waits for the next round trip's turn.
     *
     * @return its intended start time, or -1 when the case is over
     * @throws IOException if the meter cannot reach the server JVM
     */
    long next() throws IOException {
        long now = System.nanoTime();
        if (!started) {
            started = true;
            phaseEnd = now + warmupNanos;
        }
        if (now - phaseEnd >= 0) {
            if (measuring) {
                usage = meter.stop();
                return -1;
            }
            meter.start();
            measuring = true;
            start = System.nanoTime();
            phaseEnd = start + measureNanos;
        }
        return measuring ? pacing.await(start, sent++) : now;
    }

    /** Records the round trip that {@link #next} started at {@code intended}. */
    void replied(long intended) {
        if (measuring) {
            histogram.recordValue(Math.min(System.nanoTime() - intended, HIGHEST_NANOS));
        }
    }

    /** Every round trip of the measured phase. */
    Histogram histogram() {
        return histogram;
    }

    /** Time and CPU of the measured phase; after {@link #next} returned -1. */
    Usage usage() {
        return usage;
    }
}
