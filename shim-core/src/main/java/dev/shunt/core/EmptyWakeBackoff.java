package dev.shunt.core;

/**
 * How long a waiting party stops listening after wake-ups that brought nothing. Late or coalesced signals
 * make a few such wake-ups normal; many in a row come only from a broken or hostile peer (futex wakes or
 * doorbell bytes without data), which must not keep this process busy. After
 * {@value #TOLERATED} in a row, each further one costs a pause that doubles from
 * {@value #MIN_PAUSE_NANOS} ns up to {@value #MAX_PAUSE_NANOS} ns (a liveness slice); any wake-up that brings
 * bytes or space resets it. Not thread-safe; its party's lock or thread guards it.
 */
public final class EmptyWakeBackoff {
    /** Empty wake-ups in a row that cost nothing. */
    public static final int TOLERATED = 8;
    /** The first pause. */
    public static final long MIN_PAUSE_NANOS = 50_000;
    /** The longest pause: the liveness slice of a parked stream. */
    public static final long MAX_PAUSE_NANOS = 100_000_000;

    private int empty;

    /**
     * Counts a wake-up that brought nothing.
     *
     * @return how long to pause (stop listening) before waiting again, in nanoseconds; 0 for none
     */
    public long emptyWake() {
        empty = Math.min(empty + 1, TOLERATED + 32);
        if (empty <= TOLERATED) {
            return 0;
        }
        return Math.min(MAX_PAUSE_NANOS, MIN_PAUSE_NANOS << Math.min(empty - TOLERATED - 1, 20));
    }

    /** A wake-up brought bytes or space: the peer is honest again. Called per message: stores only on a change. */
    public void progress() {
        if (empty != 0) {
            empty = 0;
        }
    }
}
