package dev.shunt.bench;

import dev.shunt.core.ClientHandshake;
import dev.shunt.core.HandshakeResult;
import dev.shunt.core.MpkMode;
import dev.shunt.core.ServerAdvertisement;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntHandshake;
import dev.shunt.core.ShuntStream;
import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Shunt's core API without an adapter: raw sockets, the core handshake, then blocking {@link ShuntStream}
 * calls. A connection that falls back to the kernel socket fails the case, naming the reason: this transport
 * exists to measure the fast path, so its client makes the handshake on every connection, short ones included
 * ({@code shunt.skipShortConnections} off): its connect case measures the core handshake itself.
 */
final class ShuntCoreLink implements Duplex {
    private final int fd;
    private final ShuntStream stream;
    private final MpkMode mpk;

    private ShuntCoreLink(int fd, ShuntStream stream, MpkMode mpk) {
        this.fd = fd;
        this.stream = stream;
        this.mpk = mpk;
    }

    static DuplexListener listen(Path dir) throws IOException {
        Path socket = dir.resolve("bench.sock");
        ShuntConfig config = ShuntConfig.fromSystemProperties();
        int listenFd = UnixSockets.socket();
        UnixSockets.bindPath(listenFd, socket.toString());
        UnixSockets.listen(listenFd, 64);
        ServerAdvertisement.publish(socket, config); // withdrawn with the directory when the run ends
        return new DuplexListener(socket.toString(), () -> {
            int fd = UnixSockets.accept(listenFd);
            return open(fd, config, () -> ShuntHandshake.accept(fd, config));
        });
    }

    static DuplexConnector connector(String address) {
        Path socket = Path.of(address);
        ShuntConfig config = ShuntConfig.fromSystemProperties().withSkipShortConnections(false);
        return () -> {
            int fd = UnixSockets.socket();
            return open(fd, config, () -> {
                ClientHandshake handshake = ShuntHandshake.prepareClient(fd, socket, config);
                UnixSockets.connect(fd, address);
                return handshake.complete();
            });
        };
    }

    /** One side of the handshake on a socket. */
    private interface Handshake {
        HandshakeResult run() throws IOException;
    }

    /** Runs the handshake on {@code fd}; closes it unless the connection ends up on the fast path. */
    private static ShuntCoreLink open(int fd, ShuntConfig config, Handshake handshake) throws IOException {
        HandshakeResult result;
        try {
            result = handshake.run();
        } catch (IOException | RuntimeException e) {
            Descriptors.close(fd);
            throw e;
        }
        if (!result.isFastPath()) {
            Descriptors.close(fd);
            throw new IOException("Shunt fell back to the kernel socket: " + result.detail());
        }
        return new ShuntCoreLink(fd, result.stream(), config.mpk());
    }

    /** The stream itself, for the JMH benchmark of its non-blocking calls. */
    ShuntStream stream() {
        return stream;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        stream.write(b, off, len);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        return stream.read(b, off, len, 0);
    }

    @Override
    public String path() {
        return ShuntPath.fastPath(stream.isProtected(), mpk);
    }

    @Override
    public void close() {
        stream.close();
        Descriptors.close(fd);
    }
}
