package dev.shunt.core;

import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.MappedRegion;
import dev.shunt.nativeio.NativeCallException;
import dev.shunt.nativeio.UnixSockets;
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
        try {
            return answer(fd, config);
        } catch (IOException | RuntimeException e) {
            ShuntMetrics.get().handshakeFailed();
            throw e;
        }
    }

    private static HandshakeResult answer(int fd, ShuntConfig config) throws IOException {
        int version = ClientMarker.version(UnixSockets.peerAbstractName(fd));
        if (version == 0) {
            return HandshakeResult.fallback(new FallbackException(
                    config.enabled() ? FallbackReason.PEER_NOT_SHUNT : FallbackReason.DISABLED, ""));
        }
        long deadline = deadline(config);
        AccessWindow window;
        try {
            if (!config.enabled()) {
                throw new FallbackException(FallbackReason.DISABLED, "");
            }
            if (version != HandshakeMessage.VERSION) {
                throw new FallbackException(FallbackReason.VERSION_MISMATCH, "client marker names version " + version);
            }
            window = ProtectionPolicy.windowFor(config.mpk());
        } catch (FallbackException e) {
            return decline(fd, e, deadline);
        }
        return offer(fd, config, window, deadline);
    }

    private static HandshakeResult offer(int fd, ShuntConfig config, AccessWindow window, long deadline)
            throws IOException {
        int[] memfd = {-1};
        SharedRegion region;
        try {
            region = SharedRegion.create(config.ringBytes(), window, memfd);
        } catch (NativeCallException e) {
            return decline(fd, new FallbackException(FallbackReason.LOCAL_FAILURE, e.getMessage()), deadline);
        }
        HandshakeMessage reply = null;
        boolean done = false;
        try {
            long regionBytes = SharedRegionLayout.regionBytes(MappedRegion.pageSize(), config.ringBytes());
            HandshakeMessage.send(fd, HandshakeMessage.offer(regionBytes, config.ringBytes()), new int[] {memfd[0]},
                    deadline);
            Descriptors.close(memfd[0]);
            memfd[0] = -1;
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
            ShuntStream stream = new ShuntStream(Role.SERVER, fd, region, window, config.spinNanos());
            done = true;
            return HandshakeResult.fastPath(stream);
        } finally {
            if (reply != null) {
                reply.closeFds();
            }
            if (!done) {
                region.close();
                Descriptors.close(memfd[0]);
            }
        }
    }

    private static HandshakeResult decline(int fd, FallbackException e, long deadline) throws IOException {
        HandshakeMessage.sendReason(fd, HandshakeMessage.DECLINE, e.reason(), deadline);
        return HandshakeResult.fallback(e);
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
