package dev.shunt.jdk;

import dev.shunt.core.ShuntStream;
import dev.shunt.nativeio.UnixSockets;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The bytes a channel took before its handshake settled, in order, until they can go the way the handshake chose: a
 * kernel socket takes a client's first writes before the server accepts, and a Shunt channel's route is known only
 * after the accept. Bounded as the socket's send buffer is, and grown up to that bound as bytes come, so that the usual
 * early write, a first request of a few hundred bytes, costs one small array. Held by the channel's state lock.
 */
final class EarlyBytes {
    private static final int FIRST_ARRAY = 8192;

    private final int capacity;
    private byte[] bytes;
    private int size;

    /** @param capacity the most bytes taken: what the kernel socket would take, and at most the ring's size */
    EarlyBytes(int capacity) {
        this.capacity = capacity;
        this.bytes = new byte[0];
    }

    /** @return bytes that can still be taken */
    int room() {
        return capacity - size;
    }

    /**
     * Takes what fits of the buffers, in order, advancing their positions.
     *
     * @return the bytes taken
     */
    long take(ByteBuffer[] srcs, int offset, int length) {
        long taken = 0;
        for (int i = offset; i < offset + length && size < capacity; i++) {
            int n = Math.min(srcs[i].remaining(), room());
            if (size + n > bytes.length) {
                int grown = Math.max(size + n, Math.max(FIRST_ARRAY, 2 * bytes.length));
                bytes = Arrays.copyOf(bytes, Math.min(capacity, grown));
            }
            srcs[i].get(bytes, size, n);
            size += n;
            taken += n;
        }
        return taken;
    }

    /** Puts every byte into the fast path's ring, waiting for space while the peer reads. */
    void sendTo(ShuntStream stream) throws IOException {
        stream.write(ByteBuffer.wrap(bytes, 0, size));
    }

    /** Puts every byte onto the kernel socket, waiting for space while the peer reads. */
    void sendTo(int socketFd) throws IOException {
        UnixSockets.writeFully(socketFd, bytes, 0, size);
    }
}
