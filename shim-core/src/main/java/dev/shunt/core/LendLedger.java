package dev.shunt.core;

/**
 * The runs of one inbound ring that were consumed but may not be released to the producer yet, because a run
 * lent in place ({@link ShuntStream#lendNow}) before them has not come back.
 *
 * <p>Runs are added in ring order (lent runs, and copied runs that follow a lent one) and come back in any order;
 * the position the producer sees may pass a run only once it and every run before it came back. Runs live in a
 * fixed array used as a queue, so lending allocates nothing here. Guarded by the monitor of this object.
 */
final class LendLedger {
    /** Runs the ledger holds at most; lending is refused (the reader copies) while it is full. */
    static final int MAX_RUNS = 256;

    private final long[] starts = new long[MAX_RUNS];
    private final long[] ends = new long[MAX_RUNS];
    private final boolean[] back = new boolean[MAX_RUNS];
    private int head;
    private int size;
    private long lentBytes;

    /**
     * @return whether a run of {@code bytes} may be lent with at most {@code limit} bytes out in all; one slot always
     *     stays free behind a lent run, for the copied run that may follow it (later copies merge into that one)
     */
    boolean canLend(int bytes, long limit) {
        return size < MAX_RUNS - 1 && lentBytes + bytes <= limit;
    }

    /** Adds a run handed out in place. */
    void lent(long start, long end) {
        add(start, end, false);
        lentBytes += end - start;
    }

    /** Adds a run that was copied out (so it is back at once) behind runs still out. */
    void copied(long start, long end) {
        int last = (head + size - 1) % MAX_RUNS;
        if (size > 0 && back[last] && ends[last] == start) {
            ends[last] = end;
            return;
        }
        add(start, end, true);
    }

    private void add(long start, long end, boolean isBack) {
        if (size == MAX_RUNS) {
            throw new IllegalStateException("ledger full");
        }
        int at = (head + size) % MAX_RUNS;
        starts[at] = start;
        ends[at] = end;
        back[at] = isBack;
        size++;
    }

    /**
     * Marks the run lent at {@code start} as back.
     *
     * @return false when no such run is out (it came back already)
     */
    boolean giveBack(long start) {
        for (int i = 0; i < size; i++) {
            int at = (head + i) % MAX_RUNS;
            if (starts[at] == start && !back[at]) {
                back[at] = true;
                lentBytes -= ends[at] - start;
                return true;
            }
        }
        return false;
    }

    /**
     * Drops the runs at the front that are back.
     *
     * @param released the position released so far
     * @return the end of the last run dropped, or {@code released} when none was
     */
    long releaseFront(long released) {
        long position = released;
        while (size > 0 && back[head]) {
            position = ends[head];
            head = (head + 1) % MAX_RUNS;
            size--;
        }
        return position;
    }
}
