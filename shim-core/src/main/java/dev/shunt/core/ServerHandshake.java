package dev.shunt.core;

import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.MappedRegion;
import dev.shunt.nativeio.NativeCallException;
import dev.shunt.nativeio.UnixSockets;
import java.io.IOException;

/**
 * A server's handshake on one accepted socket, the mirror of {@link ClientHandshake}: a client that did not mark
 * itself is left untouched; a marked one gets an OFFER (a fresh sealed region) or a DECLINE naming why not, and
 * answers ACCEPT or REJECT (protocol in {@code docs/protocol.md}).
 */
final class ServerHandshake {
    private final int fd;
    private final ShuntConfig config;
    private final boolean mayOffer;

    /**
     * @param mayOffer false when this side cannot afford to wait on the client: a marked client that would get
     *     an offer is declined with {@link FallbackReason#HANDSHAKE_LIMIT} instead
     */
    ServerHandshake(int fd, ShuntConfig config, boolean mayOffer) {
        this.fd = fd;
        this.config = config;
        this.mayOffer = mayOffer;
    }

    /**
     * Runs the handshake.
     *
     * @return the fast-path stream, or the fallback reason
     * @throws IOException when the handshake started but could not finish or fall back safely; the caller
     *     closes the socket
     */
    HandshakeResult complete() throws IOException {
        try {
            return answerMarker();
        } catch (IOException | RuntimeException e) {
            ShuntMetrics.get().handshakeFailed();
            throw e;
        }
    }

    private HandshakeResult answerMarker() throws IOException {
        int version = ClientMarker.version(UnixSockets.peerAbstractName(fd));
        if (version == 0) {
            return HandshakeResult.fallback(new FallbackException(
                    config.enabled() ? FallbackReason.PEER_NOT_SHUNT : FallbackReason.DISABLED, ""));
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
            return decline(deadline, e);
        }
        return offer(window, deadline);
    }

    private HandshakeResult offer(AccessWindow window, long deadline) throws IOException {
        SharedRegion.Created created;
        try {
            created = SharedRegion.create(config.ringBytes(), window);
        } catch (NativeCallException e) {
            return decline(deadline, new FallbackException(FallbackReason.LOCAL_FAILURE, e.getMessage()));
        }
        int memfd = created.memfd();
        HandshakeMessage reply = null;
        boolean done = false;
        try {
            long regionBytes = SharedRegionLayout.regionBytes(MappedRegion.pageSize(), config.ringBytes());
            byte[] offer = new HandshakeMessage.Offer(regionBytes, config.ringBytes()).encode();
            HandshakeMessage.send(fd, offer, new int[] {memfd}, deadline);
            Descriptors.close(memfd);
            memfd = -1;
            reply = HandshakeMessage.receive(fd, deadline);
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
            ShuntStream stream = new ShuntStream(Role.SERVER, fd, created.region(), window, config);
            done = true;
            return HandshakeResult.fastPath(stream);
        } finally {
            if (reply != null) {
                reply.closeFds();
            }
            if (!done) {
                created.region().close();
                Descriptors.close(memfd);
            }
        }
    }

    private HandshakeResult decline(long deadline, FallbackException e) throws IOException {
        HandshakeMessage.sendReason(fd, HandshakeMessage.DECLINE, e.reason(), deadline);
        return HandshakeResult.fallback(e);
    }
}
