package apps;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.util.AttributeKey;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32;

/**
 * A Netty 4.2 application on the NIO transport's Unix-domain channels, as written without Shunt.
 *
 * <p>{@code server <path>}: echoes; when its first connection ends prints {@code REPORT <shunt>} and exits.
 * {@code client <path> <round trips> <bytes>}: 32-byte round trips, then a stream of pseudo-random bytes echoed back,
 * and prints {@code REPORT <shunt> crc=<ok|sent/received>}.
 */
public final class NettyEchoApp {
    /** The client's checksum verdict. */
    static final AttributeKey<String> CRC = AttributeKey.valueOf("crc");
    private static final long WINDOW = 4 << 20;

    private NettyEchoApp() {
    }

    public static void main(String[] args) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Path path = Path.of(args[1]);
            if (args[0].equals("server")) {
                server(group, bootstrap -> bootstrap.channel(NioServerDomainSocketChannel.class),
                        UnixDomainSocketAddress.of(path), () -> System.out.println("READY"));
            } else {
                Channel channel = client(group, bootstrap -> bootstrap.channel(NioDomainSocketChannel.class),
                        UnixDomainSocketAddress.of(path), Integer.parseInt(args[2]), Long.parseLong(args[3]));
                System.out.println("REPORT " + Report.shunt() + " crc=" + channel.attr(CRC).get());
                channel.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /**
     * Echoes on {@code address} until its first connection ends, then prints {@code REPORT <shunt>}.
     *
     * @param transport sets the bootstrap's channel, as the application's style has it
     * @param ready runs once the server listens
     */
    static void server(EventLoopGroup group, UnaryOperator<ServerBootstrap> transport, SocketAddress address,
            Runnable ready) throws Exception {
        CountDownLatch ended = new CountDownLatch(1);
        Channel server = transport.apply(new ServerBootstrap().group(group))
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ctx.write(msg);
                            }

                            @Override
                            public void channelReadComplete(ChannelHandlerContext ctx) {
                                ctx.flush();
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                ended.countDown();
                            }
                        });
                    }
                }).bind(address).sync().channel();
        ready.run();
        ended.await();
        System.out.println("REPORT " + Report.shunt());
        server.close().sync();
    }

    /**
     * Round trips, then a checksummed stream, to the echo at {@code address}.
     *
     * @param transport sets the bootstrap's channel, as the application's style has it
     * @return the connected channel, its attribute {@link #CRC} {@code ok} or {@code <sent>/<received>}
     */
    static Channel client(EventLoopGroup group, UnaryOperator<Bootstrap> transport, SocketAddress address,
            int roundTrips, long bytes) throws Exception {
        Received received = new Received();
        Channel channel = transport.apply(new Bootstrap().group(group)).handler(received)
                .connect(address).sync().channel();
        byte[] message = new byte[32];
        for (int i = 1; i <= roundTrips; i++) {
            channel.writeAndFlush(Unpooled.wrappedBuffer(message));
            received.await(32L * i);
        }
        long echoedBefore = 32L * roundTrips;
        received.startChecksum();
        CRC32 sent = new CRC32();
        Random random = new Random(bytes);
        byte[] chunk = new byte[64 * 1024];
        for (long left = bytes; left > 0; ) {
            int n = (int) Math.min(left, chunk.length);
            random.nextBytes(chunk);
            sent.update(chunk, 0, n);
            channel.writeAndFlush(Unpooled.copiedBuffer(chunk, 0, n));
            left -= n;
            received.await(echoedBefore + bytes - left - WINDOW);
        }
        received.await(echoedBefore + bytes);
        long got = received.checksum();
        channel.attr(CRC).set(got == sent.getValue() ? "ok" : sent.getValue() + "/" + got);
        return channel;
    }

    /** Counts what comes back, and checksums it from a point on. */
    private static final class Received extends ChannelInboundHandlerAdapter {
        private final CRC32 crc = new CRC32();
        private long total;
        private boolean checksumming;

        @Override
        public synchronized void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buffer = (ByteBuf) msg;
            try {
                if (checksumming) {
                    crc.update(buffer.nioBuffer());
                }
                total += buffer.readableBytes();
                notifyAll();
            } finally {
                buffer.release();
            }
        }

        synchronized void await(long atLeast) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (total < atLeast) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("echo stalled at " + total + " of " + atLeast);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }

        synchronized void startChecksum() {
            checksumming = true;
        }

        synchronized long checksum() {
            return crc.getValue();
        }
    }
}
