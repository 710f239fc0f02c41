package dev.shunt.core;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The entry points adapters call to put a connected Unix socket on the fast path (protocol in
 * {@code docs/protocol.md}).
 *
 * <ul>
 *   <li>Server: {@link ServerAdvertisement#publish} after bind/listen, {@link #accept(int, ShuntConfig)} on
 *       each accepted socket before the application sees it.</li>
 *   <li>Client: {@link #prepareClient(int, Path, ShuntConfig)} on the unconnected socket, connect, then
 *       {@link ClientHandshake#complete()}.</li>
 * </ul>
 * A peer that does not run Shunt never sees a byte from either side: the client marks itself only through
 * its bound address, and the server speaks only to marked clients.
 */
public final class ShuntHandshake {
    private ShuntHandshake() {
    }

    /**
     * Server side: runs the handshake on a freshly accepted socket.
     *
     * @param fd the accepted socket (blocking or not)
     * @param config the configuration in force
     * @return the fast-path stream, or the fallback reason
     * @throws IOException when the handshake started but could not finish or fall back safely; the caller
     *     closes the socket
     */
    public static HandshakeResult accept(int fd, ShuntConfig config) throws IOException {
        return new ServerHandshake(fd, config).complete();
    }

    /**
     * Client side, before connect: decides whether to attempt the fast path and, if so, binds the socket to a
     * Shunt marker address. Never throws for an unusable environment: that becomes a fallback.
     *
     * @param fd the unconnected, unbound socket
     * @param serverPath the filesystem path it will connect to, or null for an abstract or unnamed address
     * @param config the configuration in force
     * @return the pending handshake, to complete after connect
     * @throws IOException when binding the marker fails for an unexpected reason
     */
    public static ClientHandshake prepareClient(int fd, Path serverPath, ShuntConfig config) throws IOException {
        try {
            if (!config.enabled()) {
                throw new FallbackException(FallbackReason.DISABLED, "");
            }
            if (serverPath == null) {
                throw new FallbackException(FallbackReason.UNSUPPORTED_ADDRESS, "");
            }
            AccessWindow window = ProtectionPolicy.windowFor(config.mpk());
            Advertisement.check(serverPath);
            ClientMarker.bind(fd);
            return new ClientHandshake(fd, config, window, null);
        } catch (FallbackException e) {
            return new ClientHandshake(fd, config, null, e);
        }
    }

    static long deadline(ShuntConfig config) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.handshakeTimeoutMillis());
    }
}
