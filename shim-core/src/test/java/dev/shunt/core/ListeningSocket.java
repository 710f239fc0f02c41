package dev.shunt.core;

import dev.shunt.core.testing.ConnectedPair;
import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A raw listening Unix socket in a directory of its own, for handshake tests that play one side with raw calls;
 * {@link #close()} removes the socket, its directory and any advertisement left beside it.
 */
final class ListeningSocket implements AutoCloseable {
    /** The socket file. */
    final Path path;
    private final int backlog;
    /** The listening descriptor ({@link #replace()} changes it). */
    int fd;

    private ListeningSocket(Path path, int backlog) throws IOException {
        this.path = path;
        this.backlog = backlog;
        listen();
    }

    private void listen() throws IOException {
        fd = UnixSockets.socket();
        UnixSockets.bindPath(fd, path.toString());
        UnixSockets.listen(fd, backlog);
    }

    /**
     * Opens and closes one fast-path pair, so that classes are loaded and the JVM's lazily opened files (jars, random
     * source) are open before a test counts descriptors.
     */
    static void warmUp(ShuntConfig config) throws Exception {
        try (ConnectedPair pair = ConnectedPair.open(config)) {
            if (!pair.client.isFastPath()) {
                throw new IllegalStateException("the warm-up pair is not on the fast path");
            }
        }
    }

    static ListeningSocket open(int backlog) throws IOException {
        return new ListeningSocket(Files.createTempDirectory("shunt").resolve("s"), backlog);
    }

    /** Closes the socket, deletes its file and listens on a new one at the same path: another socket file. */
    void replace() throws IOException {
        Descriptors.close(fd);
        Files.delete(path);
        listen();
    }

    @Override
    public void close() throws IOException {
        Descriptors.close(fd);
        Files.deleteIfExists(Advertisement.pathFor(path));
        Files.deleteIfExists(path);
        Files.deleteIfExists(path.getParent());
    }
}
