package dev.shunt.bench;

import dev.shunt.core.ClientHandshake;
import dev.shunt.core.HandshakeResult;
import dev.shunt.core.ServerAdvertisement;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntHandshake;
import dev.shunt.core.ShuntStream;
import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * One end of a benchmark connection: either the JDK's own Unix socket (the kernel path as an application
 * would use it) or a Shunt stream. Reads and writes are of whole messages.
 */
abstract class Connection implements AutoCloseable {
    abstract void writeFully(byte[] message) throws IOException;

    abstract void readFully(byte[] message) throws IOException;

    /** @return a short description of the path taken, e.g. "fast path" or the fallback reason */
    abstract String path();

    static Connection accept(Transport transport, Path socket, Runnable ready) throws IOException {
        if (!transport.usesShunt()) {
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(socket));
                ready.run();
                return new Kernel(server.accept());
            }
        }
        ShuntConfig config = ShuntConfig.fromSystemProperties();
        int listen = UnixSockets.socket();
        try {
            UnixSockets.bindPath(listen, socket.toString());
            UnixSockets.listen(listen, 1);
            try (ServerAdvertisement ad = ServerAdvertisement.publish(socket, config)) {
                ready.run();
                int fd = UnixSockets.accept(listen);
                return Shunt.of(fd, ShuntHandshake.accept(fd, config));
            }
        } finally {
            Descriptors.close(listen);
        }
    }

    static Connection connect(Transport transport, Path socket) throws IOException {
        if (!transport.usesShunt()) {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            return new Kernel(channel);
        }
        int fd = UnixSockets.socket();
        ClientHandshake handshake = ShuntHandshake.prepareClient(fd, socket, ShuntConfig.fromSystemProperties());
        UnixSockets.connect(fd, socket.toString());
        return Shunt.of(fd, handshake.complete());
    }

    private static final class Kernel extends Connection {
        private final SocketChannel channel;
        private ByteBuffer buffer = ByteBuffer.allocateDirect(0);

        Kernel(SocketChannel channel) {
            this.channel = channel;
        }

        private ByteBuffer buffer(int size) {
            if (buffer.capacity() < size) {
                buffer = ByteBuffer.allocateDirect(size);
            }
            buffer.clear().limit(size);
            return buffer;
        }

        @Override
        void writeFully(byte[] message) throws IOException {
            ByteBuffer b = buffer(message.length).put(message).flip();
            while (b.hasRemaining()) {
                channel.write(b);
            }
        }

        @Override
        void readFully(byte[] message) throws IOException {
            ByteBuffer b = buffer(message.length);
            while (b.hasRemaining()) {
                if (channel.read(b) < 0) {
                    throw new EOFException();
                }
            }
            b.flip().get(message);
        }

        @Override
        String path() {
            return "kernel socket";
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    private static final class Shunt extends Connection {
        private final int fd;
        private final ShuntStream stream;

        private Shunt(int fd, ShuntStream stream) {
            this.fd = fd;
            this.stream = stream;
        }

        static Connection of(int fd, HandshakeResult result) throws IOException {
            if (!result.isFastPath()) {
                Descriptors.close(fd);
                throw new IOException("Shunt fell back to the kernel socket: " + result.detail());
            }
            return new Shunt(fd, result.stream());
        }

        @Override
        void writeFully(byte[] message) throws IOException {
            stream.write(message, 0, message.length);
        }

        @Override
        void readFully(byte[] message) throws IOException {
            int off = 0;
            while (off < message.length) {
                int n = stream.read(message, off, message.length - off, 0);
                if (n < 0) {
                    throw new EOFException();
                }
                off += n;
            }
        }

        @Override
        String path() {
            return "fast path" + (stream.isProtected() ? " (MPK)" : " (no MPK)");
        }

        @Override
        public void close() {
            stream.close();
            Descriptors.close(fd);
        }
    }
}
