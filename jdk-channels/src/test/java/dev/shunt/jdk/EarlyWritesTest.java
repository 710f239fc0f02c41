package dev.shunt.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.FallbackReason;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.testing.ChildJvm;
import dev.shunt.core.testing.TestProtection;
import dev.shunt.nativeio.Descriptors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import sun.nio.ch.DefaultSelectorProvider;

/**
 * Writes made before the handshake settles, as a kernel socket takes them before the server accepts: the client here,
 * a {@link LateAcceptPeer} in another JVM that accepts only after the client's writes returned (and perhaps after it
 * closed). Each write returns what the JDK's would, and the server reads every byte in order, then the rest.
 */
class EarlyWritesTest {
    /** Every connection tries the fast path, however short: the tests are about each handshake's early writes. */
    private static final ShuntConfig CONFIG = TestProtection.fastPath(1 << 20, 50_000, 10_000)
            .withSkipShortConnections(false);
    private static final ShuntSelectorProvider SHUNT = new ShuntSelectorProvider(CONFIG);
    /** Sizes of the writes before the accept: together well below any socket's send buffer. */
    private static final int[] EARLY = {1, 100, 4_000, 20_000};
    private static final int LATER = 2 << 20;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void earlyWritesReachALateAcceptFirstAndInOrderOnTheFastPath(boolean blocking) throws Exception {
        Path socket = dir.resolve("s");
        try (ChildJvm server = JdkChildren.start(true, List.of(), LateAcceptPeer.class, socket.toString(), "read")) {
            server.expect("READY", 30, TimeUnit.SECONDS);
            try (SocketChannel channel = connect(SHUNT, socket)) {
                Sent sent = aroundTheAccept(channel, socket, blocking);
                assertEquals(sent.received(true), server.expect("RECEIVED", 30, TimeUnit.SECONDS));
                assertTrue(((ShuntSocketChannel) channel).isFastPath());
            }
        }
    }

    /**
     * A kernel socket delivers what was written before its output was shut down or it was closed: so does a channel
     * that did either during the handshake, which then sends the bytes and the end itself. Neither call waits for the
     * handshake (the server accepts only after it returned), and a close lets every descriptor go once it is done.
     */
    @ParameterizedTest
    @ValueSource(strings = {"shutdownOutput", "close"})
    void earlyBytesThenTheEndReachALateAccept(String end) throws Exception {
        Path socket = dir.resolve("s");
        try (ChildJvm server = JdkChildren.start(true, List.of(), LateAcceptPeer.class, socket.toString(), "read")) {
            Sent sent = new Sent();
            server.expect("READY", 30, TimeUnit.SECONDS);
            int descriptors = Descriptors.openCount();
            SocketChannel channel = connect(SHUNT, socket);
            writeEarly(channel, sent);
            if (end.equals("close")) {
                channel.close();
            } else {
                channel.shutdownOutput();
                assertThrows(ClosedChannelException.class, () -> channel.write(ByteBuffer.allocate(1)));
            }
            assertFalse(settled(channel), "the server accepted before it was let");
            letAccept(socket);
            assertEquals(sent.received(true), server.expect("RECEIVED", 30, TimeUnit.SECONDS));
            if (end.equals("shutdownOutput")) {
                assertEquals(-1, channel.read(ByteBuffer.allocate(1)), "the server closed after the end");
                assertTrue(((ShuntSocketChannel) channel).isFastPath());
                channel.close();
            }
            awaitDescriptors(descriptors);
        }
    }

    /** A plain JDK server: no handshake, every write is the kernel socket's, before and after the accept alike. */
    @Test
    void aPlainJdkServerGetsTheBytesWrittenBeforeItsAcceptByteForByte() throws Exception {
        Path socket = dir.resolve("s");
        try (ChildJvm server = JdkChildren.start(false, List.of(), LateAcceptPeer.class, socket.toString(), "read")) {
            server.expect("READY", 30, TimeUnit.SECONDS);
            try (SocketChannel channel = connect(SHUNT, socket)) {
                assertEquals(FallbackReason.PEER_NOT_SHUNT, ((ShuntSocketChannel) channel).fallbackReason());
                Sent sent = aroundTheAccept(channel, socket, false);
                assertEquals(sent.received(false), server.expect("RECEIVED", 30, TimeUnit.SECONDS));
            }
        }
    }

