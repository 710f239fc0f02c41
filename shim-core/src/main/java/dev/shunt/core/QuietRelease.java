package dev.shunt.core;

/**
 * Gives the pages of quiet connections' rings back to the kernel. The kernel frees a socket's buffers once they are
 * drained; a ring would keep every page it ever touched for the connection's life (2 MiB for two 1 MiB rings).
 *
 * <p>Each side frees the ring it writes, never the one it reads: its writes go through a lock it can take, and only
 * it may put bytes there, so when the peer has read the ring empty and no write of this side is under way no page
 * holds anything anyone still needs. The reader could not do it safely: the writer may be filling free pages at
 * that moment. One thread per process visits the open streams every {@value #SWEEP_MILLIS} ms and, for each one
 * that wrote nothing for {@code shunt.quietReleaseMillis}, frees its outbound ring's data pages with one
 * {@code madvise(MADV_REMOVE)} (once per quiet spell, not per visit). Nothing is added to a write but a position
 * the stream keeps anyway. The next burst finds fresh zeroed pages, a page fault per 4 KiB on each side.
 *
 * <p>The thread starts with the first stream that wants it and ends when no stream is left.
 */
final class QuietRelease {
    static final long SWEEP_MILLIS = 250;
    private static final StreamSweep SWEEP = new StreamSweep("shunt-quiet-release", SWEEP_MILLIS, streams -> {
        long now = System.nanoTime();
        for (ShuntStream stream : streams) {
            stream.releaseIfQuiet(now);
        }
    });

    private QuietRelease() {
    }

    /** Starts watching a stream (its quiet time is its own). */
    static void watch(ShuntStream stream) {
        SWEEP.add(stream);
    }

    /** Stops watching a stream; its memory may go right after. */
    static void forget(ShuntStream stream) {
        SWEEP.remove(stream);
    }
}
