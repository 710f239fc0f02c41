package dev.shunt.jdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.FallbackReason;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.testing.ChildJvm;
import dev.shunt.core.testing.TestProtection;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
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
 * Shunt's JDK channels between two JVMs: this one as the client, an {@link EchoPeer} in the other, each with Shunt's
 * provider or the JDK's own.
 */
class TwoJvmChannelTest {
    private static final ShuntConfig CONFIG = TestProtection.fastPath(1 << 20, 50_000, 5_000);

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"blocking", "selector"})
    void blockingClientEchoesOnTheFastPath(String serverMode) throws Exception {
        Path socket = dir.resolve("echo");
        try (ChildJvm server = JdkChildren.start(true, List.of(), EchoPeer.class, socket.toString(), serverMode)) {
            server.expect("READY", 30, TimeUnit.SECONDS);
            try (SocketChannel channel = connect(new ShuntSelectorProvider(CONFIG), socket)) {
                assertTrue(((ShuntSocketChannel) channel).isFastPath());
                Random random = new Random(1);
                for (int size : new int[] {1, 32, 1000, 65_536, 300_000}) {
                    byte[] message = new byte[size];
                    random.nextBytes(message);
                    channel.write(ByteBuffer.wrap(message));
                    assertArrayEquals(message, readFully(channel, size));
                }
                channel.shutdownOutput();
                assertEquals(-1, channel.read(ByteBuffer.allocate(1)));
                assertEquals("fast=true opened=1", server.expect("DONE", 10, TimeUnit.SECONDS));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"blocking", "selector"})
    void selectorClientPingPongsOnTheFastPath(String serverMode) throws Exception {
        Path socket = dir.resolve("echo");
        try (ChildJvm server = JdkChildren.start(true, List.of(), EchoPeer.class, socket.toString(), serverMode)) {
            server.expect("READY", 30, TimeUnit.SECONDS);
            ShuntSelectorProvider provider = new ShuntSelectorProvider(CONFIG);
            try (Selector selector = provider.openSelector();
                    SocketChannel channel = provider.openSocketChannel(StandardProtocolFamily.UNIX)) {
                channel.configureBlocking(false);
                SelectionKey key = channel.register(selector, SelectionKey.OP_CONNECT);
                channel.connect(UnixDomainSocketAddress.of(socket));
                while (!channel.finishConnect()) {
                    assertEquals(1, selector.select(10_000), "connect did not complete");
                    selector.selectedKeys().clear();
                }
                ChannelPair.awaitSettled((ShuntSocketChannel) channel);
                assertTrue(((ShuntSocketChannel) channel).isFastPath());
                key.interestOps(SelectionKey.OP_READ);
                ByteBuffer in = ByteBuffer.allocateDirect(256);
                for (int i = 0; i < 2000; i++) {
                    ByteBuffer out = ByteBuffer.allocate(32).putInt(0, i);
                    while (out.hasRemaining()) {
                        channel.write(out);
                    }
                    in.clear().limit(32);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (in.hasRemaining()) {
                        assertTrue(System.nanoTime() < deadline, "echo " + i + " did not arrive");
                        selector.select(1_000);
                        selector.selectedKeys().clear();
                        assertTrue(channel.read(in) >= 0);
                    }
                    assertEquals(i, in.getInt(0));
                }
                channel.shutdownOutput();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                int n;
                while ((n = channel.read(in.clear())) == 0) {
                    assertTrue(System.nanoTime() < deadline, "no end of stream");
                    selector.select(1_000);
                    selector.selectedKeys().clear();
                }
                assertEquals(-1, n);
            }
            assertEquals("fast=true opened=1", server.expect("DONE", 10, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"blocking", "selector"})
    void largeTransfersKeepEveryByte(String serverMode) throws Exception {
        Path socket = dir.resolve("echo");
        try (ChildJvm server = JdkChildren.start(true, List.of(), EchoPeer.class, socket.toString(), serverMode)) {
            server.expect("READY", 30, TimeUnit.SECONDS);
            try (SocketChannel channel = connect(new ShuntSelectorProvider(CONFIG), socket)) {
                assertTrue(((ShuntSocketChannel) channel).isFastPath());
                long[] crcs = echoThrough(channel, 64L << 20);
                assertEquals(crcs[0], crcs[1]);
            }
            assertEquals("fast=true opened=1", server.expect("DONE", 10, TimeUnit.SECONDS));
        }
    }

    @Test
    void halfCloseDeliversEveryByteThenTheEnd() throws Exception {
        Path socket = dir.resolve("echo");
        try (ChildJvm server = JdkChildren.start(true, List.of(), EchoPeer.class, socket.toString(), "selector")) {
            server.expect("READY", 30, TimeUnit.SECONDS);
            try (SocketChannel channel = connect(new ShuntSelectorProvider(CONFIG), socket)) {
                byte[] message = new byte[3 << 20];
                new Random(2).nextBytes(message);
                CompletableFuture<byte[]> echoed = CompletableFuture.supplyAsync(() -> readToEnd(channel));
                channel.write(ByteBuffer.wrap(message));
                channel.shutdownOutput();
                assertThrows(ClosedChannelException.class, () -> channel.write(ByteBuffer.allocate(1)));
                assertArrayEquals(message, echoed.get(30, TimeUnit.SECONDS));
                assertTrue(((ShuntSocketChannel) channel).isFastPath());
            }
            assertEquals("fast=true opened=1", server.expect("DONE", 10, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"blocking", "selector"})
    void aPlainJdkServerGetsExactlyTheApplicationsBytes(String serverMode) throws Exception {
        Path socket = dir.resolve("echo");
        try (ChildJvm server = JdkChildren.start(false, List.of(), EchoPeer.class, socket.toString(), serverMode)) {
            assertEquals("sun.nio.ch.ServerSocketChannelImpl", server.expect("READY", 30, TimeUnit.SECONDS));
            try (SocketChannel channel = connect(new ShuntSelectorProvider(CONFIG), socket)) {
                assertFalse(((ShuntSocketChannel) channel).isFastPath());
                assertEquals(FallbackReason.PEER_NOT_SHUNT, ((ShuntSocketChannel) channel).fallbackReason());
                long[] crcs = echoThrough(channel, 8L << 20);
                assertEquals(crcs[0], crcs[1]);
            }
            assertEquals("fast=false opened=0", server.expect("DONE", 10, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"blocking", "selector"})
    void aPlainJdkClientGetsExactlyTheApplicationsBytes(String serverMode) throws Exception {
        Path socket = dir.resolve("echo");
        try (ChildJvm server = JdkChildren.start(true, List.of(), EchoPeer.class, socket.toString(), serverMode)) {
            server.expect("READY", 30, TimeUnit.SECONDS);
            try (SocketChannel channel = connect(DefaultSelectorProvider.get(), socket)) {
                assertEquals("sun.nio.ch.SocketChannelImpl", channel.getClass().getName());
                long[] crcs = echoThrough(channel, 8L << 20);
                assertEquals(crcs[0], crcs[1]);
            }
            assertEquals("fast=false opened=0", server.expect("DONE", 10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aServerWithShuntDisabledKeepsTheClientOnTheKernel() throws Exception {
        Path socket = dir.resolve("echo");
        try (ChildJvm server = JdkChildren.start(true, List.of(ShuntConfig.ENABLED + "=false"), EchoPeer.class,
                socket.toString(), "selector")) {
            server.expect("READY", 30, TimeUnit.SECONDS);
            try (SocketChannel channel = connect(new ShuntSelectorProvider(CONFIG), socket)) {
                assertEquals(FallbackReason.PEER_NOT_SHUNT, ((ShuntSocketChannel) channel).fallbackReason());
                long[] crcs = echoThrough(channel, 1L << 20);
                assertEquals(crcs[0], crcs[1]);
            }
            assertEquals("fast=false opened=0", server.expect("DONE", 10, TimeUnit.SECONDS));
        }
    }

    /** Connects in blocking mode; a Shunt channel is returned once its handshake has settled. */
    static SocketChannel connect(SelectorProvider provider, Path socket) throws IOException, InterruptedException {
        SocketChannel channel = provider.openSocketChannel(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        if (channel instanceof ShuntSocketChannel) {
            ChannelPair.awaitSettled((ShuntSocketChannel) channel);
        }
        return channel;
    }

    static byte[] readFully(SocketChannel channel, int size) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(size);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new IOException("end of stream after " + buffer.position() + " of " + size);
            }
        }
        return buffer.array();
    }

    static byte[] readToEnd(SocketChannel channel) {
        try {
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(70_000);
            while (channel.read(buffer.clear()) >= 0) {
                all.write(buffer.array(), 0, buffer.position());
            }
            return all.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Writes {@code total} pseudo-random bytes (in direct buffers of varying sizes) from another thread, then shuts
     * the output down, and reads the echo to its end.
     *
     * @return the CRC-32 of what was sent and of what came back
     */
    static long[] echoThrough(SocketChannel channel, long total) throws Exception {
        CompletableFuture<Long> sent = CompletableFuture.supplyAsync(() -> {
            try {
                CRC32 crc = new CRC32();
                Random random = new Random(total);
                ByteBuffer buffer = ByteBuffer.allocateDirect(200_000);
                byte[] chunk = new byte[200_000];
                for (long left = total; left > 0; ) {
                    int n = (int) Math.min(left, 1 + random.nextInt(chunk.length));
                    random.nextBytes(chunk);
                    crc.update(chunk, 0, n);
                    buffer.clear().put(chunk, 0, n).flip();
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                    left -= n;
                }
                channel.shutdownOutput();
                return crc.getValue();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        CRC32 crc = new CRC32();
        long received = 0;
        ByteBuffer buffer = ByteBuffer.allocate(100_000);
        for (int n; (n = channel.read(buffer.clear())) >= 0; ) {
            crc.update(buffer.array(), 0, n);
            received += n;
        }
        assertEquals(total, received);
        return new long[] {sent.get(60, TimeUnit.SECONDS), crc.getValue()};
    }
}
