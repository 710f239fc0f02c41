package dev.shunt.jdk;

import dev.shunt.core.ShuntStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fast-path channel's reads and writes of {@link ByteBuffer}s as a {@code SocketChannel} makes them: a blocking read
 * waits for at least one byte, a blocking write moves every byte, non-blocking calls move what the rings allow, and
 * one read and one write run at a time. Bytes are copied once, between the buffer and the ring.
 */
final class RingIo {
    private final ShuntStream stream;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();

    RingIo(ShuntStream stream) {
        this.stream = stream;
    }

    /** @return bytes read, 0 when none (non-blocking only), -1 at end of stream */
    long read(ByteBuffer[] dsts, int offset, int length, boolean blocking) throws IOException {
        readLock.lock();
        try {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                ByteBuffer dst = dsts[i];
                if (!dst.hasRemaining()) {
                    continue;
                }
                int n = total == 0 && blocking ? stream.read(dst, 0) : stream.readNow(dst);
                if (n < 0) {
                    return total == 0 ? -1 : total;
                }
                total += n;
                if (dst.hasRemaining()) {
                    break;
                }
            }
            return total;
        } finally {
            readLock.unlock();
        }
    }

    /** @return bytes written; with {@code blocking}, every byte of the buffers */
    long write(ByteBuffer[] srcs, int offset, int length, boolean blocking) throws IOException {
        writeLock.lock();
        try {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                ByteBuffer src = srcs[i];
                if (blocking) {
                    total += src.remaining();
                    stream.write(src);
                    continue;
                }
                int remaining = src.remaining();
                int n = stream.writeNow(src);
                total += n;
                if (n < remaining) {
                    break;
                }
            }
            return total;
        } finally {
            writeLock.unlock();
        }
    }
}
