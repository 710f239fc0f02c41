package dev.shunt.core;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A client's handshake between {@link ShuntHandshake#prepareClient} and the end of connect, the mirror of the
 * server's ({@link ServerHandshake}). When the client decided not to attempt the fast path, {@link #complete()}
 * returns that fallback at once and the socket was left untouched.
 */
public final class ClientHandshake {
    /** The marked socket's descriptor; -1 when the client decided not to attempt the fast path. */
    private final int fd;
    /** The socket of a connection that does not attempt the fast path, asked for its descriptor only by an event. */
    private final SocketDescriptor unmarked;
    private final ShuntConfig config;
    private final AccessWindow window;
    private final FallbackException fallback;
    /** The record this connection reports to when its fast path ends, or null. */
    private final ShortConnections history;
    /** When the handshake was prepared, on {@link #history}'s clock (0 without a record). */
    private final long preparedNanos;
    /** Set by whichever reports this connection to {@link #history} first: its stream, or {@link #abandoned()}. */
    private final AtomicBoolean reported = new AtomicBoolean();
    private long deadlineNanos;
    private boolean clockStarted;
    /** The JFR event of this handshake from its clock's start, or null when handshakes are not recorded. */
    private HandshakeEvent event;

    private ClientHandshake(int fd, SocketDescriptor unmarked, ShuntConfig config, AccessWindow window,
            FallbackException fallback, ShortConnections history) {
        this.fd = fd;
        this.unmarked = unmarked;
        this.config = config;
        this.window = window;
        this.fallback = fallback;
        this.history = history;
        this.preparedNanos = history == null ? 0 : history.now();
    }

    /** A handshake on a marked socket, to complete after connect. */
    static ClientHandshake attempting(int fd, ShuntConfig config, AccessWindow window, ShortConnections history) {
        return new ClientHandshake(fd, null, config, window, null, history);
    }

    /** A connection that stays on the kernel socket for this reason, its socket untouched. */
    static ClientHandshake declined(SocketDescriptor socket, ShuntConfig config, FallbackException fallback) {
        return new ClientHandshake(-1, socket, config, null, fallback, null);
    }

    /** @return whether the socket was marked and an offer is expected after connect */
    public boolean isAttempting() {
        return fallback == null;
    }

    /**
     * The application closed the connection before this handshake settled (an adapter whose connect returns before
     * the handshake ends): the connection counts for the short-connection rule as one that closed having moved
     * nothing, since it could never have paid for its handshake. Without this, connections that always close before
     * the server's offer arrives would never count, and would all keep making handshakes. A stream that the
     * handshake still makes afterwards reports nothing more. Any thread; at most once counted.
     */
    public void abandoned() {
        if (history != null && reported.compareAndSet(false, true)) {
            history.ended(preparedNanos, 0);
        }
    }

    /**
     * Whether {@link #complete()} would return without waiting on the server: the client decided before connecting,
     * or the server's whole first message is there, or bytes that cannot be one, or the end of stream. Reads nothing
     * and never blocks, so that an event loop can wait for the server in {@code epoll} rather than a thread in
     * {@code poll}. Call it once connected: the first call of this or of {@link #complete()} starts the handshake's
     * time limit ({@code shunt.handshakeTimeoutMillis}).
     *
     * @return true when {@link #complete()} will not wait
     * @throws IOException when the socket cannot be read
     */
    public boolean canCompleteNow() throws IOException {
        if (fallback != null) {
            return true;
        }
        deadline();
        return HandshakeMessage.isQueued(fd);
    }

    private long deadline() {
        if (!clockStarted) {
            clockStarted = true;
            event = ShuntEvents.handshakeStarted();
            deadlineNanos = ShuntHandshake.deadline(config);
        }
        return deadlineNanos;
    }

    /**
     * Finishes the handshake on the now connected socket: waits (until the handshake's time limit, see
     * {@link #canCompleteNow()}) for the server's offer, validates it, and answers.
     *
     * @return the fast-path stream, or the fallback reason (the socket stream is then untouched)
     * @throws IOException when the handshake started but could not finish; the caller closes the socket
     */
    public HandshakeResult complete() throws IOException {
        if (fallback != null) {
            HandshakeResult result = HandshakeResult.fallback(fallback);
            HandshakeEvent recorded = ShuntEvents.handshakeStarted();
            ShuntEvents.handshakeEnded(recorded, Role.CLIENT, recorded == null ? -1 : unmarked.get(), result);
            return result;
        }
        try {
            HandshakeResult result = awaitOffer();
            ShuntEvents.handshakeEnded(event, Role.CLIENT, fd, result);
            return result;
        } catch (IOException | RuntimeException e) {
            ShuntMetrics.get().handshakeFailed();
            ShuntEvents.handshakeFailed(event, Role.CLIENT, fd, e);
            throw e;
        }
    }

    private HandshakeResult awaitOffer() throws IOException {
        long deadline = deadline();
        if (!HandshakeMessage.peekIsMessage(fd, deadline)) {
            return HandshakeResult.fallback(new FallbackException(FallbackReason.STALE_ADVERTISEMENT,
                    "the server sent application bytes or closed instead of an offer"));
        }
        HandshakeMessage message = HandshakeMessage.receive(fd, deadline);
        try {
            if (message.type == HandshakeMessage.DECLINE) {
                FallbackReason why = message.reason();
                return HandshakeResult.fallback(new FallbackException(FallbackReason.PEER_DECLINED, why.description()));
            }
            if (message.type != HandshakeMessage.OFFER) {
                throw new ShuntHandshakeException("server opened the handshake with message type " + message.type);
            }
            if (message.version != HandshakeMessage.VERSION) {
                return reject(deadline, new FallbackException(FallbackReason.VERSION_MISMATCH,
                        "server offered version " + message.version));
            }
            return attach(message, deadline);
        } finally {
            message.closeFds();
        }
    }

    private HandshakeResult attach(HandshakeMessage message, long deadline) throws IOException {
        SharedRegion region = null;
        boolean done = false;
        try {
            HandshakeMessage.Offer offer = HandshakeMessage.Offer.decode(message);
            region = SharedRegion.attach(message.fds[0], offer.regionBytes(), offer.capacity(), window);
            HandshakeMessage.send(fd, HandshakeMessage.accept(), new int[0], deadline);
            ShortConnections reportTo = history != null && reported.compareAndSet(false, true) ? history : null;
            ShuntStream stream = new ShuntStream(Role.CLIENT, fd, region, window, config, reportTo);
            done = true;
            return HandshakeResult.fastPath(stream);
        } catch (FallbackException e) {
            return reject(deadline, e);
        } finally {
            if (!done && region != null) {
                region.close();
            }
        }
    }

    private HandshakeResult reject(long deadline, FallbackException e) throws IOException {
        HandshakeMessage.sendReason(fd, HandshakeMessage.REJECT, e.reason(), deadline);
        return HandshakeResult.fallback(e);
    }
}
