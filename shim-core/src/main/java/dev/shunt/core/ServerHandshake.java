package dev.shunt.core;

import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.MappedRegion;
import dev.shunt.nativeio.NativeCallException;
import dev.shunt.nativeio.UnixSockets;
import java.io.Closeable;
import java.io.IOException;

/**
 * A server's handshake on one accepted socket, the mirror of {@link ClientHandshake}: a client that did not mark
 * itself is left untouched; a marked one gets an OFFER (a fresh sealed region) or a DECLINE naming why not, and
 * answers ACCEPT or REJECT (protocol in {@code docs/protocol.md}).
 *
 * <p>It is made by {@link ShuntHandshake#beginAccept} (or inside {@link ShuntHandshake#accept}) with everything
 * done up to the client's answer, which it never waits for. When the server decided alone (no marker, a DECLINE),
 * {@link #complete()} returns that fallback at once. After an OFFER the result depends on the answer:
 * {@link #canCompleteNow()} tells, without waiting, whether it is there, so that an event loop can wait for it in
 * {@code epoll} and no thread waits on a client that stays silent. Not thread-safe: one caller at a time.
 */
public final class ServerHandshake implements Closeable {
    private final int fd;
    private final ShuntConfig config;
    private final AccessWindow window;
    private final long deadline;
    /** The fallback decided without the client, or null after an OFFER. */
    private final HandshakeResult decided;
    /** The offered memory, until the stream owns it or it is released. */
    private SharedRegion region;
    /** The JFR event of this handshake, or null when handshakes are not recorded. */
    private HandshakeEvent event;

    private ServerHandshake(int fd, ShuntConfig config, AccessWindow window, long deadline, HandshakeResult decided,
            SharedRegion region) {
        this.fd = fd;
        this.config = config;
        this.window = window;
        this.deadline = deadline;
        this.decided = decided;
        this.region = region;
    }

    private static ServerHandshake decided(int fd, HandshakeResult result) {
        return new ServerHandshake(fd, null, null, 0, result, null);
    }

    /**
     * Answers the client's marker: nothing, a DECLINE or the OFFER.
     *
     * @param mayOffer false when this side cannot afford to wait on the client: a marked client that would get
     *     an offer is declined with {@link FallbackReason#HANDSHAKE_LIMIT} instead
     * @throws IOException when the handshake started but could not go on or fall back safely; the caller
     *     closes the socket
     */
    static ServerHandshake begin(int fd, ShuntConfig config, boolean mayOffer) throws IOException {
        return begin(fd, config, mayOffer, ClientMarker.version(UnixSockets.peerAbstractName(fd)));
    }

    /**
     * As {@link #begin(int, ShuntConfig, boolean)}, for a caller that read the peer's marker already.
     *
     * @param version what {@link ClientMarker#version} says of the peer's address
     */
    static ServerHandshake begin(int fd, ShuntConfig config, boolean mayOffer, int version) throws IOException {
        HandshakeEvent event = ShuntEvents.handshakeStarted();
        try {
            ServerHandshake handshake = answerMarker(fd, config, mayOffer, version);
            handshake.event = event;
            return handshake;
        } catch (IOException | RuntimeException e) {
            ShuntMetrics.get().handshakeFailed();
            ShuntEvents.handshakeFailed(event, Role.SERVER, fd, e);
            throw e;
        }
    }

    /** @return the outcome for a client that did not mark itself: the kernel socket, nothing said */
    static HandshakeResult plainClient(ShuntConfig config) {
        return HandshakeResult.fallback(new FallbackException(
                config.enabled() ? FallbackReason.PEER_NOT_SHUNT : FallbackReason.DISABLED, ""));
    }

    private static ServerHandshake answerMarker(int fd, ShuntConfig config, boolean mayOffer, int version)
            throws IOException {
        if (version == 0) {
            return decided(fd, plainClient(config));
        }
        long deadline = ShuntHandshake.deadline(config);
        AccessWindow window;
        try {
            if (!config.enabled()) {
                throw new FallbackException(FallbackReason.DISABLED, "");
            }
            if (version != HandshakeMessage.VERSION) {
                throw new FallbackException(FallbackReason.VERSION_MISMATCH, "client marker names version " + version);
            }
            window = ProtectionPolicy.windowFor(config.mpk());
            MappingBudget.check(config);
            if (!mayOffer) {
                throw new FallbackException(FallbackReason.HANDSHAKE_LIMIT, "");
            }
        } catch (FallbackException e) {
            return decline(fd, deadline, e);
        }
        return offer(fd, config, window, deadline);
    }

