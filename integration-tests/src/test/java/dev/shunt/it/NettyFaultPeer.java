package dev.shunt.it;

import dev.shunt.core.ShuntMetrics;
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
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Child-JVM main for the Netty fault tests, on the Shunt channels, configured by the {@code shunt.*} system
 * properties.
 *
 * <pre>
 * NettyFaultPeer survivor DIR          a long-lived JVM: a server channel on DIR/survivor.sock whose accepted
 *                                      connections run the load below, and a control socket on DIR/ctl (JDK
 *                                      Unix-domain channel) that takes one command per line:
 *                                        CONNECT PATH  connect a client channel to PATH and run the load on it
 *                                        COUNT         print COUNTS fds=&lt;open descriptors&gt;
 *                                                      rings=&lt;shunt-ring mappings in /proc/self/maps&gt;
 *                                                      open=&lt;fast-path connections&gt;
 *                                        QUIT          close everything and exit 0
 * NettyFaultPeer victim-server PATH    bind PATH, print READY, run the load on the first connection
 * NettyFaultPeer victim-client PATH    connect to PATH, run the load
 * NettyFaultPeer echo-server PATH      bind PATH, print READY, echo one connection (reading only while the echo
 *                                      is writable), print DONE when it closed, exit
 * </pre>
 * The load writes 16 KiB buffers whenever the channel is writable and discards what it reads, so both
 * directions stay under pressure. Each connection prints {@code ACTIVE <id> fast=<isFastPath>} and, when it
 * closed, {@code CLOSED <id> nanos=<System.nanoTime()> read=<bytes> written=<bytes> cause=<first exception>}.
 */
public final class NettyFaultPeer {
    private static final AtomicInteger IDS = new AtomicInteger();

    private NettyFaultPeer() {
    }

    /** Entry point, see the class comment. */
    public static void main(String[] args) throws Exception {
        EventLoopGroup group = new ShuntEventLoopGroup(1);
        try {
            switch (args[0]) {
                case "survivor":
                    survivor(group, Path.of(args[1]));
                    break;
                case "victim-server":
                    serveOne(group, args[1], new Load()).closeFuture().sync();
                    Thread.sleep(Long.MAX_VALUE); // until killed
                    break;
                case "victim-client":
                    connect(group, args[1]).closeFuture().sync();
                    Thread.sleep(Long.MAX_VALUE);
                    break;
                case "echo-server":
                    Channel child = serveOne(group, args[1], new Echo());
                    child.closeFuture().sync();
                    System.out.println("DONE");
                    break;
                default:
                    throw new IllegalArgumentException(args[0]);
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static void survivor(EventLoopGroup group, Path dir) throws Exception {
        Channel listener = new ServerBootstrap().group(group).channel(ShuntServerDomainSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new Load());
                    }
                }).bind(new DomainSocketAddress(dir.resolve("survivor.sock").toString())).sync().channel();
        try (ServerSocketChannel ctl = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ctl.bind(UnixDomainSocketAddress.of(dir.resolve("ctl")));
            System.out.println("READY");
            try (SocketChannel commands = ctl.accept();
                    BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(commands),
                            StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null && !line.equals("QUIT"); ) {
                    if (line.equals("COUNT")) {
                        System.out.println("COUNTS fds=" + Descriptors.openCount() + " rings=" + PeerKillRoundsTest.ringMappings()
                                + " open=" + ShuntMetrics.snapshot().fastPathConnections());
                    } else if (line.startsWith("CONNECT ")) {
                        connect(group, line.substring("CONNECT ".length()));
                    } else {
                        throw new IllegalArgumentException(line);
                    }
                }
            }
        } finally {
            listener.close().sync();
            Files.deleteIfExists(dir.resolve("ctl"));
        }
    }

    private static Channel serveOne(EventLoopGroup group, String path, ChannelInboundHandlerAdapter handler)
            throws Exception {
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        Channel listener = new ServerBootstrap().group(group).channel(ShuntServerDomainSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (accepted.complete(ch)) {
                            ch.pipeline().addLast(handler);
                        } else {
                            ch.close();
                        }
                    }
                }).bind(new DomainSocketAddress(path)).sync().channel();
        System.out.println("READY");
        Channel child = accepted.get();
        listener.close().sync();
        return child;
    }

    private static Channel connect(EventLoopGroup group, String path) {
        return new Bootstrap().group(group).channel(ShuntDomainSocketChannel.class).handler(new Load())
                .connect(new DomainSocketAddress(path)).addListener(f -> {
                    if (!f.isSuccess()) {
                        System.out.println("CONNECT-FAILED " + f.cause());
                    }
                }).channel();
    }

    /** Writes while writable, discards what it reads, reports activation and close. */
    private static final class Load extends WritingHandler {
        private static final ByteBuf CHUNK = chunk();
        private final int id = IDS.incrementAndGet();
        private long read;
        private long written;
        private Throwable cause;

        private static ByteBuf chunk() {
            byte[] data = new byte[16 * 1024];
            new Random(16).nextBytes(data);
            return Unpooled.unreleasableBuffer(Unpooled.directBuffer(data.length).writeBytes(data));
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.channel().closeFuture().addListener(f -> System.out.println("CLOSED " + id + " nanos="
                    + System.nanoTime() + " read=" + read + " written=" + written + " cause=" + cause));
        }

        @Override
        void activated(ChannelHandlerContext ctx) {
            System.out.println("ACTIVE " + id + " fast=" + ((ShuntDomainSocketChannel) ctx.channel()).isFastPath());
        }

        @Override
        boolean writeNext(ChannelHandlerContext ctx) {
            int n = CHUNK.readableBytes();
            ctx.write(CHUNK.duplicate()).addListener(f -> {
                if (f.isSuccess()) {
                    written += n;
                }
            });
            return true;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            read += buf.readableBytes();
            buf.release();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable t) {
            if (cause == null) {
                cause = t;
            }
            ctx.close();
        }
    }

    /** Writes back what it reads, and stops reading while the echo cannot be written. */
    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
            ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            ctx.channel().config().setAutoRead(ctx.channel().isWritable());
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ChannelInputShutdownEvent.INSTANCE) {
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> ctx.close());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable t) {
            t.printStackTrace();
            ctx.close();
        }
    }
}
