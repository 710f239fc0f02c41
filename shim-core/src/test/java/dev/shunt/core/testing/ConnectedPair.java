package dev.shunt.core.testing;

import dev.shunt.core.ClientHandshake;
import dev.shunt.core.HandshakeResult;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntHandshake;
import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import java.io.IOException;
import java.io.UncheckedIOException;
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
    private final TestServer listener;

    private ConnectedPair(TestServer listener, TestServer.Accepted accepted, HandshakeResult client, int clientFd) {
        this.listener = listener;
        this.server = accepted.result;
        this.serverFd = accepted.fd;
        this.client = client;
        this.clientFd = clientFd;
    }

    /** Connects a pair with the same configuration on both sides. */
    public static ConnectedPair open(ShuntConfig config) throws Exception {
        return open(config, config);
    }

    /** Connects a pair with a configuration per side. */
    public static ConnectedPair open(ShuntConfig serverConfig, ShuntConfig clientConfig) throws Exception {
        TestServer listener = new TestServer(serverConfig);
        CompletableFuture<TestServer.Accepted> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                return listener.accept();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        int clientFd = UnixSockets.socket();
        ClientHandshake handshake = ShuntHandshake.prepareClient(clientFd, listener.path, clientConfig);
        UnixSockets.connect(clientFd, listener.path.toString());
        HandshakeResult client = handshake.complete();
        return new ConnectedPair(listener, accepted.get(30, TimeUnit.SECONDS), client, clientFd);
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
        listener.close();
    }
}
