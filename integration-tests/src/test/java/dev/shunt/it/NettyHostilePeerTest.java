package dev.shunt.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.HostilePeerProcess;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntMetrics;
import dev.shunt.core.ShuntProtocolException;
import dev.shunt.core.testing.ChildJvm;
import dev.shunt.core.testing.TestProtection;
import dev.shunt.nativeio.Descriptors;
import dev.shunt.netty.ShuntDomainSocketChannel;
import dev.shunt.netty.ShuntEventLoopGroup;
import dev.shunt.netty.ShuntServerDomainSocketChannel;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * The scribbling hostile peer ({@link HostilePeerProcess} {@code scribble}, with a doorbell ring after each
 * scribble) against a Netty server in this JVM: one {@link ShuntEventLoopGroup} event loop serves a
 * {@link ShuntServerDomainSocketChannel} whose connections echo. The hostile process, another JVM, writes 10,000
 * random values into the shared control words over many connections, while an honest Netty client in this JVM
 * (a loop of its own) keeps echoing seeded data through the same server loop on the fast path. Each attacked
 * channel must close, the honest bytes must all come back intact (CRC32) and keep coming during the attack, the
 * server loop must keep running tasks, its thread must stay well below one core, and this JVM's descriptors and
 * ring mappings must return to where they were.
 */
class NettyHostilePeerTest {
    private static final ShuntConfig CONFIG = TestProtection.fastPath(4096, 1_000, 2_000);
    private static final int ITERATIONS = 10_000;
    private static final int PER_CONNECTION = 50;
    /** Liveness bound: an attacked channel closes, a task runs, the honest echo moves within it. */
    private static final long BOUND_SECONDS = 10;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** The server side of one connection: echoes, remembers the first failure (read, write or flush) and closes. */
    private static final class Echo extends ChannelInboundHandlerAdapter {
        final CompletableFuture<Throwable> failure = new CompletableFuture<>();
        volatile ShuntDomainSocketChannel channel;

