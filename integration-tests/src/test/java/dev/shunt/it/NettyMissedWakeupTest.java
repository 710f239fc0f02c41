package dev.shunt.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shunt.core.HostilePeerProcess;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntMetrics;
import dev.shunt.core.testing.ChildJvm;
import dev.shunt.core.testing.TestProtection;
import dev.shunt.netty.ShuntDomainSocketChannel;
import dev.shunt.netty.ShuntEventLoopGroup;
import dev.shunt.nativeio.FutexSet;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A peer process ({@link HostilePeerProcess} {@code silent}) waits until a Netty fast-path channel in this JVM is
 * asleep, then publishes data and the end of its stream into the ring without waking it: a lost wake-up, made on
 * purpose, with the channel's sleep announcement left as it is or taken as if a signal were on its way. The channel's
 * loop must take the data up by itself (the backstop of {@code ShuntIoHandler}) and count it in
 * {@code MissedWakeups}, whether it sleeps in epoll or on futex words. Without the backstop the loop slept on for
 * good.
 */
class NettyMissedWakeupTest {
    private static final ShuntConfig CONFIG = TestProtection.fastPath(65536, 50_000, 5_000);
    private static final int BYTES = 4000;

    @Test
    void aLoopAsleepInEpollTakesUpALostWakeUpItself() throws Exception {
        aLoopAsleepInEpollTakesUpItself("silent");
    }

    /** The peer takes the sleep's announcement, as before a signal, and sends none: a doorbell lost on its way. */
    @Test
    void aLoopAsleepInEpollTakesUpATakenButLostWakeUpItself() throws Exception {
        aLoopAsleepInEpollTakesUpItself("take");
    }

    private static void aLoopAsleepInEpollTakesUpItself(String how) throws Exception {
        // The listening channel shares the child's loop: the loop sleeps in epoll, woken by doorbells.
        EventLoopGroup group = new ShuntEventLoopGroup(1, new DefaultThreadFactory("silent-victim", true), CONFIG);
        try {
            publishWithoutWaking(group, group, how);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void aLoopAsleepOnFutexWordsTakesUpALostWakeUpItself() throws Exception {
        assumeTrue(FutexSet.supported(), "futex_waitv(2) is not available: event loops sleep in epoll only");
        // The child's loop holds nothing but the fast-path channel: it sleeps on its futex words, then in epoll.
        EventLoopGroup boss = new ShuntEventLoopGroup(1, new DefaultThreadFactory("silent-boss", true), CONFIG);
        EventLoopGroup child = new ShuntEventLoopGroup(1, new DefaultThreadFactory("silent-victim", true), CONFIG);
        try {
            publishWithoutWaking(boss, child, "silent");
        } finally {
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            child.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** @param how "silent" (the announcement left as it is) or "take" (taken, no signal) */
    private static void publishWithoutWaking(EventLoopGroup boss, EventLoopGroup child, String how)
            throws Exception {
        TempDirectory dir = TempDirectory.create("shunt-silent");
        Path path = dir.resolve("s");
        CompletableFuture<ChecksumSink> accepted = new CompletableFuture<>();
        Channel listener = ChecksumSink.serveOne(boss, child, CONFIG, path, accepted);
        long missedBefore = ShuntMetrics.snapshot().missedWakeups();
        try (ChildJvm peer = ChildJvm.start(List.of("shunt.enabled=true"), HostilePeerProcess.class, "silent",
                path.toString(), Integer.toString(BYTES), how)) {
            ChecksumSink sink = accepted.get(30, TimeUnit.SECONDS);
            String sent = peer.expect("SENT", 60, TimeUnit.SECONDS);
            long sentAt = System.nanoTime();
            assertTrue(((ShuntDomainSocketChannel) sink.channel).isFastPath(), "fast path");
            // The backstop takes it up within three seconds; a loop without one never wakes.
            assertEquals(sent, sink.received.get(30, TimeUnit.SECONDS));
            System.out.printf("A lost wake-up taken up after %d ms%n", (System.nanoTime() - sentAt) / 1_000_000);
            assertEquals(0, peer.waitFor(30, TimeUnit.SECONDS), peer.stderr());
            assertTrue(ShuntMetrics.snapshot().missedWakeups() > missedBefore, "counted in MissedWakeups");
        } finally {
            listener.close().sync();
            dir.close();
        }
    }
}