    /**
     * A Shunt server that declines the fast path (it may map no ring): the handshake ends on the kernel socket, and the
     * bytes written meanwhile go onto it before any later byte.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void earlyBytesGoOntoTheKernelSocketFirstWhenTheServerDeclines(boolean blocking) throws Exception {
        Path socket = dir.resolve("s");
        try (ChildJvm server = JdkChildren.start(true, List.of(ShuntConfig.MAX_MAPPINGS + "=1"),
                LateAcceptPeer.class, socket.toString(), "read")) {
            server.expect("READY", 30, TimeUnit.SECONDS);
            try (SocketChannel channel = connect(SHUNT, socket)) {
                Sent sent = aroundTheAccept(channel, socket, blocking);
                assertEquals(sent.received(false), server.expect("RECEIVED", 30, TimeUnit.SECONDS));
                assertEquals(FallbackReason.PEER_DECLINED, ((ShuntSocketChannel) channel).fallbackReason());
            }
        }
    }

    /**
     * A server that accepts and closes at once, its client's bytes unread: the client reads the end of the stream and
     * its write fails with "Broken pipe", as after any peer's close, not with a failed handshake. The JDK's channel
     * reads "Connection reset" here, as the server's socket held its bytes unread when it closed; Shunt's never left
     * this process (as on the fast path, docs/jdk-channels.md).
     */
    @Test
    void aServerThatClosesDuringTheHandshakeIsAnEndOfStreamAndABrokenPipe() throws Exception {
        assertEquals("read java.net.SocketException: Connection reset, write java.io.IOException: Broken pipe",
                closedByTheServer(DefaultSelectorProvider.get(), dir.resolve("jdk")));
        assertEquals("read -1, write java.io.IOException: Broken pipe", closedByTheServer(SHUNT, dir.resolve("shunt")));
    }

    /**
     * Writes early, lets the server accept, writes {@code LATER} more and shuts the output: what the server then reads.
     */
    private static Sent aroundTheAccept(SocketChannel channel, Path socket, boolean blocking) throws Exception {
        Sent sent = new Sent();
        channel.configureBlocking(blocking);
        writeEarly(channel, sent);
        letAccept(socket);
        writeAll(channel, sent, LATER);
        channel.shutdownOutput();
        return sent;
    }

    private static String closedByTheServer(SelectorProvider provider, Path socket) throws Exception {
        try (ChildJvm server = JdkChildren.start(provider == SHUNT, List.of(), LateAcceptPeer.class,
                socket.toString(), "close")) {
            Sent sent = new Sent();
            server.expect("READY", 30, TimeUnit.SECONDS);
            try (SocketChannel channel = connect(provider, socket)) {
                writeEarly(channel, sent);
                letAccept(socket);
                server.expect("CLOSED", 30, TimeUnit.SECONDS);
                String read;
                try {
                    read = "read " + channel.read(ByteBuffer.allocate(8));
                } catch (IOException e) {
                    read = "read " + e;
                }
                IOException write = assertThrows(IOException.class, () -> {
                    for (int i = 0; i < 100; i++) {
                        channel.write(ByteBuffer.allocate(1000));
                    }
                });
                return read + ", write " + write;
            }
        }
    }

    /**
     * Readiness while the handshake runs, as a kernel socket's before the accept: writable while the channel takes
     * bytes; once it took what the socket's send buffer would, not writable; writable again when the handshake has
     * settled and those bytes are in the ring. The server then reads every byte in order.
     */
    @Test
    void writableWhileTheHandshakeRunsUntilTheEarlyBytesFillTheSendBuffer() throws Exception {
        Path socket = dir.resolve("s");
        try (ServerSocketChannel listener = SHUNT.openServerSocketChannel(StandardProtocolFamily.UNIX);
                Selector selector = SHUNT.openSelector()) {
            Sent sent = new Sent();
            listener.bind(UnixDomainSocketAddress.of(socket));
            SocketChannel channel = connect(SHUNT, socket);
            channel.configureBlocking(false);
            SelectionKey key = channel.register(selector, SelectionKey.OP_WRITE);
            assertEquals(1, selector.selectNow());
            assertTrue(key.isWritable());
            selector.selectedKeys().clear();
            long taken = 0;
            for (long n; (n = sent.write(channel, 7_000)) > 0; ) {
                taken += n;
            }
            assertFalse(settled(channel));
            assertTrue(taken > 0 && taken <= channel.getOption(StandardSocketOptions.SO_SNDBUF), "took " + taken);
            assertEquals(0, selector.selectNow(), "a full buffer is not writable");
            try (SocketChannel accepted = listener.accept()) {
                assertEquals(1, selector.select(10_000), "writable once the early bytes are out");
                assertTrue(key.isWritable());
                assertTrue(((ShuntSocketChannel) channel).isFastPath());
                writeAll(channel, sent, 100_000);
                channel.shutdownOutput();
                assertEquals("RECEIVED " + sent.received(true), LateAcceptPeer.received(accepted));
            }
            channel.close();
        }
    }

