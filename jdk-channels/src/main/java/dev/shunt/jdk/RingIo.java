package dev.shunt.jdk;

import dev.shunt.core.ShuntStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fast-path channel's reads and writes of {@link ByteBuffer}s as a {@code SocketChannel} makes them: a blocking read
 * waits for at least one byte, a blocking write moves every byte, non-blocking calls move what the rings allow, and
 * one read and one write run at a time. Heap buffers are copied straight between array and ring; a direct buffer is
 * too, except for the bytes a blocking call waits for, which pass through a scratch array (the core's blocking calls
 * take arrays).
 */
final class RingIo {
    private static final int SCRATCH_BYTES = 64 * 1024;

    private final ShuntStream stream;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private byte[] readScratch;
    private byte[] writeScratch;

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
                int n = total == 0 && blocking ? readBlocking(dst) : stream.readNow(dst);
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
                    total += writeBlocking(src);
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

    private int readBlocking(ByteBuffer dst) throws IOException {
        if (dst.hasArray()) {
            int n = stream.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining(), 0);
            if (n > 0) {
                dst.position(dst.position() + n);
            }
            return n;
        }
        int n = stream.readNow(dst);
        if (n != 0) {
            return n;
        }
        if (readScratch == null) {
            readScratch = new byte[SCRATCH_BYTES];
        }
        n = stream.read(readScratch, 0, Math.min(readScratch.length, dst.remaining()), 0);
        if (n > 0) {
            dst.put(readScratch, 0, n);
            int more = stream.readNow(dst);
            n += Math.max(more, 0);
        }
        return n;
    }

    private int writeBlocking(ByteBuffer src) throws IOException {
        int len = src.remaining();
        if (src.hasArray()) {
            stream.write(src.array(), src.arrayOffset() + src.position(), len);
            src.position(src.limit());
            return len;
        }
        while (src.hasRemaining()) {
            if (stream.writeNow(src) == 0) {
                if (writeScratch == null) {
                    writeScratch = new byte[SCRATCH_BYTES];
                }
                int chunk = Math.min(src.remaining(), writeScratch.length);
                src.get(writeScratch, 0, chunk);
                stream.write(writeScratch, 0, chunk);
            }
        }
        return len;
    }
}
