package dev.shunt.jdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.ShuntMetrics;
import dev.shunt.core.testing.TestProtection;
import dev.shunt.nativeio.Descriptors;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JDK's own selector and Shunt's fast-path channels: a key is ready when the rings say so, and not before, level
 * by level as the JDK's channels are. Without spinning ({@code shunt.spinNanos=0}) every decision is visible at once.
 */
class SelectorReadinessTest {
    private static final int RING = 1 << 16;
    private static final ShuntSelectorProvider SHUNT = new ShuntSelectorProvider(TestProtection.fastPath(RING, 0, 5_000));

    @TempDir
    Path dir;

    @Test
    void readableWhenBytesWaitAndUntilTheyAreAllRead() throws Exception {
        try (ChannelPair pair = ChannelPair.open(SHUNT, dir.resolve("s")); Selector selector = SHUNT.openSelector()) {
            pair.accepted.configureBlocking(false);
            SelectionKey key = pair.accepted.register(selector, SelectionKey.OP_READ);
            assertEquals(0, selector.selectNow());
            assertEquals(0, selector.select(50));
            pair.client.write(ByteBuffer.wrap(new byte[100]));
            assertEquals(1, selector.select(5_000));
            assertTrue(key.isReadable());
            selector.selectedKeys().clear();
            ByteBuffer in = ByteBuffer.allocate(10);
            assertEquals(10, pair.accepted.read(in));
            assertEquals(1, selector.selectNow(), "bytes are left: still readable");
            selector.selectedKeys().clear();
            assertEquals(90, pair.accepted.read(ByteBuffer.allocate(1000)));
            assertEquals(0, pair.accepted.read(ByteBuffer.allocate(1000)));
            assertEquals(0, selector.selectNow());
            pair.client.write(ByteBuffer.wrap(new byte[1]));
            assertEquals(1, selector.select(5_000));
        }
    }

