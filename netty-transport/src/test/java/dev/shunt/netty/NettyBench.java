package dev.shunt.netty;

import dev.shunt.core.MetricsSnapshot;
import dev.shunt.core.ShuntMetrics;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * A small benchmark of the Netty transports between two JVMs, Shunt channels against stock Epoll domain-socket
 * channels in the same run: 32-byte ping-pong latency, and the throughput of 64 KiB writes (1 GiB after a
 * 256 MiB warm-up, per transport). Shunt runs twice: copying received bytes into allocator buffers, and lending
 * them in place ({@link ShuntChannelOption#RECEIVE_IN_PLACE} on the echo server, the sink and the ping-pong
 * client; the echo server then writes the lent buffer straight into its outbound ring, one copy end to end).
 *
 * <pre>
 * NettyBench server DIR   serve echo and sink sockets for both transports in DIR; prints READY
 * NettyBench client DIR   measure both transports; prints RESULT lines, then DONE
 * </pre>
 * Each side runs one loop thread per transport. {@code RESULT <transport> <fast> <p50 us> <p99 us> <MiB/s>
 * <parks> <doorbell signals> <missed wake-ups>}, the parks and signals counted in this JVM during the ping-pong, the
 * missed wake-ups (taken up by the loop's backstop) during the whole measurement.
 */
public final class NettyBench {
    private static final int MESSAGE = 32;
    private static final int WARMUP_ROUND_TRIPS = 200_000;
    private static final int ROUND_TRIPS = 200_000;
    private static final int CHUNK = 64 * 1024;
    private static final long WARMUP_STREAM_BYTES = 1L << 28;
    private static final long STREAM_BYTES = 1L << 30;

    private NettyBench() {
    }

    /** Entry point, see the class comment. */
    public static void main(String[] args) throws Exception {
        String dir = args[1];
        EventLoopGroup shunt = new ShuntEventLoopGroup(1);
        EventLoopGroup epoll = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            if (args[0].equals("server")) {
                serve(dir, shunt, epoll);
            } else {
                measure(dir, "Shunt", shunt, ShuntDomainSocketChannel::new, false);
                measure(dir, "ShuntInPlace", shunt, ShuntDomainSocketChannel::new, true);
                measure(dir, "Epoll", epoll, EpollDomainSocketChannel::new, false);
                System.out.println("DONE");
            }
        } finally {
            shunt.shutdownGracefully().sync();
            epoll.shutdownGracefully().sync();
        }
    }

    private static void serve(String dir, EventLoopGroup shunt, EventLoopGroup epoll) throws Exception {
        Channel[] servers = {
            server(shunt, ShuntServerDomainSocketChannel::new, new Echo(), dir + "/Shunt-echo", false),
            server(shunt, ShuntServerDomainSocketChannel::new, null, dir + "/Shunt-sink", false),
            server(shunt, ShuntServerDomainSocketChannel::new, new Echo(), dir + "/ShuntInPlace-echo", true),
            server(shunt, ShuntServerDomainSocketChannel::new, null, dir + "/ShuntInPlace-sink", true),
            server(epoll, EpollServerDomainSocketChannel::new, new Echo(), dir + "/Epoll-echo", false),
            server(epoll, EpollServerDomainSocketChannel::new, null, dir + "/Epoll-sink", false),
        };
        System.out.println("READY");
        new CountDownLatch(1).await();
        for (Channel s : servers) {
            s.close().sync();
        }
    }

    private static Channel server(EventLoopGroup group, Supplier<? extends ServerChannel> type, ChannelHandler echo,
            String path, boolean inPlace) throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap();
        if (inPlace) {
            bootstrap.childOption(ShuntChannelOption.RECEIVE_IN_PLACE, true);
        }
        return bootstrap.group(group).channelFactory(type::get)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(echo != null ? echo : new Sink());
                    }
                }).bind(new DomainSocketAddress(path)).sync().channel();
    }

    private static void measure(String dir, String transport, EventLoopGroup group, Supplier<? extends Channel> type,
            boolean inPlace) throws Exception {
        MetricsSnapshot before = ShuntMetrics.snapshot();
        PingPong pingPong = new PingPong();
        Bootstrap bootstrap = new Bootstrap();
        if (inPlace) {
            bootstrap.option(ShuntChannelOption.RECEIVE_IN_PLACE, true);
        }
        Channel echo = bootstrap.group(group).channelFactory(type::get).handler(pingPong)
                .connect(new DomainSocketAddress(dir + "/" + transport + "-echo")).sync().channel();
        boolean fast = echo instanceof ShuntDomainSocketChannel && ((ShuntDomainSocketChannel) echo).isFastPath();
        Histogram h = pingPong.done.get();
        MetricsSnapshot after = ShuntMetrics.snapshot();
        echo.close().sync();

        stream(dir, transport, group, type, WARMUP_STREAM_BYTES);
        double seconds = stream(dir, transport, group, type, STREAM_BYTES);
        System.out.printf("RESULT %s %b %.2f %.2f %.0f %d %d %d%n", transport, fast, h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0, STREAM_BYTES / seconds / (1 << 20), after.parks() - before.parks(),
                after.doorbellSignals() - before.doorbellSignals(),
                ShuntMetrics.snapshot().missedWakeups() - before.missedWakeups());
    }

    /** @return seconds to stream {@code bytes} to the sink, connection set-up included */
    private static double stream(String dir, String transport, EventLoopGroup group, Supplier<? extends Channel> type,
            long bytes) throws Exception {
        Stream stream = new Stream(bytes);
        long start = System.nanoTime();
        Channel sink = new Bootstrap().group(group).channelFactory(type::get)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true).handler(stream)
                .connect(new DomainSocketAddress(dir + "/" + transport + "-sink")).sync().channel();
        long received = stream.answer.get();
        double seconds = (System.nanoTime() - start) / 1e9;
        sink.close().sync();
        if (received != bytes) {
            throw new IllegalStateException(transport + " sink received " + received + " of " + bytes + " bytes");
        }
        return seconds;
    }

    /** Echoes every byte. */
    @ChannelHandler.Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.writeAndFlush(msg);
        }
    }

    /** Counts bytes; answers the count (8 bytes) when the input ends. */
    private static final class Sink extends ChannelInboundHandlerAdapter {
        private long bytes;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            bytes += buf.readableBytes();
            buf.release();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ChannelInputShutdownEvent.INSTANCE) {
                ctx.writeAndFlush(ctx.alloc().buffer(8).writeLong(bytes)).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    /** Sends 32 bytes, waits for all 32 back, repeats; records round trips after the warm-up. */
    private static final class PingPong extends ChannelInboundHandlerAdapter {
        final CompletableFuture<Histogram> done = new CompletableFuture<>();
        private final Histogram histogram = new Histogram(3);
        private final ByteBuf message = Unpooled.directBuffer(MESSAGE).writeZero(MESSAGE);
        private int round;
        private int pending;
        private long sentAt;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            send(ctx);
            ctx.fireChannelActive();
        }

        private void send(ChannelHandlerContext ctx) {
            pending = MESSAGE;
            sentAt = System.nanoTime();
            ctx.writeAndFlush(message.retainedDuplicate());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            pending -= buf.readableBytes();
            buf.release();
            if (pending > 0) {
                return;
            }
            if (round++ >= WARMUP_ROUND_TRIPS) {
                histogram.recordValue(System.nanoTime() - sentAt);
            }
            if (round < WARMUP_ROUND_TRIPS + ROUND_TRIPS) {
                send(ctx);
            } else {
                message.release();
                done.complete(histogram);
            }
        }
    }

    /** Writes a number of bytes in 64 KiB messages while writable, then ends its output. */
    private static final class Stream extends ChannelInboundHandlerAdapter {
        final CompletableFuture<Long> answer = new CompletableFuture<>();
        private final ByteBuf chunk = Unpooled.directBuffer(CHUNK).writeZero(CHUNK);
        private final ByteBuf reply = Unpooled.buffer(8);
        private long left;

        Stream(long bytes) {
            left = bytes;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            write(ctx);
            ctx.fireChannelActive();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            write(ctx);
            ctx.fireChannelWritabilityChanged();
        }

        private void write(ChannelHandlerContext ctx) {
            while (left > 0 && ctx.channel().isWritable()) {
                left -= CHUNK;
                if (left > 0) {
                    ctx.write(chunk.retainedDuplicate());
                } else {
                    ctx.write(chunk.retainedDuplicate()).addListener(f -> ((DuplexChannel) ctx.channel()).shutdownOutput());
                }
            }
            ctx.flush();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            reply.writeBytes(buf);
            buf.release();
            if (reply.readableBytes() == 8) {
                chunk.release();
                answer.complete(reply.readLong());
                reply.release();
            }
        }
    }
}
