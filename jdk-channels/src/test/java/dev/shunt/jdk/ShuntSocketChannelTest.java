package dev.shunt.jdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.FallbackReason;
import dev.shunt.core.ServerHandshakes;
import dev.shunt.core.ShuntHandshake;
import dev.shunt.core.ShuntMetrics;
import dev.shunt.core.testing.TestProtection;
import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channels;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sun.nio.ch.DefaultSelectorProvider;

/** The channel's API behaves as the JDK's own Unix-domain channel does, on the fast path. */
class ShuntSocketChannelTest {
    private static final ShuntSelectorProvider SHUNT =
            new ShuntSelectorProvider(TestProtection.fastPath(1 << 16, 50_000, 5_000));
    private static final SelectorProvider JDK = DefaultSelectorProvider.get();

    @TempDir
    Path dir;

    /**
     * Any local client can mark itself and then never answer the offer: a listening channel lets at most
     * {@link ServerHandshakes#LIMIT} such handshakes wait at once, and serves the next Shunt client on the kernel
     * socket at once instead of starting one more waiting thread.
     */
    @Test
    void aListeningChannelLetsAtMostTheLimitOfHandshakesWaitAndServesTheNextClientOnTheKernelSocket() throws Exception {
        Path socket = dir.resolve("bound");
        long limited = ShuntMetrics.snapshot().fallbacks(FallbackReason.HANDSHAKE_LIMIT);
        List<Integer> silent = new ArrayList<>();
        List<SocketChannel> waiting = new ArrayList<>();
        try (ServerSocketChannel server = SHUNT.openServerSocketChannel(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            for (int i = 0; i < ServerHandshakes.LIMIT; i++) {
                int fd = UnixSockets.socket();
                silent.add(fd);
                ShuntHandshake.prepareClient(fd, socket, SHUNT.config()); // marks itself; never answers the offer
                UnixSockets.connect(fd, socket.toString());
                waiting.add(server.accept());
            }
            try (SocketChannel client = SHUNT.openSocketChannel(StandardProtocolFamily.UNIX)) {
                client.connect(UnixDomainSocketAddress.of(socket));
                try (SocketChannel served = server.accept()) {
                    client.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
                    ByteBuffer got = ByteBuffer.allocate(3);
                    while (got.hasRemaining()) {
                        assertTrue(served.read(got) >= 0);
                    }
                    assertArrayEquals(new byte[] {1, 2, 3}, got.array());
                    assertFalse(((ShuntSocketChannel) served).isFastPath(), "declined: the kernel socket");
                    assertFalse(((ShuntSocketChannel) client).isFastPath());
                }
            }
            assertEquals(limited + 1, ShuntMetrics.snapshot().fallbacks(FallbackReason.HANDSHAKE_LIMIT));
        } finally {
            for (SocketChannel channel : waiting) {
                channel.close();
            }
            for (int fd : silent) {
                Descriptors.close(fd);
            }
        }
    }

    /**
     * Each channel counts what its connection did on the rings: bytes each way, the parks of a reader that waited, the
     * signal that woke it; a channel on the kernel path counts nothing.
     */
    @Test
    void countersTellWhatTheConnectionDid() throws Exception {
        try (ChannelPair shunt = ChannelPair.open(SHUNT, dir.resolve("shunt"))) {
            ShuntSocketChannel client = (ShuntSocketChannel) shunt.client;
            ShuntSocketChannel accepted = (ShuntSocketChannel) shunt.accepted;
            client.write(ByteBuffer.allocate(1000));
            ByteBuffer got = ByteBuffer.allocate(1000);
            while (got.hasRemaining()) {
                accepted.read(got);
            }
            CompletableFuture<Integer> reply = CompletableFuture.supplyAsync(() -> {
                try {
                    return client.read(ByteBuffer.allocate(8));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            while (client.counters().parks() == 0) {
                Thread.sleep(1); // until the reader sleeps
            }
            accepted.write(ByteBuffer.allocate(1));
            assertEquals(1, reply.get(10, TimeUnit.SECONDS));
            dev.shunt.core.StreamCounters counted = client.counters();
            assertEquals(1000, counted.bytesSent());
            assertEquals(1, counted.bytesReceived());
            assertTrue(counted.parks() >= 1, counted.toString());
            assertEquals(1000, accepted.counters().bytesReceived());
            assertEquals(1, accepted.counters().bytesSent());
            assertTrue(accepted.counters().signals() >= 1, "woke the sleeping reader: " + accepted.counters());
            client.close();
            assertEquals(counted, client.counters(), "still readable after close");
        }
        Path plain = dir.resolve("plain");
        try (java.nio.channels.ServerSocketChannel listener = JDK.openServerSocketChannel(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(plain));
                ShuntSocketChannel client = (ShuntSocketChannel) SHUNT.openSocketChannel(StandardProtocolFamily.UNIX)) {
            client.connect(UnixDomainSocketAddress.of(plain));
            try (SocketChannel served = listener.accept()) {
                ChannelPair.awaitSettled(client);
                client.write(ByteBuffer.allocate(100));
                assertEquals(100, served.read(ByteBuffer.allocate(200)));
                assertEquals(dev.shunt.core.StreamCounters.NONE, client.counters(), client.toString());
            }
        }
    }

    @Test
    void addressesOptionsAndSocketAdaptorsAreTheJdks() throws Exception {
        try (ChannelPair shunt = ChannelPair.open(SHUNT, dir.resolve("shunt"));
                ChannelPair jdk = ChannelPair.open(JDK, dir.resolve("jdk"))) {
            assertTrue(((ShuntSocketChannel) shunt.client).isFastPath());
            assertTrue(((ShuntSocketChannel) shunt.accepted).isFastPath());
            assertEquals(jdk.client.getLocalAddress(), shunt.client.getLocalAddress());
            assertEquals(UnixDomainSocketAddress.of(dir.resolve("shunt")), shunt.client.getRemoteAddress());
            assertEquals(UnixDomainSocketAddress.of(dir.resolve("shunt")), shunt.accepted.getLocalAddress());
            assertEquals(jdk.accepted.getRemoteAddress(), shunt.accepted.getRemoteAddress());
            assertEquals(UnixDomainSocketAddress.of(dir.resolve("shunt")), shunt.listener.getLocalAddress());
            assertEquals(jdk.client.supportedOptions(), shunt.client.supportedOptions());
            assertEquals(jdk.listener.supportedOptions(), shunt.listener.supportedOptions());
            shunt.client.setOption(StandardSocketOptions.SO_SNDBUF, 32_768);
            jdk.client.setOption(StandardSocketOptions.SO_SNDBUF, 32_768);
            assertEquals(jdk.client.getOption(StandardSocketOptions.SO_SNDBUF),
                    shunt.client.getOption(StandardSocketOptions.SO_SNDBUF));
            UnixDomainPrincipal peer = shunt.accepted.getOption(ExtendedSocketOptions.SO_PEERCRED);
            assertEquals(jdk.accepted.getOption(ExtendedSocketOptions.SO_PEERCRED), peer);
            UnsupportedOperationException jdkSocket = assertThrows(UnsupportedOperationException.class,
                    jdk.client::socket);
            assertEquals(jdkSocket.getMessage(), assertThrows(UnsupportedOperationException.class,
                    shunt.client::socket).getMessage());
            assertEquals(jdkSocket.getMessage(), assertThrows(UnsupportedOperationException.class,
                    shunt.listener::socket).getMessage());
        }
    }

    /**
     * A peer that closes during the handshake is a close, not a failure (Netty's
     * {@code SocketRstTest.testNoRstIfSoLingerOnClose} over NIO domain sockets saw the server's side of this): the
     * server reads the end of stream and its write fails as the JDK's do.
     */
    @Test
    void aClientThatClosesBeforeTheAcceptIsAnEndOfStreamAsOnTheJdks() throws Exception {
        assertEquals(closedBeforeTheAccept(JDK, dir.resolve("jdk")),
                closedBeforeTheAccept(SHUNT, dir.resolve("shunt")));
    }

    /** @return what the server's read and then its write report on a connection its client closed at once */
    private static String closedBeforeTheAccept(SelectorProvider provider, Path socket) throws Exception {
        try (java.nio.channels.ServerSocketChannel listener =
                provider.openServerSocketChannel(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            try (SocketChannel client = provider.openSocketChannel(StandardProtocolFamily.UNIX)) {
                client.connect(UnixDomainSocketAddress.of(socket));
            }
            try (SocketChannel accepted = listener.accept()) {
                int read = accepted.read(ByteBuffer.allocate(8));
                IOException write = assertThrows(IOException.class, () -> accepted.write(ByteBuffer.allocate(8)));
                return "read " + read + ", write " + write.getClass().getName() + ": " + write.getMessage();
            }
        }
    }

    @Test
    void aBlockingConnectReturnsBeforeTheServerAccepts() throws Exception {
        Path socket = dir.resolve("s");
        try (java.nio.channels.ServerSocketChannel listener =
                        SHUNT.openServerSocketChannel(StandardProtocolFamily.UNIX);
                SocketChannel client = SHUNT.openSocketChannel(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            assertTrue(client.connect(UnixDomainSocketAddress.of(socket)));
            assertTrue(client.isConnected());
            try (SocketChannel accepted = listener.accept()) {
                client.write(ByteBuffer.wrap(new byte[] {5}));
                ByteBuffer in = ByteBuffer.allocate(1);
                assertEquals(1, accepted.read(in));
                // The early byte goes into the ring before the client's handshake publishes its route.
                ChannelPair.awaitSettled((ShuntSocketChannel) client);
                assertTrue(((ShuntSocketChannel) client).isFastPath());
                assertTrue(((ShuntSocketChannel) accepted).isFastPath());
            }
        }
    }

    @Test
    void misuseThrowsWhatTheJdkThrows() throws Exception {
        try (SocketChannel unconnected = SHUNT.openSocketChannel(StandardProtocolFamily.UNIX)) {
            assertThrows(NotYetConnectedException.class, () -> unconnected.read(ByteBuffer.allocate(1)));
            assertThrows(NotYetConnectedException.class, () -> unconnected.write(ByteBuffer.allocate(1)));
            assertThrows(NotYetConnectedException.class, unconnected::shutdownOutput);
            assertFalse(unconnected.isConnected());
        }
        try (ChannelPair pair = ChannelPair.open(SHUNT, dir.resolve("s"))) {
            assertThrows(IllegalArgumentException.class, () -> pair.client.read(ByteBuffer.allocate(1).asReadOnlyBuffer()));
            pair.client.close();
            assertThrows(ClosedChannelException.class, () -> pair.client.read(ByteBuffer.allocate(1)));
            assertThrows(ClosedChannelException.class, () -> pair.client.write(ByteBuffer.allocate(1)));
            assertThrows(ClosedChannelException.class, pair.client::getRemoteAddress);
            assertEquals(-1, pair.accepted.read(ByteBuffer.allocate(1)));
        }
    }

    @Test
    void halfCloseInEachDirection() throws Exception {
        try (ChannelPair pair = ChannelPair.open(SHUNT, dir.resolve("s"))) {
            pair.client.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            pair.client.shutdownOutput();
            assertThrows(ClosedChannelException.class, () -> pair.client.write(ByteBuffer.allocate(1)));
            ByteBuffer in = ByteBuffer.allocate(10);
            while (in.position() < 3) {
                pair.accepted.read(in);
            }
            assertEquals(-1, pair.accepted.read(in));
            pair.accepted.write(ByteBuffer.wrap(new byte[] {4}));
            assertEquals(1, pair.client.read(in.clear()));
            pair.accepted.shutdownInput();
            assertEquals(-1, pair.accepted.read(in.clear()));
            IOException broken = assertThrows(IOException.class, () -> {
                for (int i = 0; i < 100; i++) {
                    pair.accepted.write(ByteBuffer.allocate(1));
                    pair.client.write(ByteBuffer.allocate(1));
                }
            });
            assertTrue(broken instanceof ClosedChannelException || broken.getMessage().contains("Broken pipe"),
                    broken.toString());
        }
    }

    @Test
    void anInterruptedBlockedReadClosesTheChannel() throws Exception {
        try (ChannelPair pair = ChannelPair.open(SHUNT, dir.resolve("s"))) {
            CountDownLatch reading = new CountDownLatch(1);
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                reading.countDown();
                try {
                    pair.client.read(ByteBuffer.allocate(10));
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
            reader.start();
            reading.await();
            Thread.sleep(100);
            reader.interrupt();
            assertTrue(outcome.get(10, TimeUnit.SECONDS) instanceof ClosedByInterruptException);
            assertFalse(pair.client.isOpen());
            assertEquals(-1, pair.accepted.read(ByteBuffer.allocate(1)));
        }
    }

    @Test
    void closingFromAnotherThreadEndsABlockedRead() throws Exception {
        try (ChannelPair pair = ChannelPair.open(SHUNT, dir.resolve("s"))) {
            CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
                try {
                    pair.accepted.read(ByteBuffer.allocateDirect(10));
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            Thread.sleep(100);
            pair.accepted.close();
            assertTrue(outcome.get(10, TimeUnit.SECONDS) instanceof AsynchronousCloseException);
        }
    }

    /**
     * {@code FileChannel.transferTo} into a blocking channel: JDK 17 sends straight to a selectable target's
     * descriptor (sendfile); on the fast path every byte must take the ring all the same.
     */
    @Test
    void fileTransfersIntoABlockingChannelTakeTheRings() throws Exception {
        Path file = dir.resolve("file");
        byte[] data = new byte[300_000];
        new Random(5).nextBytes(data);
        java.nio.file.Files.write(file, data);
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (ChannelPair pair = ChannelPair.open(SHUNT, dir.resolve("s"));
                java.nio.channels.FileChannel source = java.nio.channels.FileChannel.open(file)) {
            java.util.concurrent.Future<byte[]> received =
                    threads.submit(() -> TwoJvmChannelTest.readFully(pair.accepted, data.length));
            java.util.concurrent.Future<?> sending = threads.submit(() -> {
                for (long sent = 0; sent < data.length; ) {
                    sent += source.transferTo(sent, data.length - sent, pair.client);
                }
                return null;
            });
            assertArrayEquals(data, received.get(10, TimeUnit.SECONDS));
            sending.get(10, TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void streamsScattersAndGathersUseTheRings() throws Exception {
        try (ChannelPair pair = ChannelPair.open(SHUNT, dir.resolve("s"))) {
            byte[] data = new byte[500_000];
            new Random(3).nextBytes(data);
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try (OutputStream out = Channels.newOutputStream(pair.client)) {
                    out.write(data, 0, 1000);
                    pair.client.write(new ByteBuffer[] {ByteBuffer.wrap(data, 1000, 9000),
                            ByteBuffer.allocateDirect(90_000).put(data, 10_000, 90_000).flip(),
                            ByteBuffer.wrap(data, 100_000, 400_000)});
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            ByteBuffer[] parts = {ByteBuffer.allocate(7), ByteBuffer.allocateDirect(100_000),
                    ByteBuffer.allocate(400_000)};
            long total = 0;
            while (total < 500_000) {
                total += pair.accepted.read(parts);
            }
            byte[] received = new byte[500_000];
            int at = 0;
            for (ByteBuffer part : parts) {
                part.flip();
                int n = part.remaining();
                part.get(received, at, n);
                at += n;
            }
            assertArrayEquals(data, received);
            writing.get(10, TimeUnit.SECONDS);
            try (InputStream in = Channels.newInputStream(pair.accepted)) {
                assertEquals(-1, in.read());
            }
        }
    }
}
