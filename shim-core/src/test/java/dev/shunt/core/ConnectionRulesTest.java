package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.ConnectedPair;
import dev.shunt.core.testing.TestProtection;
import dev.shunt.core.testing.TestServer;
import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The per-connection rules every adapter follows, in core: the close order ({@link HandshakeResult#close}), a
 * client the application bound itself ({@link ShuntHandshake#prepareBoundClient}) and what {@code SO_SNDBUF} and
 * {@code SO_RCVBUF} report on the fast path ({@link ShuntStream#sendBufferSize()},
 * {@link ShuntStream#receiveBufferSize()}). The adapters' tests run them across two processes.
 */
class ConnectionRulesTest {
    private static final int RING_BYTES = 8192;
    private static final ShuntConfig ON = TestProtection.fastPath(RING_BYTES, 20_000, 10_000);

    @Test
    void aClientTheApplicationBoundStaysOnTheKernelSocketUnderItsOwnAddress() throws Exception {
        try (TestServer server = new TestServer(ON)) {
            long before = ShuntMetrics.snapshot().fallbacks(FallbackReason.CLIENT_BOUND);
            String name = "app-client-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
            int fd = UnixSockets.socket();
            try {
                UnixSockets.bindAbstract(fd, name);
                ClientHandshake handshake = ShuntHandshake.prepareBoundClient(fd, ON);
                assertFalse(handshake.isAttempting(), "a bound client never waits for an offer");
                UnixSockets.connect(fd, server.path.toString());
                HandshakeResult result = handshake.complete();
                assertEquals(FallbackReason.CLIENT_BOUND, result.fallbackReason());
                assertEquals(before + 1, ShuntMetrics.snapshot().fallbacks(FallbackReason.CLIENT_BOUND));
                TestServer.Accepted accepted = server.accept();
                try {
                    assertEquals(name, UnixSockets.localAbstractName(fd), "the application's address is kept");
                    assertEquals(name, UnixSockets.peerAbstractName(accepted.fd), "and is what the server sees");
                    assertEquals(FallbackReason.PEER_NOT_SHUNT, accepted.result.fallbackReason());
                    assertArrayEquals(bytes("ping"), carry(fd, accepted.fd, "ping"));
                    assertArrayEquals(bytes("pong"), carry(accepted.fd, fd, "pong"));
                } finally {
                    Descriptors.close(accepted.fd);
                }
            } finally {
                Descriptors.close(fd);
            }
        }
    }

    @Test
    void aBoundClientWithShuntDisabledReportsDisabled() throws Exception {
        ShuntConfig off = ON.withEnabled(false);
        long bound = ShuntMetrics.snapshot().fallbacks(FallbackReason.CLIENT_BOUND);
        long disabled = ShuntMetrics.snapshot().fallbacks(FallbackReason.DISABLED);
        int fd = UnixSockets.socket();
        try {
            HandshakeResult result = ShuntHandshake.prepareBoundClient(fd, off).complete();
            assertEquals(FallbackReason.DISABLED, result.fallbackReason());
            assertEquals(disabled + 1, ShuntMetrics.snapshot().fallbacks(FallbackReason.DISABLED));
            assertEquals(bound, ShuntMetrics.snapshot().fallbacks(FallbackReason.CLIENT_BOUND));
        } finally {
            Descriptors.close(fd);
        }
    }

    /**
     * An adapter whose library makes its socket lazily (junixsocket) passes the descriptor as a {@link
     * SocketDescriptor}: a connection that does not attempt the fast path must not ask for it, so that connect makes
     * the socket as it would without Shunt; one that attempts asks once, to mark it.
     */
    @Test
    void theClientAsksForItsSocketsDescriptorOnlyToMarkIt() throws Exception {
        int[] asked = new int[1];
        try (TestServer server = new TestServer(ON)) {
            int fd = UnixSockets.socket();
            try {
                SocketDescriptor counted = () -> {
                    asked[0]++;
                    return fd;
                };
                HandshakeResult declined = ShuntHandshake.prepareClient(counted, server.path, ON.withEnabled(false))
                        .complete();
                assertEquals(FallbackReason.DISABLED, declined.fallbackReason());
                HandshakeResult abstractAddress = ShuntHandshake.prepareClient(counted, null, ON).complete();
                assertEquals(FallbackReason.UNSUPPORTED_ADDRESS, abstractAddress.fallbackReason());
                assertEquals(0, asked[0], "declined before connect: the socket was not asked for");

                ClientHandshake attempt = ShuntHandshake.prepareClient(counted, server.path, ON);
                assertTrue(attempt.isAttempting());
                assertEquals(1, asked[0], "asked once, to mark it");
                CompletableFuture<TestServer.Accepted> accepting = CompletableFuture.supplyAsync(() -> {
                    try {
                        return server.accept();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                UnixSockets.connect(fd, server.path.toString());
                HandshakeResult client = attempt.complete();
                TestServer.Accepted accepted = accepting.get(30, TimeUnit.SECONDS);
                try {
                    assertTrue(client.isFastPath());
                    assertEquals(1, asked[0]);
                    byte[] ping = bytes("ping");
                    client.stream().write(ping, 0, ping.length);
                    byte[] got = new byte[ping.length];
                    int n = 0;
                    while (n < got.length) {
                        n += accepted.result.stream().read(got, n, got.length - n, TimeUnit.SECONDS.toNanos(10));
                    }
                    assertArrayEquals(ping, got);
                } finally {
                    accepted.result.close(() -> Descriptors.close(accepted.fd));
                    client.close(() -> { });
                }
            } finally {
                Descriptors.close(fd);
            }
        }
    }

    @Test
    void closeEndsTheStreamBeforeItClosesTheKernelSocketAndThePeerReadsEveryByte() throws Exception {
        try (TestServer server = new TestServer(ON)) {
            CompletableFuture<TestServer.Accepted> accepting = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.accept();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            int fd = UnixSockets.socket();
            ClientHandshake handshake = ShuntHandshake.prepareClient(fd, server.path, ON);
            UnixSockets.connect(fd, server.path.toString());
            HandshakeResult client = handshake.complete();
            TestServer.Accepted accepted = accepting.get(30, TimeUnit.SECONDS);
            try {
                assertTrue(client.isFastPath());
                byte[] last = bytes("the last bytes before close");
                client.stream().write(last, 0, last.length);
                List<String> order = new ArrayList<>();
                client.close(() -> {
                    order.add("kernel socket, stream closed=" + client.stream().isClosed());
                    Descriptors.close(fd);
                });
                assertEquals(List.of("kernel socket, stream closed=true"), order);
                ShuntStream peer = accepted.result.stream();
                byte[] got = new byte[last.length];
                int n = 0;
                while (n < got.length) {
                    n += peer.read(got, n, got.length - n, TimeUnit.SECONDS.toNanos(10));
                }
                assertArrayEquals(last, got);
                assertEquals(-1, peer.read(got, 0, 1, TimeUnit.SECONDS.toNanos(10)));
            } finally {
                accepted.result.close(() -> Descriptors.close(accepted.fd));
            }
        }
    }

    @Test
    void aKernelSocketThatFailsToCloseFailsCloseAfterTheStreamClosed() throws Exception {
        try (ConnectedPair pair = ConnectedPair.open(ON)) {
            IOException refused = new IOException("refused");
            assertSame(refused, assertThrows(IOException.class, () -> pair.client.close(() -> {
                throw refused;
            })));
            assertTrue(pair.client.stream().isClosed(), "the stream closes before the kernel socket is tried");
        }
    }

    @Test
    void onTheKernelPathCloseClosesOnlyTheKernelSocket() throws Exception {
        int fd = UnixSockets.socket();
        HandshakeResult fallback = ShuntHandshake.prepareBoundClient(fd, ON).complete();
        List<String> closed = new ArrayList<>();
        fallback.close(() -> {
            closed.add("kernel socket");
            Descriptors.close(fd);
        });
        assertEquals(List.of("kernel socket"), closed);
    }

    @Test
    void onTheFastPathTheBufferSizesAreTheRingCapacityOnBothSides() throws Exception {
        try (ConnectedPair pair = ConnectedPair.open(ON)) {
            for (HandshakeResult side : List.of(pair.client, pair.server)) {
                assertEquals(RING_BYTES, side.stream().sendBufferSize());
                assertEquals(RING_BYTES, side.stream().receiveBufferSize());
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Writes {@code message} on {@code from} and reads as many bytes on {@code to}: what arrived. */
    private static byte[] carry(int from, int to, String message) throws IOException {
        byte[] out = bytes(message);
        UnixSockets.writeFully(from, out, 0, out.length);
        byte[] in = new byte[out.length];
        int n = 0;
        while (n < in.length) {
            int r = UnixSockets.read(to, in, n, in.length - n);
            assertTrue(r > 0, "early end of stream");
            n += r;
        }
        return in;
    }
}
