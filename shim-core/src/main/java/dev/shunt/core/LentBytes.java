package dev.shunt.core;

import java.nio.ByteBuffer;

/**
 * Inbound bytes lent in place by {@link ShuntStream#lendNow(int)}: a read-only view into the ring, so that the
 * bytes are copied once end to end (by the producer, into the ring). Give them back exactly when they are no
 * longer needed: until then the producer cannot reuse that part of the ring, and after it the view must not be
 * touched again (the ring moves on, and the memory is unmapped once the stream is closed and all lent runs are
 * back).
 */
public final class LentBytes {
    private final ShuntStream stream;
    private final long start;
    private final ByteBuffer bytes;

    LentBytes(ShuntStream stream, long start, ByteBuffer bytes) {
        this.stream = stream;
        this.start = start;
        this.bytes = bytes;
    }

    /** @return the bytes: a read-only direct buffer, position 0, limit {@link #length()} */
    public ByteBuffer buffer() {
        return bytes;
    }

    /** @return number of bytes lent */
    public int length() {
        return bytes.capacity();
    }

    /** Gives the bytes back; from any thread; a second call does nothing. */
    public void giveBack() {
        stream.giveBack(start);
    }
}
