package dev.shunt.core.testing;

import dev.shunt.core.ClientHandshake;
import dev.shunt.core.HandshakeResult;
import dev.shunt.core.ServerAdvertisement;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntHandshake;
import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Two ends of a real Unix-socket connection inside one JVM, each run through the Shunt handshake exactly as
 * an adapter would: the server binds, listens and advertises; the client prepares, connects and completes;
 * the server accepts and answers, on its own thread.
 */
public final class ConnectedPair implements AutoCloseable {
    /** Result of the server's handshake. */
    public final HandshakeResult server;
    /** Result of the client's handshake. */
    public final HandshakeResult client;
    /** Accepted socket. */
    public final int serverFd;
    /** Connected socket. */
    public final int clientFd;
    private final int listenFd;
    private final Path dir;
    private final ServerAdvertisement advertisement;

    private ConnectedPair(HandshakeResult server, HandshakeResult client, int serverFd, int clientFd, int listenFd,
            Path dir, ServerAdvertisement advertisement) {
        this.server = server;
        this.client = client;
        this.serverFd = serverFd;
        this.clientFd = clientFd;
        this.listenFd = listenFd;
        this.dir = dir;
        this.advertisement = advertisement;
    }

    /** Connects a pair with the same configuration on both sides. */
    public static ConnectedPair open(ShuntConfig config) throws Exception {
        return open(config, config);
    }

    /** Connects a pair with a configuration per side. */
    public static ConnectedPair open(ShuntConfig serverConfig, ShuntConfig clientConfig) throws Exception {
        Path dir = Files.createTempDirectory("shunt");
        Path path = dir.resolve("s");
        int listenFd = UnixSockets.socket();
        UnixSockets.bindPath(listenFd, path.toString());
        UnixSockets.listen(listenFd, 8);
        ServerAdvertisement advertisement = ServerAdvertisement.publish(path, serverConfig);
        CompletableFuture<Object[]> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                int fd = UnixSockets.accept(listenFd);
                return new Object[] {fd, ShuntHandshake.accept(fd, serverConfig)};
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        int clientFd = UnixSockets.socket();
        ClientHandshake handshake = ShuntHandshake.prepareClient(clientFd, path, clientConfig);
        UnixSockets.connect(clientFd, path.toString());
        HandshakeResult client = handshake.complete();
        Object[] server = accepted.get(30, TimeUnit.SECONDS);
        return new ConnectedPair((HandshakeResult) server[1], client, (Integer) server[0], clientFd, listenFd, dir,
                advertisement);
    }

    @Override
    public void close() throws IOException {
        if (server.isFastPath()) {
            server.stream().close();
        }
        if (client.isFastPath()) {
            client.stream().close();
        }
        Descriptors.close(serverFd);
        Descriptors.close(clientFd);
        Descriptors.close(listenFd);
        advertisement.close();
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }
}