    /** Sends the OFFER; on a fresh socket, whose buffer is empty, that does not wait on the client. */
    private static ServerHandshake offer(int fd, ShuntConfig config, AccessWindow window, long deadline)
            throws IOException {
        SharedRegion.Created created;
        try {
            created = SharedRegion.create(config.ringBytes(), window);
        } catch (NativeCallException e) {
            return decline(fd, deadline, new FallbackException(FallbackReason.LOCAL_FAILURE, e.getMessage()));
        }
        boolean sent = false;
        try {
            long regionBytes = SharedRegionLayout.regionBytes(MappedRegion.pageSize(), config.ringBytes());
            byte[] offer = new HandshakeMessage.Offer(regionBytes, config.ringBytes()).encode();
            HandshakeMessage.send(fd, offer, new int[] {created.memfd()}, deadline);
            sent = true;
            return new ServerHandshake(fd, config, window, deadline, null, created.region());
        } finally {
            Descriptors.close(created.memfd());
            if (!sent) {
                created.region().close();
            }
        }
    }

    private static ServerHandshake decline(int fd, long deadline, FallbackException e) throws IOException {
        HandshakeMessage.sendReason(fd, HandshakeMessage.DECLINE, e.reason(), deadline);
        return decided(fd, HandshakeResult.fallback(e));
    }

    /**
     * Whether {@link #complete()} would return without waiting on the client: the server decided alone, or the
     * client's whole answer is there, or bytes that cannot be one, or the end of stream. Reads nothing and never
     * blocks.
     *
     * @return true when {@link #complete()} will not wait
     * @throws IOException when the socket cannot be read
     */
    public boolean canCompleteNow() throws IOException {
        return decided != null || region == null || HandshakeMessage.isQueued(fd);
    }

    /**
     * The result: the fallback decided alone, or the client's answer to the offer, waited for at most until the
     * handshake's time limit ({@code shunt.handshakeTimeoutMillis} from {@link ShuntHandshake#beginAccept}). Call it
     * once; the offered memory is released unless the result is the fast path.
     *
     * @return the fast-path stream, or the fallback reason
     * @throws IOException when the answer is missing, late or malformed; the caller closes the socket
     */
    public HandshakeResult complete() throws IOException {
        if (decided != null) {
            return recorded(decided);
        }
        try {
            return recorded(receiveAnswer());
        } catch (IOException | RuntimeException e) {
            ShuntMetrics.get().handshakeFailed();
            ShuntEvents.handshakeFailed(event, Role.SERVER, fd, e);
            throw e;
        } finally {
            event = null;
            close();
        }
    }

    private HandshakeResult recorded(HandshakeResult result) {
        ShuntEvents.handshakeEnded(event, Role.SERVER, fd, result);
        event = null;
        return result;
    }

    private HandshakeResult receiveAnswer() throws IOException {
        if (region == null) {
            throw new IllegalStateException("handshake completed or released already");
        }
        HandshakeMessage reply = HandshakeMessage.receive(fd, deadline);
        try {
            if (reply.type == HandshakeMessage.REJECT) {
                FallbackReason why = reply.reason();
                return HandshakeResult.fallback(new FallbackException(FallbackReason.PEER_DECLINED, why.description()));
            }
            if (reply.type != HandshakeMessage.ACCEPT || reply.version != HandshakeMessage.VERSION
                    || reply.fdCount() != 0) {
                throw new ShuntHandshakeException("client answered the offer with message type " + reply.type
                        + " version " + reply.version + " carrying " + reply.fdCount()
                        + " descriptors; expected ACCEPT version " + HandshakeMessage.VERSION + " without descriptors");
            }
            ShuntStream stream = new ShuntStream(Role.SERVER, fd, region, window, config, null);
            region = null;
            return HandshakeResult.fastPath(stream);
        } finally {
            reply.closeFds();
        }
    }

    /**
     * Releases the offered memory when {@link #complete()} will not be called (the connection closed first).
     * Idempotent.
     */
    @Override
    public void close() {
        SharedRegion r = region;
        if (r != null) {
            region = null;
            r.close();
        }
    }
}
