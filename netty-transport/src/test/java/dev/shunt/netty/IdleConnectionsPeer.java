package dev.shunt.netty;

import dev.shunt.core.MetricsSnapshot;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntMetrics;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One side of many idle fast-path connections, all on one loop thread.
 *
 * <pre>
 * IdleConnectionsPeer server PATH COUNT   accept COUNT connections, echo every byte
 * IdleConnectionsPeer client PATH COUNT   open COUNT connections, send one byte on each, await the echoes
 * </pre>
 * Each side, once every connection carried its first byte, waits {@value #SETTLE_MILLIS} ms for its loop to
 * fall asleep and prints {@code IDLE <window ms> <loop cpu ms> <parks> <doorbell signals>} for a
 * {@value #WINDOW_MILLIS} ms window without traffic. The server prints {@code MEMORY <resident bytes per
 * connection> <heap bytes per connection>} and {@code DONE} once every connection closed; the client prints
 * {@code FAST <fast-path connections>} first and, after both windows, {@code WOKE <echoes>} from 100 random
 * distinct connections woken with one byte each, then closes everything.
 */
public final class IdleConnectionsPeer {
    private static final int BATCH = 200;
    private static final int WAKE = 100;
    private static final long SETTLE_MILLIS = 1000;
    private static final long WINDOW_MILLIS = 3000;
    /** The client wakes connections only after the server's window, which starts a little later than its own. */
    private static final long WAKE_AFTER_MILLIS = SETTLE_MILLIS + WINDOW_MILLIS + 1500;

    private IdleConnectionsPeer() {
    }

    /** Entry point, see the class comment. */
    public static void main(String[] args) throws Exception {
        DomainSocketAddress address = new DomainSocketAddress(args[1]);
        int count = Integer.parseInt(args[2]);
        ShuntConfig config = ShuntConfig.fromSystemProperties();
        EventLoopGroup loop = new ShuntEventLoopGroup(1, new DefaultThreadFactory("idle-" + args[0]), config);
        EventLoopGroup sampler = new ShuntEventLoopGroup(1, new DefaultThreadFactory("idle-sampler"), config);
        try {
            if (args[0].equals("server")) {
                server(address, count, config, loop, sampler);
            } else {
                client(address, count, config, loop, sampler);
            }
        } finally {
            sampler.shutdownGracefully().sync();
            loop.shutdownGracefully().sync();
        }
    }

    private static void server(DomainSocketAddress address, int count, ShuntConfig config, EventLoopGroup loop,
            EventLoopGroup sampler) throws Exception {
        long rssBefore = rss();
        long heapBefore = heap();
        CountDownLatch echoed = new CountDownLatch(count);
        CountDownLatch closed = new CountDownLatch(count);
        Channel server = new ServerBootstrap().group(loop)
                .channelFactory(() -> new ShuntServerDomainSocketChannel(config))
                .childHandler(new Echo(echoed, closed)).bind(address).sync().channel();
        System.out.println("READY");
        echoed.await();
        System.out.println("MEMORY " + (rss() - rssBefore) / count + " " + (heap() - heapBefore) / count);
        measureIdle(loop, sampler);
        closed.await();
        server.close().sync();
        System.out.println("DONE");
    }

    private static void client(DomainSocketAddress address, int count, ShuntConfig config, EventLoopGroup loop,
            EventLoopGroup sampler) throws Exception {
        CountDownLatch[] echoes = {new CountDownLatch(count)};
        ChannelHandler counter = new Counter(echoes);
        List<Channel> clients = new ArrayList<>(count);
        for (int at = 0; at < count; at += BATCH) {
            List<ChannelFuture> batch = new ArrayList<>();
            for (int i = at; i < Math.min(count, at + BATCH); i++) {
                batch.add(new Bootstrap().group(loop).channelFactory(() -> new ShuntDomainSocketChannel(config))
                        .handler(counter).connect(address));
            }
            for (ChannelFuture f : batch) {
                clients.add(f.sync().channel());
            }
        }
        for (Channel c : clients) {
            c.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));
        }
        echoes[0].await();
        long start = System.nanoTime();
        System.out.println("FAST " + clients.stream().filter(c -> ((ShuntDomainSocketChannel) c).isFastPath()).count());
        measureIdle(loop, sampler);
        long wait = WAKE_AFTER_MILLIS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        sampler.schedule(() -> null, Math.max(0, wait), TimeUnit.MILLISECONDS).get();
        echoes[0] = new CountDownLatch(WAKE);
        List<Channel> woken = new ArrayList<>(clients);
        Collections.shuffle(woken, new Random(5));
        for (Channel c : woken.subList(0, WAKE)) {
            c.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {2}));
        }
        boolean woke = echoes[0].await(30, TimeUnit.SECONDS);
        System.out.println("WOKE " + (woke ? WAKE : WAKE - echoes[0].getCount()));
        for (Channel c : clients) {
            c.close();
        }
        for (Channel c : clients) {
            c.closeFuture().sync();
        }
    }

    /** Samples the loop's CPU time and the metrics from another thread, so that sampling does not wake it. */
    private static void measureIdle(EventLoopGroup loop, EventLoopGroup sampler) throws Exception {
        long thread = loop.submit(() -> Thread.currentThread().getId()).get();
        long[] start = sampler.schedule(() -> sample(thread), SETTLE_MILLIS, TimeUnit.MILLISECONDS).get();
        long[] end = sampler.schedule(() -> sample(thread), WINDOW_MILLIS, TimeUnit.MILLISECONDS).get();
        System.out.println("IDLE " + (end[0] - start[0]) / 1_000_000 + " " + (end[1] - start[1]) / 1_000_000 + " "
                + (end[2] - start[2]) + " " + (end[3] - start[3]));
    }

    /** @return {wall ns, loop cpu ns, parks, doorbell signals} */
    private static long[] sample(long thread) {
        MetricsSnapshot m = ShuntMetrics.snapshot();
        return new long[] {System.nanoTime(), ManagementFactory.getThreadMXBean().getThreadCpuTime(thread), m.parks(),
            m.doorbellSignals()};
    }

    private static long rss() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    private static long heap() {
        System.gc();
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    /** Echoes on the server side and counts first bytes and closed connections. */
    @ChannelHandler.Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter {
        private final CountDownLatch echoed;
        private final CountDownLatch closed;

        Echo(CountDownLatch echoed, CountDownLatch closed) {
            this.echoed = echoed;
            this.closed = closed;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            boolean first = buf.getByte(buf.readerIndex()) == 1;
            ctx.writeAndFlush(msg);
            if (first) {
                echoed.countDown();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closed.countDown();
            ctx.fireChannelInactive();
        }
    }

    /** Counts echoes on the client side. */
    @ChannelHandler.Sharable
    private static final class Counter extends ChannelInboundHandlerAdapter {
        private final CountDownLatch[] echoes;

        Counter(CountDownLatch[] echoes) {
            this.echoes = echoes;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ((ByteBuf) msg).release();
            echoes[0].countDown();
        }
    }
}
