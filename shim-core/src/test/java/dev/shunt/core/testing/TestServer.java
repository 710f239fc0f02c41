package dev.shunt.core.testing;

import dev.shunt.core.HandshakeResult;
import dev.shunt.core.ServerAdvertisement;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntHandshake;
import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A listening Unix socket in a fresh temporary directory, advertised the way a Shunt server does. */
public final class TestServer implements AutoCloseable {
    /** The socket file. */
    public final Path path;
    private final Path dir;
    private final int listenFd;
    private final ShuntConfig config;
    private final ServerAdvertisement advertisement;

    /** Binds, listens and advertises under {@code config}. */
    public TestServer(ShuntConfig config) throws IOException {
        this.config = config;
        this.dir = Files.createTempDirectory("shunt");
        this.path = dir.resolve("s");
        this.listenFd = UnixSockets.socket();
        UnixSockets.bindPath(listenFd, path.toString());
        UnixSockets.listen(listenFd, 16);
        this.advertisement = ServerAdvertisement.publish(path, config);
    }

    /** One accepted connection after its handshake. */
    public static final class Accepted {
        /** The accepted socket. */
        public final int fd;
        /** The handshake's outcome. */
        public final HandshakeResult result;

        Accepted(int fd, HandshakeResult result) {
            this.fd = fd;
            this.result = result;
        }
    }

    /** Accepts one connection (blocking) and runs the server handshake on it. */
    public Accepted accept() throws IOException {
        int fd = UnixSockets.accept(listenFd);
        try {
            return new Accepted(fd, ShuntHandshake.accept(fd, config));
        } catch (IOException | RuntimeException e) {
            Descriptors.close(fd);
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        advertisement.close();
        Descriptors.close(listenFd);
        Files.deleteIfExists(path);
        Files.deleteIfExists(dir);
    }
}
