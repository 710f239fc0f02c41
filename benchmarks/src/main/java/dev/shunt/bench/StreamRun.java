package dev.shunt.bench;

import java.io.IOException;

/**
 * The schedule and the record of a streaming case, shared by every driver: a warm-up round, then a measured
 * round. A round is a run of chunks whose last one is marked {@link Wire#LAST}; the server acknowledges it, and
 * the measured round's time runs from its first chunk to that acknowledgement.
 *
 * <pre>do { byte m; do { m = run.nextChunk(); write chunk starting with m; } while (m != LAST); read ACK; }
 * while (run.acknowledged());</pre>
 */
final class StreamRun {
    private final int chunkBytes;
    private final long warmupNanos;
    private final long measureNanos;
    private final Meter meter;
    private boolean measuring;
    private long roundEnd = -1;
    private long chunks;
    private Usage usage;

    StreamRun(int chunkBytes, long warmupNanos, long measureNanos, Meter meter) {
        this.chunkBytes = chunkBytes;
        this.warmupNanos = warmupNanos;
        this.measureNanos = measureNanos;
        this.meter = meter;
    }

    /** The first byte of the next chunk: 0, or {@link Wire#LAST} when the round's time is up. */
    byte nextChunk() {
        long now = System.nanoTime();
        if (roundEnd < 0) {
            roundEnd = now + warmupNanos;
        }
        if (measuring) {
            chunks++;
        }
        return now - roundEnd >= 0 ? Wire.LAST : 0;
    }

    /**
     * Called when the server acknowledged a round.
     *
     * @return true when another round follows (the measured one)
     */
    boolean acknowledged() throws IOException {
        if (measuring) {
            usage = meter.stop();
            return false;
        }
        meter.start();
        measuring = true;
        roundEnd = System.nanoTime() + measureNanos;
        return true;
    }

    /** Chunks written in the measured round. */
    long chunks() {
        return chunks;
    }

    /** Bytes written in the measured round. */
    long bytes() {
        return chunks * chunkBytes;
    }

    /** Time and CPU of the measured round, acknowledgement included. */
    Usage usage() {
        return usage;
    }
}