    /**
     * Writes that race the handshake's end, the server accepting at once in another thread and greeting the client
     * (its first write, and its {@code shutdownOutput}, likely before its side settled): whichever writes a channel
     * took early and whichever went the route, each side reads every byte once, in order.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void writesRacingTheHandshakesEndKeepEveryByteInOrder(boolean blocking) throws Exception {
        Path socket = dir.resolve("s");
        try (ServerSocketChannel listener = SHUNT.openServerSocketChannel(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            Random sizes = new Random(blocking ? 1 : 2);
            for (int connection = 0; connection < 20; connection++) {
                Sent sent = new Sent();
                int seed = connection;
                CompletableFuture<List<String>> server = CompletableFuture.supplyAsync(() -> {
                    try (SocketChannel accepted = listener.accept()) {
                        Sent greeting = new Sent(seed);
                        writeAll(accepted, greeting, 3_000);
                        accepted.shutdownOutput();
                        return List.of(greeting.received(true), LateAcceptPeer.received(accepted));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                try (SocketChannel channel = connect(SHUNT, socket)) {
                    channel.configureBlocking(blocking);
                    for (int i = 0; i < 60; i++) {
                        writeAll(channel, sent, 1 + sizes.nextInt(5_000));
                    }
                    channel.shutdownOutput();
                    List<String> sentAndReceived = server.get(30, TimeUnit.SECONDS);
                    assertEquals("RECEIVED " + sent.received(true), sentAndReceived.get(1));
                    channel.configureBlocking(true);
                    assertEquals("RECEIVED " + sentAndReceived.get(0), LateAcceptPeer.received(channel));
                }
            }
        }
    }

    /** The early path keeps the JDK's rule: a blocking write of an interrupted thread closes the channel. */
    @Test
    void anInterruptedBlockingWriteDuringTheHandshakeClosesTheChannel() throws Exception {
        Path socket = dir.resolve("s");
        try (ServerSocketChannel listener = SHUNT.openServerSocketChannel(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            SocketChannel channel = connect(SHUNT, socket);
            Thread.currentThread().interrupt();
            try {
                assertThrows(ClosedByInterruptException.class, () -> channel.write(ByteBuffer.allocate(10)));
            } finally {
                Thread.interrupted();
            }
            assertFalse(channel.isOpen());
        }
    }

    /**
     * The server never accepts: the handshake of a channel closed with bytes pending ends at its timeout, and then
     * every descriptor goes.
     */
    @Test
    void aClosedChannelWithBytesPendingLetsGoWhenTheHandshakeTimesOut() throws Exception {
        ShuntSelectorProvider provider = new ShuntSelectorProvider(TestProtection.fastPath(1 << 20, 50_000, 300));
        Path socket = dir.resolve("s");
        try (ServerSocketChannel listener = provider.openServerSocketChannel(StandardProtocolFamily.UNIX)) {
            Sent sent = new Sent();
            listener.bind(UnixDomainSocketAddress.of(socket));
            int descriptors = Descriptors.openCount();
            SocketChannel channel = connect(provider, socket);
            writeEarly(channel, sent);
            channel.close();
            awaitDescriptors(descriptors);
        }
    }

    /** Connects in blocking mode; a blocking connect returns without waiting for the server's accept. */
    private static SocketChannel connect(SelectorProvider provider, Path socket) throws IOException {
        SocketChannel channel = provider.openSocketChannel(StandardProtocolFamily.UNIX);
        assertTrue(channel.connect(UnixDomainSocketAddress.of(socket)));
        return channel;
    }

    /** The {@link #EARLY} writes, each of which must return its whole size (the server has not accepted yet). */
    private static void writeEarly(SocketChannel channel, Sent sent) throws IOException {
        for (int size : EARLY) {
            assertEquals(size, sent.write(channel, size), "a write before the accept");
        }
    }

    /** Writes {@code total} more bytes, waiting on a selector in non-blocking mode. */
    private static void writeAll(SocketChannel channel, Sent sent, long total) throws IOException {
        Selector selector = null;
        try {
            for (long left = total; left > 0; ) {
                long n = sent.write(channel, (int) Math.min(left, 65_536));
                if (n == 0) {
                    if (selector == null) {
                        selector = channel.provider().openSelector();
                        channel.register(selector, SelectionKey.OP_WRITE);
                    }
                    selector.select(1_000);
                    selector.selectedKeys().clear();
                }
                left -= n;
            }
        } finally {
            if (selector != null) {
                selector.close();
            }
        }
    }

    private static boolean settled(SocketChannel channel) {
        ShuntSocketChannel shunt = (ShuntSocketChannel) channel;
        return shunt.isFastPath() || shunt.fallbackReason() != null;
    }

    private static void letAccept(Path socket) throws IOException {
        Files.createFile(LateAcceptPeer.acceptFile(socket));
    }

    /** Waits (bounded) until this process holds no more descriptors than {@code count}. */
    private static void awaitDescriptors(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (Descriptors.openCount() > count) {
            assertTrue(System.nanoTime() < deadline,
                    Descriptors.openCount() + " descriptors open, " + count + " before");
            Thread.sleep(5);
        }
    }

    /** Seeded bytes written so far and their CRC-32. */
    private static final class Sent {
        private final Random random;
        private final CRC32 crc = new CRC32();
        private long bytes;

        Sent() {
            this(14);
        }

        Sent(long seed) {
            random = new Random(seed);
        }

        /**
         * Writes {@code size} fresh bytes once; those it does not take count as never sent.
         *
         * @return what the write took
         */
        long write(SocketChannel channel, int size) throws IOException {
            byte[] chunk = new byte[size];
            random.nextBytes(chunk);
            ByteBuffer buffer = ByteBuffer.wrap(chunk);
            long n = channel.write(buffer);
            crc.update(chunk, 0, (int) n);
            bytes += n;
            return n;
        }

        String received(boolean fast) {
            return "bytes=" + bytes + " crc=" + crc.getValue() + " fast=" + fast;
        }
    }
}
