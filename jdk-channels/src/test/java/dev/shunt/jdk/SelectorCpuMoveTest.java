package dev.shunt.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntMetrics;
import dev.shunt.core.testing.ChildJvm;
import dev.shunt.core.testing.TestProtection;
import dev.shunt.nativeio.Cpus;
import dev.shunt.nativeio.testing.ThreadCpus;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A selector's thread that shares its busy peer's CPU while another is free moves off it, as a blocking reader and a
 * Netty loop do (docs/architecture.md, "Wait policy", rule 2). The peer, an {@link EchoPeer} on a selector in another
 * JVM, is held on CPU 0 by {@code taskset}; this test's thread starts on CPU 0 too and ping-pongs with it through its
 * own selector. Sharing a CPU, neither may spin and each sleeps for every answer; the selector's channel must move its
 * thread to another CPU its mask allows, keep the mask, and count the move in {@code ThreadMoves}. Without the move
 * (checked by taking it out) the test fails after 10 s: the selector path had no way out of a shared CPU.
 */
class SelectorCpuMoveTest {
    private static final ShuntConfig CONFIG = TestProtection.fastPath(1 << 16, 50_000, 5_000);

    @TempDir
    Path dir;

    @Test
    void aSelectorThreadSharingItsBusyPeersCpuMovesToAFreeOne() throws Exception {
        String mask = ThreadCpus.assumeMovableBesideCpu0();
        Path socket = dir.resolve("echo");
        try (ChildJvm server = JdkChildren.start(List.of("taskset", "-c", "0"), true, List.of(), EchoPeer.class,
                socket.toString(), "selector")) {
            server.expect("READY", 30, TimeUnit.SECONDS);
            ShuntSelectorProvider provider = new ShuntSelectorProvider(CONFIG);
            try (Selector selector = provider.openSelector();
                    SocketChannel channel = provider.openSocketChannel(StandardProtocolFamily.UNIX)) {
                channel.connect(UnixDomainSocketAddress.of(socket));
                ChannelPair.awaitSettled((ShuntSocketChannel) channel);
                assertTrue(((ShuntSocketChannel) channel).isFastPath());
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ);
                ThreadCpus.assumeOnCpu0();
                long movesBefore = ShuntMetrics.get().getThreadMoves();
                ByteBuffer out = ByteBuffer.allocateDirect(32);
                ByteBuffer in = ByteBuffer.allocateDirect(32);
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                int roundTrips = 0;
                while (ShuntMetrics.get().getThreadMoves() == movesBefore && System.nanoTime() < end) {
                    out.clear().putInt(0, roundTrips);
                    while (out.hasRemaining()) {
                        channel.write(out);
                    }
                    in.clear();
                    while (in.hasRemaining()) {
                        assertTrue(System.nanoTime() < end + TimeUnit.SECONDS.toNanos(10), "no echo");
                        selector.select(1_000);
                        selector.selectedKeys().clear();
                        assertTrue(channel.read(in) >= 0, "end of stream");
                    }
                    assertEquals(roundTrips, in.getInt(0));
                    roundTrips++;
                }
                assertTrue(ShuntMetrics.get().getThreadMoves() > movesBefore, "no move in " + roundTrips
                        + " round trips");
                assertNotEquals(0, Cpus.current(), "back on the peer's CPU");
                assertEquals(mask, ThreadCpus.allowedList(), "the thread's CPU mask");
            }
        }
    }
}