        @Override
        public void channelRegistered(ChannelHandlerContext ctx) {
            channel = (ShuntDomainSocketChannel) ctx.channel();
            ctx.fireChannelRegistered();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg).addListener(f -> {
                if (!f.isSuccess()) {
                    failure.complete(f.cause());
                }
            });
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failure.complete(cause);
            ctx.close();
        }
    }

    /**
     * The honest client: sends a chunk of seeded random bytes (1 byte to two rings long), waits until all of it
     * came back, checks that the CRC32 of everything received equals that of everything sent, and sends the next
     * chunk a millisecond later, until asked to stop.
     */
    private static final class HonestClient extends ChannelInboundHandlerAdapter {
        final CompletableFuture<Long> stopped = new CompletableFuture<>();
        private final Random random = new Random(12);
        private final CRC32 sentCrc = new CRC32();
        private final CRC32 receivedCrc = new CRC32();
        private long sent;
        private volatile long received;
        private volatile boolean stop;

        long received() {
            return received;
        }

        void stop() {
            stop = true;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            send(ctx);
        }

        private void send(ChannelHandlerContext ctx) {
            if (stop) {
                stopped.complete(sent);
                return;
            }
            byte[] chunk = new byte[1 + random.nextInt(2 * CONFIG.ringBytes())];
            random.nextBytes(chunk);
            sentCrc.update(chunk);
            sent += chunk.length;
            ctx.writeAndFlush(Unpooled.wrappedBuffer(chunk)).addListener(f -> {
                if (!f.isSuccess()) {
                    stopped.completeExceptionally(f.cause());
                }
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            receivedCrc.update(buf.nioBuffer());
            received += buf.readableBytes();
            buf.release();
            if (received > sent) {
                stopped.completeExceptionally(new AssertionError("echoed " + received + " of " + sent + " sent"));
            } else if (received == sent) {
                if (receivedCrc.getValue() != sentCrc.getValue()) {
                    stopped.completeExceptionally(new AssertionError("CRC32 of the echo differs after " + sent));
                    return;
                }
                ctx.executor().schedule(() -> send(ctx), 1, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            stopped.completeExceptionally(cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            stopped.completeExceptionally(new AssertionError("the honest connection closed"));
        }
    }

    @Test
    void scribblesCloseOnlyTheAttackedChannelsOfTheLoop() throws Exception {
        TempDirectory dir = TempDirectory.create("shunt-nhostile");
        Path path = dir.resolve("s");
        EventLoopGroup serverGroup = new ShuntEventLoopGroup(1, new DefaultThreadFactory("hostile-victim", true),
                CONFIG);
        EventLoopGroup clientGroup = new ShuntEventLoopGroup(1, new DefaultThreadFactory("honest-client", true),
                CONFIG);
        BlockingQueue<Echo> accepted = new LinkedBlockingQueue<>();
        Channel listener = new ServerBootstrap().group(serverGroup)
                .channelFactory(() -> new ShuntServerDomainSocketChannel(CONFIG))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        Echo echo = new Echo();
                        ch.pipeline().addLast(echo);
                        accepted.add(echo);
                    }
                }).bind(new DomainSocketAddress(path.toString())).sync().channel();
        HonestClient honest = new HonestClient();
        try {
            ShuntDomainSocketChannel client = (ShuntDomainSocketChannel) new Bootstrap().group(clientGroup)
                    .channelFactory(() -> new ShuntDomainSocketChannel(CONFIG)).handler(honest)
                    .connect(new DomainSocketAddress(path.toString())).sync().channel();
            Echo honestServed = accepted.poll(30, TimeUnit.SECONDS);
            assertNotNull(honestServed, "the honest connection was not accepted");
            assertTrue(client.isFastPath(), "honest client: " + client.fallbackReason());
            awaitEcho(honest, 1 << 20); // warm-up: counted state below is steady
            long loopThread = listener.eventLoop().submit(() -> Thread.currentThread().getId())
                    .get(BOUND_SECONDS, TimeUnit.SECONDS);
            long errorsBefore = ShuntMetrics.snapshot().protocolErrors();
            int fdsBefore = Descriptors.openCount();
            long ringsBefore = PeerKillRoundsTest.ringMappings();
            long cpuBefore = OS.getProcessCpuTime();
            long loopBefore = THREADS.getThreadCpuTime(loopThread);
            long wallBefore = System.nanoTime();
            long echoedBefore = honest.received();
            int connections = 0;
            int protocolErrors = 0;
            int victimFirst = 0;
            int windows = 0;
            try (ChildJvm hostile = ChildJvm.start(List.of("shunt.enabled=true"), HostilePeerProcess.class,
                    "scribble", path.toString(), Integer.toString(ITERATIONS), Integer.toString(PER_CONNECTION),
                    "2028", "doorbell")) {
                Echo victim = null;
                long windowStart = System.nanoTime();
                long windowEchoed = honest.received();
                while (true) {
                    String line = hostile.expect("", 60, TimeUnit.SECONDS);
                    if (line.startsWith("END")) {
                        assertEquals("END connections=" + connections + " scribbles=" + ITERATIONS + " victimClosed="
                                + victimFirst, line);
                        break;
                    }
                    if (line.startsWith("CONNECT ")) {
                        victim = accepted.poll(BOUND_SECONDS, TimeUnit.SECONDS);
                        assertNotNull(victim, line + ": not accepted");
                        continue;
                    }
                    assertTrue(line.startsWith("DONE " + connections + " "), line);
                    // The victim closed first, or the hostile peer hung up: either way the channel closes.
                    assertTrue(victim.channel.closeFuture().await(BOUND_SECONDS, TimeUnit.SECONDS),
                            line + ": the attacked channel stayed open");
                    assertTrue(victim.channel.isFastPath(), line + ": " + victim.channel.fallbackReason());
                    Throwable failure = victim.failure.getNow(null);
                    if (isProtocolError(failure)) {
                        protocolErrors++;
                    }
                    if (line.endsWith("victimClosed=true")) {
                        victimFirst++;
                    }
                    connections++;
                    // The loop runs tasks; the honest echo moved within each window of the bound.
                    listener.eventLoop().submit(() -> { }).get(BOUND_SECONDS, TimeUnit.SECONDS);
                    assertFalse(honest.stopped.isDone(), () -> "honest connection: " + honest.stopped);
                    if (System.nanoTime() - windowStart > TimeUnit.SECONDS.toNanos(1)) {
                        long echoed = honest.received();
                        assertTrue(echoed > windowEchoed, "the honest echo stalled at " + echoed + " bytes");
                        windows++;
                        windowStart = System.nanoTime();
                        windowEchoed = echoed;
                    }
                }
                assertEquals(0, hostile.waitFor(30, TimeUnit.SECONDS), hostile.stderr());
                assertFalse(Files.exists(ChildJvm.errorReport(hostile.pid())), "the hostile JVM crashed");
            }
            long cpu = OS.getProcessCpuTime() - cpuBefore;
            long loopCpu = THREADS.getThreadCpuTime(loopThread) - loopBefore;
            long wall = System.nanoTime() - wallBefore;
            long echoed = honest.received() - echoedBefore;
            System.out.printf("Netty hostile peer: %d scribbles over %d connections, %d closed by a protocol error,"
                    + " %d closed by the victim before the hostile peer hung up; honest echo %d bytes (%d one-second"
                    + " windows, each moved); server loop thread CPU %d ms, process CPU %d ms in %d ms (%.1f%%)%n",
                    ITERATIONS, connections, protocolErrors, victimFirst, echoed, windows, loopCpu / 1_000_000,
                    cpu / 1_000_000, wall / 1_000_000, 100.0 * loopCpu / wall);
            assertTrue(loopCpu < wall / 2, "server loop thread CPU " + loopCpu / 1_000_000 + " ms in "
                    + wall / 1_000_000 + " ms");
            assertTrue(protocolErrors > connections / 2, protocolErrors + " of " + connections);
            // Every error the pipelines saw was counted. The count may be higher: a scribbled sleep word found when
            // the loop withdraws a doorbell sleep, right as the input ends, closes the channel as an end of stream.
            long counted = ShuntMetrics.snapshot().protocolErrors() - errorsBefore;
            assertTrue(counted >= protocolErrors, counted + " counted, " + protocolErrors + " seen");
            honest.stop();
            long sent = honest.stopped.get(BOUND_SECONDS, TimeUnit.SECONDS);
            assertEquals(sent, honest.received(), "honest bytes echoed");
            assertEquals(ringsBefore, PeerKillRoundsTest.ringMappings(), "ring mappings leaked");
            assertEquals(fdsBefore, Descriptors.openCount(), "descriptors leaked");
            client.close().sync();
            assertTrue(honestServed.channel.closeFuture().await(BOUND_SECONDS, TimeUnit.SECONDS));
        } finally {
            listener.close().sync();
            clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            dir.close();
        }
    }

    private static boolean isProtocolError(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ShuntProtocolException) {
                return true;
            }
        }
        return false;
    }

    /** Waits until the honest client had at least {@code bytes} echoed. */
    private static void awaitEcho(HonestClient honest, long bytes) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
        while (honest.received() < bytes) {
            assertFalse(honest.stopped.isDone(), () -> "honest connection: " + honest.stopped);
            assertTrue(System.nanoTime() - deadline < 0, "warm-up echo: " + honest.received() + " bytes");
            Thread.sleep(10);
        }
    }
}
