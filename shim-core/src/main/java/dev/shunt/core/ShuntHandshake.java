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
 *       each accepted socket before the application sees it ({@link #isMarkedClient(String)} tells whether that
 *       can wait on the client; {@link #acceptWithoutWaiting(int, ShuntConfig)} never does). An event loop calls
 *       {@link #beginAccept(int, ShuntConfig)}, which never waits on the client, waits for the client's answer
 *       itself ({@link ServerHandshake#canCompleteNow()}), then {@link ServerHandshake#complete()}.</li>
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
        return ServerHandshake.begin(fd, config, true).complete();
    }

    /**
     * Server side, up to the client's answer: what {@link #accept(int, ShuntConfig)} does before it would wait on
     * the client. A peer that is not a Shunt client gets no byte and a marked one a DECLINE, both decided at once;
     * any other marked client gets the OFFER, and the result waits on its answer. Nothing here waits on the client;
     * the handshake's time limit starts here.
     *
     * @param fd the accepted socket (blocking or not)
     * @param config the configuration in force
     * @return the handshake, to complete ({@link ServerHandshake#canCompleteNow()} tells when that will not wait)
     * @throws IOException when the handshake started but could not go on or fall back safely; the caller closes
     *     the socket
     */
    public static ServerHandshake beginAccept(int fd, ShuntConfig config) throws IOException {
        return ServerHandshake.begin(fd, config, true);
    }

    /**
     * Server side, in place of {@link #accept(int, ShuntConfig)} when this side already has as many handshakes
     * waiting on their clients as it allows: the same answer without the offer, so nothing waits on the client.
     * A marked client gets a DECLINE with {@link FallbackReason#HANDSHAKE_LIMIT}, or with the reason accept
     * would have declined it for; any other peer is handled exactly as by accept.
     *
     * @param fd the accepted socket (blocking or not)
     * @param config the configuration in force
     * @return the fallback reason
     * @throws IOException when the DECLINE cannot be sent; the caller closes the socket
     */
    public static HandshakeResult acceptWithoutWaiting(int fd, ShuntConfig config) throws IOException {
        return ServerHandshake.begin(fd, config, false).complete();
    }

    /**
     * Server side: whether the peer of an accepted socket, bound at this name, marked itself as a Shunt client. Only
     * for such a peer can {@link #accept(int, ShuntConfig)} wait on the client (for its answer to the offer, up to
     * {@code shunt.handshakeTimeoutMillis}); for any other it returns at once, without a byte on the socket. The name
     * is read once per connection and passed on ({@link ServerHandshakes#start(String, ServerHandshakes.Descriptor,
     * ServerHandshakes.Outcome)}), so that a plain client costs one {@code getpeername}.
     *
     * @param peerAbstractName the peer's name in the abstract namespace ({@code UnixSockets.peerAbstractName}), or
     *     null when the peer is not bound there
     * @return whether the name is a Shunt client marker
     */
    public static boolean isMarkedClient(String peerAbstractName) {
        return ClientMarker.version(peerAbstractName) != 0;
    }

    /**
     * Client side, before connect: decides whether to attempt the fast path and, if so, binds the socket to a
     * Shunt marker address. Never throws for an unusable environment: that becomes a fallback. A client whose recent
     * connections to this server were short and frequent skips the handshake ({@link ShortConnections}).
     *
     * @param fd the unconnected, unbound socket (for one the application bound itself: {@link #prepareBoundClient})
     * @param serverPath the filesystem path it will connect to, or null for an abstract or unnamed address
     * @param config the configuration in force
     * @return the pending handshake, to complete after connect
     * @throws IOException when binding the marker fails for an unexpected reason
     */
    public static ClientHandshake prepareClient(int fd, Path serverPath, ShuntConfig config) throws IOException {
        return prepareClient(() -> fd, serverPath, config);
    }

    /**
     * {@link #prepareClient(int, Path, ShuntConfig)} for a socket whose library makes it lazily: the descriptor is
     * asked for only when the socket is marked (the fast path is attempted), or after connect for a recorded event.
     *
     * @param socket gives the unconnected, unbound socket's descriptor
     * @param serverPath the filesystem path it will connect to, or null for an abstract or unnamed address
     * @param config the configuration in force
     * @return the pending handshake, to complete after connect
     * @throws IOException when making the socket or binding the marker fails for an unexpected reason
     */
    public static ClientHandshake prepareClient(SocketDescriptor socket, Path serverPath, ShuntConfig config)
            throws IOException {
        try {
            // Before the other checks: a connection that skips the handshake should cost what a plain connect does.
            boolean tracked = config.enabled() && config.skipShortConnections() && serverPath != null;
            ShortConnections known = tracked ? ShortConnections.known(serverPath) : null;
            if (known != null && known.skipHandshake()) {
                throw new FallbackException(FallbackReason.SHORT_CONNECTIONS, "");
            }
            AccessWindow window = ClientPreflight.decide(serverPath, config);
            ShortConnections history = tracked ? ShortConnections.forServer(serverPath) : null;
            int fd = socket.get();
            ClientMarker.bind(fd);
            return ClientHandshake.attempting(fd, config, window, history);
        } catch (FallbackException e) {
            return ClientHandshake.declined(socket, config, e);
        }
    }

    /**
     * Client side, before connect, in place of {@link #prepareClient(int, Path, ShuntConfig)} for a socket the
     * application bound to an address of its own: such a socket cannot carry the client marker, so the connection
     * stays on the kernel socket with the application's address, which the server sees as its peer. The socket is
     * left untouched; {@link ClientHandshake#complete()} returns {@link FallbackReason#CLIENT_BOUND} at once,
     * counted in the metrics like every fallback ({@link FallbackReason#DISABLED} when Shunt is disabled here).
     * Every adapter treats an explicitly bound client this way.
     *
     * @param fd the unconnected socket, bound by the application
     * @param config the configuration in force
     * @return the pending handshake, to complete after connect
     */
    public static ClientHandshake prepareBoundClient(int fd, ShuntConfig config) {
        FallbackReason reason = config.enabled() ? FallbackReason.CLIENT_BOUND : FallbackReason.DISABLED;
        return ClientHandshake.declined(() -> fd, config, new FallbackException(reason, ""));
    }

    static long deadline(ShuntConfig config) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.handshakeTimeoutMillis());
    }
}
