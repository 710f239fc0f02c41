package dev.shunt.jdk;

import dev.shunt.core.ShuntStream;
import dev.shunt.nativeio.UnixSockets;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The bytes a channel took before its handshake settled, in order, until they can go the way the handshake chose: a
 * kernel socket takes a client's first writes before the server accepts, and a Shunt channel's route is known only
 * after the accept. Bounded as the socket's send buffer is; held by the channel's state lock.
 */
final class EarlyBytes {
    private final byte[] bytes;
    private int size;

    /** @param capacity the most bytes taken: what the kernel socket would take, and at most the ring's size */
    EarlyBytes(int capacity) {
        this.bytes = new byte[capacity];
    }

    /** @return bytes that can still be taken */
    int room() {
        return bytes.length - size;
    }

    /**
     * Takes what fits of the buffers, in order, advancing their positions.
     *
     * @return the bytes taken
     */
    long take(ByteBuffer[] srcs, int offset, int length) {
        long taken = 0;
        for (int i = offset; i < offset + length && size < bytes.length; i++) {
            int n = Math.min(srcs[i].remaining(), room());
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
