package dev.shunt.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shunt.core.MetricsSnapshot;
import dev.shunt.core.ShuntMetrics;
import dev.shunt.core.testing.ChildJvm;
import dev.shunt.nativeio.FutexSet;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A Netty client here, a Netty server in a second JVM, both on the Shunt channels with Shunt enabled. */
class TwoJvmTest {
    private static final long GIB = 1L << 30;
    private static final int CHUNK = 64 * 1024;

    @Test
    void echoAcrossJvmsOnTheFastPath() throws Exception {
        DomainSocketAddress address = TestSupport.newAddress();
        try (ChildJvm peer = ChildJvm.start(List.of("shunt.enabled=true"), NettyPeer.class, address.path(), "echo")) {
            peer.expect("READY", 30, TimeUnit.SECONDS);
            byte[] sent = new byte[8 * 1024 * 1024];
            new Random(42).nextBytes(sent);
            ByteBuf received = Unpooled.buffer(sent.length);
            CompletableFuture<Void> all = new CompletableFuture<>();
            MetricsSnapshot before = ShuntMetrics.snapshot();
            ShuntDomainSocketChannel client = (ShuntDomainSocketChannel) ShuntPermutations.shuntClient(TestSupport.FAST)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ByteBuf buf = (ByteBuf) msg;
                            received.writeBytes(buf);
                            buf.release();
                            if (received.readableBytes() == sent.length) {
                                all.complete(null);
                            }
                        }
                    }).connect(address).sync().channel();
            try {
                assertTrue(client.isFastPath(), "fast path between the two JVMs");
                Random sizes = new Random(7);
                for (int at = 0; at < sent.length; ) {
                    int n = Math.min(sent.length - at, 1 + sizes.nextInt(4096));
                    client.write(Unpooled.wrappedBuffer(sent, at, n));
                    at += n;
                }
                client.flush();
                all.get(60, TimeUnit.SECONDS);
                byte[] back = new byte[sent.length];
                received.readBytes(back);
                assertArrayEquals(sent, back);
            } finally {
                received.release();
                client.close().sync();
            }
            assertEquals("fast=true", peer.expect("DONE", 30, TimeUnit.SECONDS));
            MetricsSnapshot after = ShuntMetrics.snapshot();
            assertTrue(after.fastPathBytesOut() - before.fastPathBytesOut() >= sent.length);
            assertTrue(after.fastPathBytesIn() - before.fastPathBytesIn() >= sent.length);
            assertEquals(0, peer.waitFor(30, TimeUnit.SECONDS));
        }
    }

    /**
     * Auto-read off on both sides from the start (on the accepted channel in the other JVM as a child option, on this
     * client as an option): the handshake never waits for the application to read. Each side finishes when the
     * peer's message arrives, not when its time limit ends: with a one-minute {@code shunt.handshakeTimeoutMillis} on
     * both sides, the connect completes within a 10 s connect timeout, both sides are on the fast path, and bytes
     * flow once the pipelines ask for them.
     */
    @Test
    void theHandshakeNeverWaitsOnTheApplicationsReadInterest() throws Exception {
        DomainSocketAddress address = TestSupport.newAddress();
        int limit = 60_000;
        try (ChildJvm peer = ChildJvm.start(List.of("shunt.enabled=true", "shunt.handshakeTimeoutMillis=" + limit),
                NettyPeer.class, address.path(), "echo-manual")) {
            peer.expect("READY", 30, TimeUnit.SECONDS);
            CompletableFuture<Byte> echoed = new CompletableFuture<>();
            ShuntDomainSocketChannel client = (ShuntDomainSocketChannel) ShuntPermutations
                    .shuntClient(TestSupport.FAST.withHandshakeTimeoutMillis(limit))
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ByteBuf buf = (ByteBuf) msg;
                            echoed.complete(buf.readByte());
                            buf.release();
                        }
                    }).connect(address).sync().channel();
            try {
                assertTrue(client.isFastPath(), "fast path although neither side reads");
                client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {42}));
                client.read();
                assertEquals((byte) 42, echoed.get(limit / 2, TimeUnit.MILLISECONDS));
            } finally {
                client.close().sync();
            }
            assertEquals("fast=true", peer.expect("DONE", 30, TimeUnit.SECONDS));
            assertEquals(0, peer.waitFor(30, TimeUnit.SECONDS));
        }
    }

    /**
     * The peer JVM is killed (SIGKILL) while a fast-path connection is open: the channel learns it from the
     * kernel socket's hang-up, delivers what arrived, then closes, and nothing blocks. On a loop of its own the idle
     * channel's loop sleeps on its futex words, where it hears no hang-up: it checks its sockets every 100 ms.
     */
    @ParameterizedTest(name = "client loop of its own: {0}")
    @ValueSource(booleans = {false, true})
    void peerDeathClosesTheFastPathChannel(boolean loopOfItsOwn) throws Exception {
        DomainSocketAddress address = TestSupport.newAddress();
        EventLoopGroup loop = loopOfItsOwn ? new ShuntEventLoopGroup(1) : TestSupport.SHUNT_GROUP;
        try (ChildJvm peer = ChildJvm.start(List.of("shunt.enabled=true"), NettyPeer.class, address.path(), "echo")) {
            peer.expect("READY", 30, TimeUnit.SECONDS);
            CompletableFuture<Void> echoed = new CompletableFuture<>();
            ShuntDomainSocketChannel client = (ShuntDomainSocketChannel) new Bootstrap().group(loop)
                    .channelFactory(() -> new ShuntDomainSocketChannel(TestSupport.FAST))
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ((ByteBuf) msg).release();
                            echoed.complete(null);
                        }
                    }).connect(address).sync().channel();
            assertTrue(client.isFastPath());
            client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));
            echoed.get(30, TimeUnit.SECONDS);
            long killed = System.nanoTime();
            peer.kill();
            assertTrue(client.closeFuture().await(30, TimeUnit.SECONDS), "the channel closed after the peer died");
            System.out.printf("Peer killed: the channel closed %.1f ms later (client loop of its own: %s)%n",
                    (System.nanoTime() - killed) / 1e6, loopOfItsOwn);
        } finally {
            if (loopOfItsOwn) {
                loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            }
        }
    }

    @Test
    void gibibyteWithChecksumsAcrossJvms() throws Exception {
        DomainSocketAddress address = TestSupport.newAddress();
        try (ChildJvm peer = ChildJvm.start(List.of("shunt.enabled=true"), NettyPeer.class, address.path(), "crc")) {
            peer.expect("READY", 30, TimeUnit.SECONDS);
            byte[] pattern = new byte[1 << 20];
            new Random(1).nextBytes(pattern);
            ByteBuf source = Unpooled.directBuffer(pattern.length).writeBytes(pattern);
            CRC32 crc = new CRC32();
            for (long left = GIB; left > 0; left -= pattern.length) {
                crc.update(pattern);
            }
            CompletableFuture<ByteBuf> answer = new CompletableFuture<>();
            long start = System.nanoTime();
            ShuntDomainSocketChannel client = (ShuntDomainSocketChannel) ShuntPermutations.shuntClient(TestSupport.FAST)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .handler(new GibibyteWriter(source, answer)).connect(address).sync().channel();
            try {
                assertTrue(client.isFastPath(), "fast path between the two JVMs");
                ByteBuf reply = answer.get(300, TimeUnit.SECONDS);
                long seconds = System.nanoTime() - start;
                assertEquals(GIB, reply.readLong(), "bytes the peer received");
                assertEquals(crc.getValue(), reply.readLong(), "CRC-32 of what the peer received");
                reply.release();
                System.out.printf("1 GiB to another JVM over the Shunt channels: %.2f s, %.0f MiB/s%n",
                        seconds / 1e9, 1024 / (seconds / 1e9));
            } finally {
                source.release();
                client.close().sync();
            }
            assertEquals("fast=true", peer.expect("DONE", 30, TimeUnit.SECONDS));
            assertEquals(0, peer.waitFor(30, TimeUnit.SECONDS));
        }
    }

    /** Writes 1 GiB of the repeated pattern while the channel is writable, then shuts the output down. */
    private static final class GibibyteWriter extends ChannelInboundHandlerAdapter {
        private final ByteBuf source;
        private final CompletableFuture<ByteBuf> answer;
        private final ByteBuf reply = Unpooled.buffer(16);
        private long left = GIB;

        GibibyteWriter(ByteBuf source, CompletableFuture<ByteBuf> answer) {
            this.source = source;
            this.answer = answer;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            writeMore(ctx);
            ctx.fireChannelActive();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            writeMore(ctx);
            ctx.fireChannelWritabilityChanged();
        }

        private void writeMore(ChannelHandlerContext ctx) {
            while (left > 0 && ctx.channel().isWritable()) {
                int offset = (int) ((GIB - left) % source.readableBytes());
                left -= CHUNK;
                if (left > 0) {
                    ctx.write(source.retainedSlice(offset, CHUNK));
                } else {
                    // Shutting the output down drops what is not written yet: wait for the last chunk.
                    ctx.write(source.retainedSlice(offset, CHUNK))
                            .addListener(f -> ((ShuntDomainSocketChannel) ctx.channel()).shutdownOutput());
                }
            }
            ctx.flush();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            reply.writeBytes(buf);
            buf.release();
            if (reply.readableBytes() == 16) {
                answer.complete(reply);
            }
        }
    }

    /**
     * Round trips with a pause before each, so that both event loops sleep between messages, every reply checked. A
     * loop that holds nothing but fast-path channels (this client's, and the peer's child loop when its listening
     * channel has a boss loop of its own) sleeps on the rings' futex words: its peer wakes it with {@code FUTEX_WAKE},
     * and sends no doorbell byte. A loop that also holds the listening channel sleeps in epoll, and the client rings
     * its doorbell; so does a client loop made without futex sleeps, as on a kernel without {@code futex_waitv}, whose
     * doorbell the server rings. The metrics of both JVMs tell which way each side was woken.
     */
    @ParameterizedTest(name = "listening channel on a loop of its own: {0}, client loop may sleep on futexes: {1}")
    @CsvSource({"true, true", "false, true", "true, false"})
    void sleepingLoopsAreWokenOnTheirFutexWordsWhenTheyHoldRingChannelsAlone(boolean bossOfItsOwn, boolean clientFutex)
            throws Exception {
        assumeTrue(FutexSet.supported(), "futex_waitv(2) is not available: event loops sleep in epoll only");
        int trips = 100;
        DomainSocketAddress address = TestSupport.newAddress();
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1,
                ShuntIoHandler.newFactory(TestSupport.FAST, EpollIoHandler.newFactory(), clientFutex));
        try (ChildJvm peer = ChildJvm.start(List.of("shunt.enabled=true"), NettyPeer.class, address.path(),
                bossOfItsOwn ? "echo-boss" : "echo")) {
            peer.expect("READY", 30, TimeUnit.SECONDS);
            LinkedBlockingQueue<ByteBuf> replies = new LinkedBlockingQueue<>();
            ShuntDomainSocketChannel client = (ShuntDomainSocketChannel) new Bootstrap().group(loop)
                    .channelFactory(() -> new ShuntDomainSocketChannel(TestSupport.FAST))
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            replies.add((ByteBuf) msg);
                        }
                    }).connect(address).sync().channel();
            MetricsSnapshot before;
            MetricsSnapshot after;
            try {
                assertTrue(client.isFastPath(), "fast path between the two JVMs");
                Random random = new Random(11);
                before = ShuntMetrics.snapshot();
                for (int i = 0; i < trips; i++) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // the pause that puts both loops to sleep
                    byte[] message = new byte[1 + random.nextInt(64)];
                    random.nextBytes(message);
                    client.writeAndFlush(Unpooled.wrappedBuffer(message));
                    ByteBuf echoed = Unpooled.buffer(message.length);
                    while (echoed.readableBytes() < message.length) {
                        ByteBuf part = replies.poll(30, TimeUnit.SECONDS);
                        assertNotNull(part, "reply " + i);
                        echoed.writeBytes(part);
                        part.release();
                    }
                    assertArrayEquals(message, ByteBufUtil.getBytes(echoed), "reply " + i);
                    echoed.release();
                }
                after = ShuntMetrics.snapshot();
            } finally {
                client.close().sync();
            }
            long clientDoorbells = after.doorbellBytes() - before.doorbellBytes();
            long clientSignals = after.doorbellSignals() - before.doorbellSignals();
            String peerSignals = bossOfItsOwn ? peer.expect("SIGNALS", 30, TimeUnit.SECONDS) : "";
            assertEquals("fast=true", peer.expect("DONE", 30, TimeUnit.SECONDS));
            assertEquals(0, peer.waitFor(30, TimeUnit.SECONDS));
            System.out.printf("Sleeping round trips (boss loop of its own: %s, client futex sleeps: %s): client sent %d"
                    + " signals, %d of them doorbell bytes; server: %s%n", bossOfItsOwn, clientFutex, clientSignals,
                    clientDoorbells, peerSignals);
            // The client signals the sleeping server once per request: futex wakes, or doorbells to a loop in epoll.
            // A few doorbells can go out while a loop moves its sleeps between epoll and its futex words.
            assertTrue(clientSignals >= trips / 2, "client signals " + clientSignals);
            assertTrue(bossOfItsOwn ? clientDoorbells <= trips / 10 : clientDoorbells >= trips / 2,
                    "client doorbell bytes " + clientDoorbells);
            if (bossOfItsOwn) {
                // The server signals the client, which does not spin right after waking the server.
                String[] counts = peerSignals.replace("doorbell=", "").replace("all=", "").split(" ");
                long serverDoorbells = Long.parseLong(counts[0]);
                assertTrue(Long.parseLong(counts[1]) >= trips / 2, "server signals " + peerSignals);
                assertTrue(clientFutex ? serverDoorbells <= trips / 10 : serverDoorbells >= trips / 2,
                        "server doorbell bytes " + peerSignals);
            }
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
