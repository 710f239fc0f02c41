package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.EventFd;
import dev.shunt.nativeio.MappedRegion;
import dev.shunt.nativeio.MemFd;
import dev.shunt.nativeio.UnixSockets;
import dev.shunt.nativeio.testing.NoDescriptorLeaks;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Handshake outcomes against real sockets, with one side played by raw test code that sends exactly the
 * bytes and descriptors a broken, old or hostile peer would.
 */
@ExtendWith(NoDescriptorLeaks.class)
class HandshakeTest {
    private static final ShuntConfig ON = new ShuntConfig(true, MpkMode.OPTIONAL, 4096, 1_000, 2_000);
    private static final ShuntConfig QUICK = ON.withHandshakeTimeoutMillis(200);

    private ListeningSocket listening;
    private Path path;
    private int listenFd = -1;

    /** Loads classes and opens the JVM's lazily opened files (jars, random source) before counting descriptors. */
    @BeforeAll
    static void warmUp() throws Exception {
        ListeningSocket.warmUp(ON);
    }

    @BeforeEach
    void listen() throws Exception {
        listening = ListeningSocket.open(4);
        path = listening.path;
        listenFd = listening.fd;
    }

    @AfterEach
    void cleanUp() throws Exception {
        listening.close();
    }

    /** Connects a Shunt client in the background and returns the raw accepted socket. */
    private CompletableFuture<HandshakeResult> shuntClient(ShuntConfig config, int[] clientFd) throws Exception {
        clientFd[0] = UnixSockets.socket();
        ClientHandshake handshake = ShuntHandshake.prepareClient(clientFd[0], path, config);
        UnixSockets.connect(clientFd[0], path.toString());
        return CompletableFuture.supplyAsync(() -> {
            try {
                return handshake.complete();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static Throwable failure(CompletableFuture<?> future) throws Exception {
        try {
            future.get(10, TimeUnit.SECONDS);
            throw new AssertionError("expected the handshake to fail");
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause().getCause();
        }
    }

    private static void send(int fd, byte[] bytes, int... fds) throws Exception {
        assertEquals(bytes.length, UnixSockets.send(fd, bytes, 0, bytes.length, fds));
    }

    private static byte[] readN(int fd, int n) throws Exception {
        byte[] out = new byte[n];
        int off = 0;
        while (off < n) {
            int r = UnixSockets.read(fd, out, off, n - off);
            assertTrue(r > 0, "early end of stream");
            off += r;
        }
        return out;
    }

    @Test
    void clientWithoutAdvertisementStaysUnmarkedAndSendsNothing() throws Exception {
        int[] client = new int[1];
        HandshakeResult result = shuntClient(ON, client).get(5, TimeUnit.SECONDS);
        int accepted = UnixSockets.accept(listenFd);
        try {
            assertEquals(FallbackReason.PEER_NOT_SHUNT, result.fallbackReason());
            assertNull(UnixSockets.peerAbstractName(accepted));
            assertEquals(-1, UnixSockets.peek(accepted, new byte[1], 0, 1));
        } finally {
            Descriptors.close(accepted);
            Descriptors.close(client[0]);
        }
    }

    @Test
    void serverFirstPlainPeerBehindAnAdvertisementKeepsItsBytes() throws Exception {
        try (ServerAdvertisement ad = ServerAdvertisement.publish(path, ON)) {
            int[] client = new int[1];
            CompletableFuture<HandshakeResult> pending = shuntClient(ON, client);
            int accepted = UnixSockets.accept(listenFd);
            try {
                assertTrue(UnixSockets.peerAbstractName(accepted).startsWith("shunt-v" + HandshakeMessage.VERSION + "-"));
                send(accepted, "HELLO".getBytes(StandardCharsets.US_ASCII));
                HandshakeResult result = pending.get(5, TimeUnit.SECONDS);
                assertEquals(FallbackReason.STALE_ADVERTISEMENT, result.fallbackReason());
                assertEquals("HELLO", new String(readN(client[0], 5), StandardCharsets.US_ASCII));
            } finally {
                Descriptors.close(accepted);
                Descriptors.close(client[0]);
            }
        }
    }

    @Test
    void advertisementOfAReplacedSocketFileIsStale() throws Exception {
        try (ServerAdvertisement ad = ServerAdvertisement.publish(path, ON)) {
            listening.replace();
            listenFd = listening.fd;
            int[] client = new int[1];
            HandshakeResult result = shuntClient(ON, client).get(5, TimeUnit.SECONDS);
            assertEquals(FallbackReason.STALE_ADVERTISEMENT, result.fallbackReason());
            int accepted = UnixSockets.accept(listenFd);
            assertNull(UnixSockets.peerAbstractName(accepted));
            Descriptors.close(accepted);
            Descriptors.close(client[0]);
        }
    }

    @Test
    void silentServerMakesTheClientFailWithinTheBound() throws Exception {
        try (ServerAdvertisement ad = ServerAdvertisement.publish(path, QUICK)) {
            int[] client = new int[1];
            long failuresBefore = ShuntMetrics.snapshot().handshakeFailures();
            long start = System.nanoTime();
            CompletableFuture<HandshakeResult> pending = shuntClient(QUICK, client);
            int accepted = UnixSockets.accept(listenFd);
            Throwable thrown = failure(pending);
            assertTrue(thrown instanceof ShuntHandshakeException, String.valueOf(thrown));
            assertEquals(failuresBefore + 1, ShuntMetrics.snapshot().handshakeFailures());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
            Descriptors.close(accepted);
            Descriptors.close(client[0]);
        }
    }

    /** Plays a server that sends one crafted first message; returns the client's outcome and its reply. */
    private HandshakeResult offerAndReadReply(byte[] message, int[] fds, FallbackReason expectedReject)
            throws Exception {
        try (ServerAdvertisement ad = ServerAdvertisement.publish(path, ON)) {
            int[] client = new int[1];
            CompletableFuture<HandshakeResult> pending = shuntClient(ON, client);
            int accepted = UnixSockets.accept(listenFd);
            try {
                send(accepted, message, fds);
                for (int fd : fds) {
                    Descriptors.close(fd);
                }
                HandshakeResult result = pending.get(5, TimeUnit.SECONDS);
                assertFalse(result.isFastPath());
                HandshakeMessage reply = HandshakeMessage.receive(accepted, System.nanoTime() + 5_000_000_000L);
                assertEquals(HandshakeMessage.REJECT, reply.type);
                assertEquals(expectedReject, reply.reason());
                assertEquals(0, reply.fdCount());
                return result;
            } finally {
                Descriptors.close(accepted);
                Descriptors.close(client[0]);
            }
        }
    }

    private static int sealedMemfd(long size) throws Exception {
        int fd = MemFd.create("test");
        MemFd.truncate(fd, size);
        MemFd.addSeals(fd, SharedRegion.REQUIRED_SEALS);
        return fd;
    }

    private static long regionBytes(int capacity) {
        return SharedRegionLayout.regionBytes(MappedRegion.pageSize(), capacity);
    }

    @Test
    void unknownVersionIsRejectedAndBothFallBack() throws Exception {
        byte[] offer = new HandshakeMessage.Offer(regionBytes(4096), 4096).encode();
        ByteBuffer.wrap(offer).putShort(8, (short) 99);
        HandshakeResult r = offerAndReadReply(offer, new int[] {sealedMemfd(regionBytes(4096))},
                FallbackReason.VERSION_MISMATCH);
        assertEquals(FallbackReason.VERSION_MISMATCH, r.fallbackReason());
    }

    @Test
    void unsealedMemfdIsRejected() throws Exception {
        int memfd = MemFd.create("unsealed");
        MemFd.truncate(memfd, regionBytes(4096));
        HandshakeResult r = offerAndReadReply(new HandshakeMessage.Offer(regionBytes(4096), 4096).encode(),
                new int[] {memfd}, FallbackReason.INVALID_OFFER);
        assertTrue(r.detail().contains("seals"), r.detail());
    }

    @Test
    void memfdSmallerThanAnnouncedIsRejected() throws Exception {
        HandshakeResult r = offerAndReadReply(new HandshakeMessage.Offer(regionBytes(4096), 4096).encode(),
                new int[] {sealedMemfd(8192)}, FallbackReason.INVALID_OFFER);
        assertTrue(r.detail().contains("bytes"), r.detail());
    }

    @Test
    void absurdRingSizeIsRejected() throws Exception {
        offerAndReadReply(new HandshakeMessage.Offer(regionBytes(1 << 30), 1 << 30).encode(),
                new int[] {sealedMemfd(8192)}, FallbackReason.INVALID_OFFER);
    }

    @Test
    void missingDescriptorsAreRejected() throws Exception {
        offerAndReadReply(new HandshakeMessage.Offer(regionBytes(4096), 4096).encode(), new int[0],
                FallbackReason.INVALID_OFFER);
    }

    @Test
    void descriptorsOfTheWrongKindAreRejected() throws Exception {
        offerAndReadReply(new HandshakeMessage.Offer(regionBytes(4096), 4096).encode(), new int[] {EventFd.create()},
                FallbackReason.INVALID_OFFER);
    }

    @Test
    void extraDescriptorsAreRejected() throws Exception {
        offerAndReadReply(new HandshakeMessage.Offer(regionBytes(4096), 4096).encode(),
                new int[] {sealedMemfd(regionBytes(4096)), EventFd.create()}, FallbackReason.INVALID_OFFER);
    }

    @Test
    void truncatedOfferFailsTheHandshake() throws Exception {
        try (ServerAdvertisement ad = ServerAdvertisement.publish(path, QUICK)) {
            int[] client = new int[1];
            CompletableFuture<HandshakeResult> pending = shuntClient(QUICK, client);
            int accepted = UnixSockets.accept(listenFd);
            byte[] offer = new HandshakeMessage.Offer(regionBytes(4096), 4096).encode();
            UnixSockets.send(accepted, offer, 0, 20, new int[0]);
            UnixSockets.shutdownOutput(accepted);
            Throwable thrown = failure(pending);
            assertTrue(thrown instanceof ShuntHandshakeException, String.valueOf(thrown));
            Descriptors.close(accepted);
            Descriptors.close(client[0]);
        }
    }

    @Test
    void serverFailsCleanlyWhenAMarkedClientAnswersGarbage() throws Exception {
        int client = UnixSockets.socket();
        ClientMarker.bind(client);
        UnixSockets.connect(client, path.toString());
        int accepted = UnixSockets.accept(listenFd);
        CompletableFuture<HandshakeResult> server = CompletableFuture.supplyAsync(() -> {
            try {
                return ShuntHandshake.accept(accepted, QUICK);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        HandshakeMessage offer = HandshakeMessage.receive(client, System.nanoTime() + 5_000_000_000L);
        assertEquals(HandshakeMessage.OFFER, offer.type);
        assertEquals(1, offer.fdCount());
        offer.closeFds();
        send(client, "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        Throwable thrown = failure(server);
        assertTrue(thrown instanceof ShuntHandshakeException, String.valueOf(thrown));
        Descriptors.close(accepted);
        Descriptors.close(client);
    }

    @Test
    void serverTimesOutOnAMarkedClientThatNeverAnswers() throws Exception {
        int client = UnixSockets.socket();
        ClientMarker.bind(client);
        UnixSockets.connect(client, path.toString());
        int accepted = UnixSockets.accept(listenFd);
        long start = System.nanoTime();
        assertThrows(ShuntHandshakeException.class, () -> ShuntHandshake.accept(accepted, QUICK));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
        HandshakeMessage offer = HandshakeMessage.receive(client, System.nanoTime() + 5_000_000_000L);
        offer.closeFds();
        Descriptors.close(accepted);
        Descriptors.close(client);
    }

    @Test
    void disabledServerDeclinesAMarkedClientAndNeverAnswersAnUnmarkedOne() throws Exception {
        long declinedBefore = ShuntMetrics.snapshot().fallbacks(FallbackReason.PEER_DECLINED);
        try (ServerAdvertisement ad = ServerAdvertisement.publish(path, ON)) {
            int[] client = new int[1];
            CompletableFuture<HandshakeResult> pending = shuntClient(ON, client);
            int accepted = UnixSockets.accept(listenFd);
            HandshakeResult server = ShuntHandshake.accept(accepted, ON.withEnabled(false));
            assertEquals(FallbackReason.DISABLED, server.fallbackReason());
            HandshakeResult result = pending.get(5, TimeUnit.SECONDS);
            assertEquals(FallbackReason.PEER_DECLINED, result.fallbackReason());
            assertTrue(result.detail().contains(FallbackReason.DISABLED.description()), result.detail());
            Descriptors.close(accepted);
            Descriptors.close(client[0]);
        }
        assertEquals(declinedBefore + 1, ShuntMetrics.snapshot().fallbacks(FallbackReason.PEER_DECLINED));

        int[] client = new int[1];
        HandshakeResult plain = shuntClient(ON.withEnabled(false), client).get(5, TimeUnit.SECONDS);
        assertEquals(FallbackReason.DISABLED, plain.fallbackReason());
        int accepted = UnixSockets.accept(listenFd);
        assertEquals(FallbackReason.PEER_NOT_SHUNT, ShuntHandshake.accept(accepted, ON).fallbackReason());
        assertEquals(-1, UnixSockets.peek(client[0], new byte[1], 0, 1), "server must not speak to a plain client");
        Descriptors.close(accepted);
        Descriptors.close(client[0]);
    }

    @Test
    void acceptWithoutWaitingDeclinesAMarkedClientForTheHandshakeLimitAndNeverAnswersAnUnmarkedOne()
            throws Exception {
        long limited = ShuntMetrics.snapshot().fallbacks(FallbackReason.HANDSHAKE_LIMIT);
        try (ServerAdvertisement ad = ServerAdvertisement.publish(path, ON)) {
            int[] client = new int[1];
            CompletableFuture<HandshakeResult> pending = shuntClient(ON, client);
            int accepted = UnixSockets.accept(listenFd);
            assertTrue(ShuntHandshake.isMarkedClient(UnixSockets.peerAbstractName(accepted)));
            HandshakeResult server = ShuntHandshake.acceptWithoutWaiting(accepted, ON);
            assertEquals(FallbackReason.HANDSHAKE_LIMIT, server.fallbackReason());
            HandshakeResult result = pending.get(5, TimeUnit.SECONDS);
            assertEquals(FallbackReason.PEER_DECLINED, result.fallbackReason());
            assertTrue(result.detail().contains(FallbackReason.HANDSHAKE_LIMIT.description()), result.detail());
            Descriptors.close(accepted);
            Descriptors.close(client[0]);
        }
        assertEquals(limited + 1, ShuntMetrics.snapshot().fallbacks(FallbackReason.HANDSHAKE_LIMIT));

        int[] client = new int[1];
        shuntClient(ON.withEnabled(false), client).get(5, TimeUnit.SECONDS);
        int accepted = UnixSockets.accept(listenFd);
        assertFalse(ShuntHandshake.isMarkedClient(UnixSockets.peerAbstractName(accepted)));
        assertEquals(FallbackReason.PEER_NOT_SHUNT, ShuntHandshake.acceptWithoutWaiting(accepted, ON).fallbackReason());
        assertEquals(-1, UnixSockets.peek(client[0], new byte[1], 0, 1), "server must not speak to a plain client");
        Descriptors.close(accepted);
        Descriptors.close(client[0]);
    }

    @Test
    void advertisementSurvivesChmodOfTheSocketFile() throws Exception {
        try (ServerAdvertisement ad = ServerAdvertisement.publish(path, ON)) {
            Files.setPosixFilePermissions(path, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
            int[] client = new int[1];
            CompletableFuture<HandshakeResult> pending = shuntClient(ON, client);
            int accepted = UnixSockets.accept(listenFd);
            HandshakeResult server = ShuntHandshake.accept(accepted, ON);
            HandshakeResult result = pending.get(5, TimeUnit.SECONDS);
            assertTrue(server.isFastPath(), server.toString());
            assertTrue(result.isFastPath(), result.toString());
            result.stream().close();
            server.stream().close();
            Descriptors.close(accepted);
            Descriptors.close(client[0]);
        }
    }

    @Test
    void aClientCannotShrinkOrUnsealTheOfferedMemfd() throws Exception {
        int client = UnixSockets.socket();
        ClientMarker.bind(client);
        UnixSockets.connect(client, path.toString());
        int accepted = UnixSockets.accept(listenFd);
        CompletableFuture<HandshakeResult> server = CompletableFuture.supplyAsync(() -> {
            try {
                return ShuntHandshake.accept(accepted, QUICK);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        HandshakeMessage offer = HandshakeMessage.receive(client, System.nanoTime() + 5_000_000_000L);
        int memfd = offer.fds[0];
        dev.shunt.nativeio.NativeCallException shrink = assertThrows(dev.shunt.nativeio.NativeCallException.class,
                () -> MemFd.truncate(memfd, 4096));
        assertEquals(dev.shunt.nativeio.Errno.EPERM, shrink.errno());
        assertThrows(dev.shunt.nativeio.NativeCallException.class, () -> MemFd.truncate(memfd, 1L << 30));
        assertThrows(dev.shunt.nativeio.NativeCallException.class, () -> MemFd.addSeals(memfd, MemFd.SEAL_WRITE));
        offer.closeFds();
        HandshakeMessage.sendReason(client, HandshakeMessage.REJECT, FallbackReason.INVALID_OFFER,
                System.nanoTime() + 5_000_000_000L);
        assertEquals(FallbackReason.PEER_DECLINED, server.get(5, TimeUnit.SECONDS).fallbackReason());
        Descriptors.close(accepted);
        Descriptors.close(client);
    }

    /**
     * The server half in two steps: beginAccept sends the OFFER and returns without waiting on the client;
     * canCompleteNow says no while the client is silent or its answer incomplete, yes once all of it is there; then
     * complete reads it without waiting.
     */
    @Test
    void aServerHandshakeWaitsOnTheClientOnlyInComplete() throws Exception {
        int client = UnixSockets.socket();
        ClientMarker.bind(client);
        UnixSockets.connect(client, path.toString());
        int accepted = UnixSockets.accept(listenFd);
        try {
            ServerHandshake server = ShuntHandshake.beginAccept(accepted, ON);
            HandshakeMessage offer = HandshakeMessage.receive(client, System.nanoTime() + 5_000_000_000L);
            assertEquals(HandshakeMessage.OFFER, offer.type);
            offer.closeFds();
            assertFalse(server.canCompleteNow(), "the client has not answered");
            byte[] answer = HandshakeMessage.accept();
            send(client, java.util.Arrays.copyOf(answer, HandshakeMessage.HEADER_BYTES + 1));
            assertFalse(server.canCompleteNow(), "the answer is incomplete");
            send(client, java.util.Arrays.copyOfRange(answer, HandshakeMessage.HEADER_BYTES + 1, answer.length));
            assertTrue(server.canCompleteNow(), "the whole answer is there");
            HandshakeResult result = server.complete();
            assertTrue(result.isFastPath(), result.toString());
            result.stream().close();
        } finally {
            Descriptors.close(accepted);
            Descriptors.close(client);
        }
    }

    /** A server handshake given up before its client answered releases the offered memory; nothing is left open. */
    @Test
    void aServerHandshakeClosedBeforeTheAnswerReleasesTheOffer() throws Exception {
        int client = UnixSockets.socket();
        ClientMarker.bind(client);
        UnixSockets.connect(client, path.toString());
        int accepted = UnixSockets.accept(listenFd);
        long streams = ShuntMetrics.snapshot().fastPathConnections();
        ServerHandshake server = ShuntHandshake.beginAccept(accepted, ON);
        assertFalse(server.canCompleteNow());
        server.close();
        assertTrue(server.canCompleteNow(), "nothing left to wait for");
        assertThrows(IllegalStateException.class, server::complete);
        assertEquals(streams, ShuntMetrics.snapshot().fastPathConnections());
        HandshakeMessage.receive(client, System.nanoTime() + 5_000_000_000L).closeFds();
        Descriptors.close(accepted);
        Descriptors.close(client);
    }

    /** Bytes that cannot be an answer, and an end of stream, are there for complete at once (which then fails). */
    @Test
    void garbageOrAnEndOfStreamCompletesAServerHandshakeAtOnce() throws Exception {
        for (boolean garbage : new boolean[] {true, false}) {
            int client = UnixSockets.socket();
            ClientMarker.bind(client);
            UnixSockets.connect(client, path.toString());
            int accepted = UnixSockets.accept(listenFd);
            ServerHandshake server = ShuntHandshake.beginAccept(accepted, ON);
            if (garbage) {
                send(client, "GET".getBytes(StandardCharsets.US_ASCII));
            } else {
                UnixSockets.shutdownOutput(client);
            }
            assertTrue(server.canCompleteNow());
            assertThrows(ShuntHandshakeException.class, server::complete);
            Descriptors.close(accepted);
            Descriptors.close(client);
        }
    }

    /**
     * The client half the same way: canCompleteNow says no until the server's whole first message is there, and
     * its first call starts the time limit, so that a complete after the limit fails at once instead of waiting a
     * full limit again.
     */
    @Test
    void aClientHandshakeCanBeWaitedForOutsideComplete() throws Exception {
        try (ServerAdvertisement ad = ServerAdvertisement.publish(path, ON)) {
            ShuntConfig limit = ON.withHandshakeTimeoutMillis(500);
            int fd = UnixSockets.socket();
            ClientHandshake client = ShuntHandshake.prepareClient(fd, path, limit);
            UnixSockets.connect(fd, path.toString());
            int accepted = UnixSockets.accept(listenFd);
            try {
                assertFalse(client.canCompleteNow(), "the server has not spoken");
                Thread.sleep(limit.handshakeTimeoutMillis() + 100);
                long start = System.nanoTime();
                assertThrows(ShuntHandshakeException.class, client::complete);
                assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(limit.handshakeTimeoutMillis()),
                        "complete waited for a new time limit instead of the one canCompleteNow started");
            } finally {
                Descriptors.close(accepted);
                Descriptors.close(fd);
            }

            fd = UnixSockets.socket();
            client = ShuntHandshake.prepareClient(fd, path, ON);
            UnixSockets.connect(fd, path.toString());
            accepted = UnixSockets.accept(listenFd);
            try {
                assertFalse(client.canCompleteNow());
                ServerHandshake server = ShuntHandshake.beginAccept(accepted, ON);
                assertTrue(client.canCompleteNow(), "the offer is there");
                HandshakeResult result = client.complete();
                assertTrue(result.isFastPath(), result.toString());
                assertTrue(server.canCompleteNow(), "the client's answer is there");
                HandshakeResult serverResult = server.complete();
                assertTrue(serverResult.isFastPath(), serverResult.toString());
                result.stream().close();
                serverResult.stream().close();
            } finally {
                Descriptors.close(accepted);
                Descriptors.close(fd);
            }
        }
    }

    /**
     * Connects a marked client to the advertised server and lets the application close it before any offer came
     * ({@link ClientHandshake#abandoned()}); the server's side is accepted and closed unanswered.
     */
    private void abandonedConnection(int i) throws Exception {
        int fd = UnixSockets.socket();
        ClientHandshake handshake = ShuntHandshake.prepareClient(fd, path, ON);
        assertTrue(handshake.isAttempting(), "connection " + i + " attempts the fast path");
        UnixSockets.connect(fd, path.toString());
        handshake.abandoned();
        Descriptors.close(fd);
        Descriptors.close(UnixSockets.accept(listenFd));
    }

    private void assertNextConnectionSkipsTheHandshake() throws Exception {
        int fd = UnixSockets.socket();
        try {
            ClientHandshake next = ShuntHandshake.prepareClient(fd, path, ON);
            assertFalse(next.isAttempting(), "a streak of short connections: the next frequent one skips");
            assertEquals(FallbackReason.SHORT_CONNECTIONS, next.complete().fallbackReason());
        } finally {
            Descriptors.close(fd);
        }
    }

    @Test
    void clientsClosedBeforeTheOfferCameCountAsShortConnections() throws Exception {
        try (ServerAdvertisement ad = ServerAdvertisement.publish(path, ON)) {
            for (int i = 0; i < ShortConnections.STREAK; i++) {
                abandonedConnection(i);
            }
            assertNextConnectionSkipsTheHandshake();
        }
    }

    @Test
    void anAbandonedHandshakeThatStillReachesTheFastPathCountsOnce() throws Exception {
        try (ServerAdvertisement ad = ServerAdvertisement.publish(path, ON)) {
            for (int i = 0; i < ShortConnections.STREAK - 1; i++) {
                abandonedConnection(i);
            }
            int[] client = new int[1];
            client[0] = UnixSockets.socket();
            ClientHandshake handshake = ShuntHandshake.prepareClient(client[0], path, ON);
            UnixSockets.connect(client[0], path.toString());
            handshake.abandoned();
            int accepted = UnixSockets.accept(listenFd);
            CompletableFuture<HandshakeResult> server = CompletableFuture.supplyAsync(() -> {
                try {
                    return ShuntHandshake.accept(accepted, ON);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            HandshakeResult result = handshake.complete();
            assertTrue(result.isFastPath(), result.detail());
            // Long past the short limit: had the stream reported its close as well, the streak would end here.
            Thread.sleep(2 * ShortConnections.SHORT_MILLIS);
            result.close(() -> Descriptors.close(client[0]));
            server.get(10, TimeUnit.SECONDS).close(() -> Descriptors.close(accepted));
            assertNextConnectionSkipsTheHandshake();
        }
    }
}
