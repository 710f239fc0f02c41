package dev.shunt.core;

import java.nio.ByteBuffer;

/**
 * The reading half of one single-producer/single-consumer byte ring. Only one thread at a time may read from it;
 * runs lent in place may come back from any thread.
 *
 * <p>The ring's data pages are read-only in this process (the consumer never writes them), so reads need no
 * protection-key window. The read position (bytes handed out) lives here; the consumer position in shared
 * memory, which frees space for the producer, follows it at once unless runs lent in place are still out: then it
 * waits for them in ring order ({@link LendLedger}). The producer position is re-read only when the cached one
 * cannot satisfy a read, and every value read is checked to lie between the last one seen and one ring ahead of
 * what was released.
 */
final class RingConsumer {
    private final ControlBlock control;
    private final ByteBuffer data;
    private final int capacity;
    private final int mask;
    private final LendLedger ledger = new LendLedger();
    private long position;
    private long knownProducerPosition;
    /** Runs out; written under the ledger's monitor, read without it by the reading thread. */
    private volatile int runsOut;
    /** Guarded by the ledger's monitor. */
    private long released;
    private Runnable onLastReturn;

    RingConsumer(ControlBlock control, ByteBuffer data) {
        this.control = control;
        this.data = data.asReadOnlyBuffer();
        this.capacity = data.capacity();
        this.mask = capacity - 1;
    }

    /**
     * @param wanted bytes the caller would like
     * @return bytes readable now, at most the ring capacity
     */
    int available(int wanted) throws ShuntProtocolException {
        long available = knownProducerPosition - position;
        if (available < wanted) {
            long seen = control.producerPosition();
            long floor = runsOut == 0 ? position : releasedPosition();
            if (seen < knownProducerPosition || seen - floor > capacity) {
                throw new ShuntProtocolException("producer position " + seen + " outside [" + knownProducerPosition
                        + ", " + (floor + capacity) + "]");
            }
            knownProducerPosition = seen;
            available = seen - position;
        }
        return (int) available;
    }

    private long releasedPosition() {
        synchronized (ledger) {
            return released;
        }
    }

    /** Copies up to {@code len} bytes into {@code dst}. @return bytes copied, 0 when the ring is empty */
    int read(byte[] dst, int off, int len) throws ShuntProtocolException {
        int n = Math.min(len, available(len));
        if (n == 0) {
            return 0;
        }
        int index = (int) (position & mask);
        int first = Math.min(n, capacity - index);
        data.get(index, dst, off, first);
        if (n > first) {
            data.get(0, dst, off + first, n - first);
        }
        advance(n);
        return n;
    }

    /** Copies up to {@code dst.remaining()} bytes into {@code dst}. @return bytes copied, 0 when empty */
    int read(ByteBuffer dst) throws ShuntProtocolException {
        int len = dst.remaining();
        int n = Math.min(len, available(len));
        if (n == 0) {
            return 0;
        }
        int index = (int) (position & mask);
        int first = Math.min(n, capacity - index);
        int at = dst.position();
        dst.put(at, data, index, first);
        if (n > first) {
            dst.put(at + first, data, 0, n - first);
        }
        dst.position(at + n);
        advance(n);
        return n;
    }

    private void advance(int n) {
        long start = position;
        position += n;
        if (runsOut == 0) {
            control.publishConsumerPosition(position);
            return;
        }
        synchronized (ledger) {
            ledger.copied(start, position);
            releaseFront();
        }
    }

    /**
     * Hands out the next bytes in place, up to the ring's end: they stay in the ring, and the producer may not
     * overwrite them, until {@link #giveBack(long)}. Refused while half the ring is out already, so that copying
     * reads always find room and a holder of lent runs cannot stall the connection.
     *
     * @param max bytes wanted at most
     * @return bytes lent, starting at the read position as it was before the call; 0 when the ring is empty or
     *     lending is refused
     */
    int lend(int max) throws ShuntProtocolException {
        int n = Math.min(max, available(max));
        n = Math.min(n, capacity - (int) (position & mask));
        if (n <= 0) {
            return 0;
        }
        synchronized (ledger) {
            if (onLastReturn != null || !ledger.canLend(n, capacity / 2)) {
                return 0;
            }
            if (runsOut == 0) {
                released = position;
            }
            ledger.lent(position, position + n);
            runsOut = runsOut + 1;
        }
        position += n;
        return n;
    }

    /** @return a read-only view of {@code length} ring bytes from position {@code start}, which must not wrap */
    ByteBuffer view(long start, int length) {
        return data.slice((int) (start & mask), length);
    }

    /**
     * Takes back a run lent at {@code start}; from any thread, at most once per run (a second call does nothing).
     * Runs {@code onReleased} when the consumer position in shared memory moved (the producer may wait for the
     * space), under this ring's lock, so that the memory cannot be unmapped meanwhile.
     */
    void giveBack(long start, Runnable onReleased) {
        synchronized (ledger) {
            if (!ledger.giveBack(start)) {
                return;
            }
            if (onLastReturn == null && releaseFront()) {
                onReleased.run();
            }
            runsOut = runsOut - 1;
            if (runsOut == 0 && onLastReturn != null) {
                onLastReturn.run();
            }
        }
    }

    /** Under the ledger's monitor: publishes the position past every run at the front that came back. */
    private boolean releaseFront() {
        long front = ledger.releaseFront(released);
        if (front == released) {
            return false;
        }
        released = front;
        control.publishConsumerPosition(front);
        return true;
    }

    /**
     * Runs {@code release} now when no run is out, else when the last one comes back; no more runs are lent, and
     * returned runs no longer touch shared memory.
     */
    void closeWhenReturned(Runnable release) {
        synchronized (ledger) {
            if (runsOut > 0) {
                onLastReturn = release;
                return;
            }
            onLastReturn = release;
        }
        release.run();
    }

    /** @return whether the producer announced that no more bytes follow its position */
    boolean producerClosed() throws ShuntProtocolException {
        return control.producerClosed();
    }

    /** @return bytes handed out so far (copied or lent) */
    long position() {
        return position;
    }
}
