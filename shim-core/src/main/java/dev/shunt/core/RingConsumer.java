package dev.shunt.core;

import java.nio.ByteBuffer;

/**
 * The reading half of one single-producer/single-consumer byte ring. Only one thread at a time may use it.
 *
 * <p>The consumed position lives here and is only ever written to shared memory, never trusted back. The
 * producer position is re-read only when the cached one cannot satisfy a read, and every value read is
 * checked to lie between the last one seen and one ring ahead of what was consumed.
 */
final class RingConsumer {
    private final ControlBlock control;
    private final ByteBuffer data;
    private final int capacity;
    private final int mask;
    private long position;
    private long knownProducerPosition;

    RingConsumer(ControlBlock control, ByteBuffer data) {
        this.control = control;
        this.data = data;
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
            if (seen < knownProducerPosition || seen - position > capacity) {
                throw new ShuntProtocolException("producer position " + seen + " outside [" + knownProducerPosition
                        + ", " + (position + capacity) + "]");
            }
            knownProducerPosition = seen;
            available = seen - position;
        }
        return (int) available;
    }

    /** Copies up to {@code len} bytes into {@code dst}. @return bytes copied, 0 when the ring is empty */
    int read(byte[] dst, int off, int len, AccessWindow window) throws ShuntProtocolException {
        int n = Math.min(len, available(len));
        if (n == 0) {
            return 0;
        }
        int index = (int) (position & mask);
        int first = Math.min(n, capacity - index);
        window.open();
        try {
            data.get(index, dst, off, first);
            if (n > first) {
                data.get(0, dst, off + first, n - first);
            }
        } finally {
            window.close();
        }
        advance(n);
        return n;
    }

    /** Copies up to {@code dst.remaining()} bytes into {@code dst}. @return bytes copied, 0 when empty */
    int read(ByteBuffer dst, AccessWindow window) throws ShuntProtocolException {
        int len = dst.remaining();
        int n = Math.min(len, available(len));
        if (n == 0) {
            return 0;
        }
        int index = (int) (position & mask);
        int first = Math.min(n, capacity - index);
        int at = dst.position();
        window.open();
        try {
            dst.put(at, data, index, first);
            if (n > first) {
                dst.put(at + first, data, 0, n - first);
            }
        } finally {
            window.close();
        }
        dst.position(at + n);
        advance(n);
        return n;
    }

    private void advance(int n) {
        position += n;
        control.publishConsumerPosition(position);
    }

    /** @return whether the producer announced that no more bytes follow its position */
    boolean producerClosed() throws ShuntProtocolException {
        return control.producerClosed();
    }

    /** @return bytes consumed so far */
    long position() {
        return position;
    }
}
