package dev.shunt.core;

import java.nio.ByteBuffer;

/**
 * The writing half of one single-producer/single-consumer byte ring. Only one thread at a time may use it.
 *
 * <p>The published position lives here; the consumer position is re-read only when the cached one leaves too
 * little room, and every value read is checked to lie between the last one seen and what was published.
 */
final class RingProducer {
    private final ControlBlock control;
    private final ByteBuffer data;
    private final int capacity;
    private final int mask;
    private long position;
    private long knownConsumerPosition;

    RingProducer(ControlBlock control, ByteBuffer data) {
        this.control = control;
        this.data = data;
        this.capacity = data.capacity();
        this.mask = capacity - 1;
    }

    /**
     * @param wanted bytes the caller would like to write
     * @return bytes of free space now
     */
    int free(int wanted) throws ShuntProtocolException {
        long free = capacity - (position - knownConsumerPosition);
        if (free < wanted) {
            free = capacity - (position - readConsumerPosition());
        }
        return (int) free;
    }

    /** @return whether the consumer has released every byte published (nothing unread, nothing lent) */
    boolean drained() throws ShuntProtocolException {
        return knownConsumerPosition == position || readConsumerPosition() == position;
    }

    private long readConsumerPosition() throws ShuntProtocolException {
        long seen = control.consumerPosition();
        if (seen < knownConsumerPosition || seen > position) {
            throw new ShuntProtocolException("consumer position " + seen + " outside [" + knownConsumerPosition + ", "
                    + position + "]");
        }
        knownConsumerPosition = seen;
        return seen;
    }

    /** Copies up to {@code len} bytes from {@code src}. @return bytes copied, 0 when the ring is full */
    int write(byte[] src, int off, int len, AccessWindow window) throws ShuntProtocolException {
        int n = Math.min(len, free(len));
        if (n == 0) {
            return 0;
        }
        int index = (int) (position & mask);
        int first = Math.min(n, capacity - index);
        window.open();
        try {
            data.put(index, src, off, first);
            if (n > first) {
                data.put(0, src, off + first, n - first);
            }
        } finally {
            window.close();
        }
        publish(n);
        return n;
    }

    /** Copies up to {@code src.remaining()} bytes from {@code src}. @return bytes copied, 0 when full */
    int write(ByteBuffer src, AccessWindow window) throws ShuntProtocolException {
        int len = src.remaining();
        int n = Math.min(len, free(len));
        if (n == 0) {
            return 0;
        }
        int index = (int) (position & mask);
        int first = Math.min(n, capacity - index);
        int at = src.position();
        window.open();
        try {
            data.put(index, src, at, first);
            if (n > first) {
                data.put(0, src, at + first, n - first);
            }
        } finally {
            window.close();
        }
        src.position(at + n);
        publish(n);
        return n;
    }

    private void publish(int n) {
        position += n;
        control.publishProducerPosition(position);
    }

    /** @return whether the consumer announced it will read no more */
    boolean consumerClosed() throws ShuntProtocolException {
        return control.consumerClosed();
    }

    /** @return bytes published so far */
    long position() {
        return position;
    }
}