    /**
     * No sleep was announced, so the peer rang no doorbell: only the poll set's own signal tells the selector. A
     * client's poll set is made at registration; an accepted channel's exists from the start and is signalled when
     * the channel turns non-blocking.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void bytesThatArrivedBeforeRegistrationAreReadable(boolean clientRegisters) throws Exception {
        try (ChannelPair pair = ChannelPair.open(SHUNT, dir.resolve("s")); Selector selector = SHUNT.openSelector()) {
            SocketChannel writer = clientRegisters ? pair.accepted : pair.client;
            SocketChannel reader = clientRegisters ? pair.client : pair.accepted;
            writer.write(ByteBuffer.wrap(new byte[] {4}));
            reader.configureBlocking(false);
            reader.register(selector, SelectionKey.OP_READ);
            assertEquals(1, selector.select(2_000));
            assertEquals(1, reader.read(ByteBuffer.allocate(4)));
        }
    }

    @Test
    void writableWhileTheRingHasSpace() throws Exception {
        try (ChannelPair pair = ChannelPair.open(SHUNT, dir.resolve("s")); Selector selector = SHUNT.openSelector()) {
            pair.accepted.configureBlocking(false);
            SelectionKey key = pair.accepted.register(selector, SelectionKey.OP_WRITE);
            assertEquals(1, selector.selectNow());
            assertTrue(key.isWritable());
            selector.selectedKeys().clear();
            long written = 0;
            for (int n; (n = pair.accepted.write(ByteBuffer.allocate(10_000))) > 0; ) {
                written += n;
            }
            assertEquals(RING, written);
            assertEquals(0, selector.selectNow());
            assertEquals(0, selector.select(50));
            pair.client.read(ByteBuffer.allocate(1000));
            assertEquals(1, selector.select(5_000));
            assertTrue(key.isWritable());
        }
    }

    @Test
    void writesOnlyInterestSleepsThoughUnreadBytesWait() throws Exception {
        try (ChannelPair pair = ChannelPair.open(SHUNT, dir.resolve("s")); Selector selector = SHUNT.openSelector()) {
            pair.accepted.configureBlocking(false);
            SelectionKey key = pair.accepted.register(selector, SelectionKey.OP_WRITE);
            pair.client.write(ByteBuffer.allocate(100));
            while (pair.accepted.write(ByteBuffer.allocate(10_000)) > 0) {
                continue;
            }
            long parks = ShuntMetrics.snapshot().parks();
            assertEquals(0, selector.select(50), "unread input must not make a writes-only key ready");
            assertTrue(ShuntMetrics.snapshot().parks() <= parks + 2, "the key slept instead of spinning");
            key.interestOps(SelectionKey.OP_WRITE | SelectionKey.OP_READ);
            assertEquals(1, selector.select(5_000));
            assertEquals(SelectionKey.OP_READ, key.readyOps());
        }
    }

    @Test
    void theEndOfThePeersOutputAndItsCloseAreReadable() throws Exception {
        try (ChannelPair pair = ChannelPair.open(SHUNT, dir.resolve("s")); Selector selector = SHUNT.openSelector()) {
            pair.accepted.configureBlocking(false);
            pair.accepted.register(selector, SelectionKey.OP_READ);
            assertEquals(0, selector.selectNow());
            pair.client.write(ByteBuffer.wrap(new byte[] {7}));
            pair.client.shutdownOutput();
            assertEquals(1, selector.select(5_000));
            ByteBuffer in = ByteBuffer.allocate(10);
            assertEquals(1, pair.accepted.read(in));
            assertEquals(-1, pair.accepted.read(in));
            selector.selectedKeys().clear();
            assertEquals(1, selector.selectNow(), "the end stays readable, as on a kernel socket");
            pair.client.close();
            assertEquals(-1, pair.accepted.read(in));
        }
    }

    @Test
    void aPeerThatClosesWakesASleepingSelector() throws Exception {
        try (ChannelPair pair = ChannelPair.open(SHUNT, dir.resolve("s")); Selector selector = SHUNT.openSelector()) {
            pair.accepted.configureBlocking(false);
            pair.accepted.register(selector, SelectionKey.OP_READ);
            assertEquals(0, selector.selectNow());
            pair.client.close();
            assertEquals(1, selector.select(5_000));
            assertEquals(-1, pair.accepted.read(ByteBuffer.allocate(1)));
        }
    }

    @Test
    void oneThreadConnectsAndAcceptsOnOneSelector() throws Exception {
        Path socket = dir.resolve("s");
        try (Selector selector = SHUNT.openSelector();
                ServerSocketChannel listener = SHUNT.openServerSocketChannel(StandardProtocolFamily.UNIX);
                SocketChannel client = SHUNT.openSocketChannel(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
            client.configureBlocking(false);
            client.register(selector, SelectionKey.OP_WRITE);
            assertTrue(client.connect(UnixDomainSocketAddress.of(socket)), "connected at once, as the JDK's is");
            assertEquals(1, client.write(ByteBuffer.wrap(new byte[] {9})), "taken before the accept, as the JDK's is");
            SocketChannel accepted = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            boolean written = false;
            while (accepted == null || !written) {
                assertTrue(System.nanoTime() < deadline, "accept and the first write did not both complete");
                selector.select(1_000);
                for (SelectionKey key : selector.selectedKeys()) {
                    if (key.isAcceptable()) {
                        accepted = listener.accept();
                    } else if (key.isWritable()) {
                        written = client.write(ByteBuffer.wrap(new byte[] {8})) == 1;
                        key.interestOps(SelectionKey.OP_READ);
                    }
                }
                selector.selectedKeys().clear();
            }
            ChannelPair.awaitSettled((ShuntSocketChannel) client);
            assertTrue(((ShuntSocketChannel) client).isFastPath());
            ChannelPair.awaitSettled((ShuntSocketChannel) accepted);
            assertTrue(((ShuntSocketChannel) accepted).isFastPath());
            ByteBuffer first = ByteBuffer.allocate(2);
            while (first.hasRemaining()) {
                accepted.read(first);
            }
            assertArrayEquals(new byte[] {9, 8}, first.array());
            accepted.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            assertEquals(1, selector.select(5_000));
            ByteBuffer in = ByteBuffer.allocate(3);
            client.read(in);
            assertArrayEquals(new byte[] {1, 2, 3}, in.array());
            accepted.close();
        }
    }

    @Test
    void aRegisteredChannelLetsItsDescriptorsGoWhenTheSelectorDoes() throws Exception {
        try (ChannelPair pair = ChannelPair.open(SHUNT, dir.resolve("s")); Selector selector = SHUNT.openSelector()) {
            pair.accepted.configureBlocking(false);
            pair.accepted.register(selector, SelectionKey.OP_READ);
            selector.selectNow();
            int open = Descriptors.openCount();
            pair.accepted.close();
            assertEquals(open, Descriptors.openCount(), "socket and poll set wait for the selector");
            pair.client.configureBlocking(true);
            assertEquals(-1, pair.client.read(ByteBuffer.allocate(1)), "the peer sees the end at once");
            selector.selectNow();
            assertEquals(open - 2, Descriptors.openCount(), "socket and poll set closed after deregistration");
        }
    }
}
