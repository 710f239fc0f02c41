package dev.shunt.netty;

import dev.shunt.core.MetricsSnapshot;
import dev.shunt.core.ShuntMetrics;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.unix.DomainSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32;

/**
 * The other JVM of the cross-process tests: a Netty server on the Shunt channels, configured by the
 * {@code shunt.*} system properties, that serves one connection and exits.
 *
 * <pre>
 * NettyPeer PATH echo          echo every byte until the client closes
 * NettyPeer PATH echo-manual   the same with auto-read off on the accepted channel (a child option), reading
 *                              only when the handler asks ({@code read()})
 * NettyPeer PATH crc           read until the client shuts its output, answer "bytes crc32" in 16 bytes, close
 * NettyPeer PATH echo-boss     echo, with the listening channel on a loop of its own (a boss group); prints
 *                              {@code SIGNALS doorbell=n all=m} (this JVM's {@code ShuntMetrics}) before DONE
 * </pre>
 * Prints {@code READY} once listening and {@code DONE fast=<isFastPath>} when the connection closed.
 */
public final class NettyPeer {
    private NettyPeer() {
    }

    /** Entry point, see the class comment. */
    public static void main(String[] args) throws Exception {
        DomainSocketAddress address = new DomainSocketAddress(args[0]);
        String mode = args[1];
        boolean manualRead = mode.equals("echo-manual");
        EventLoopGroup group = new ShuntEventLoopGroup(1);
        EventLoopGroup boss = mode.equals("echo-boss") ? new ShuntEventLoopGroup(1) : group;
        CompletableFuture<ShuntDomainSocketChannel> served = new CompletableFuture<>();
        try {
            Channel server = new ServerBootstrap().group(boss, group).channel(ShuntServerDomainSocketChannel.class)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childOption(ChannelOption.AUTO_READ, !manualRead)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(mode.equals("crc") ? new Checksum() : new Echo(manualRead));
                            ch.closeFuture().addListener(f -> served.complete((ShuntDomainSocketChannel) ch));
                        }
                    }).bind(address).sync().channel();
            System.out.println("READY");
            ShuntDomainSocketChannel child = served.get();
            if (boss != group) {
                MetricsSnapshot m = ShuntMetrics.snapshot();
                System.out.println("SIGNALS doorbell=" + m.doorbellBytes() + " all=" + m.doorbellSignals());
            }
            System.out.println("DONE fast=" + child.isFastPath());
            server.close().sync();
        } finally {
            group.shutdownGracefully().sync();
            boss.shutdownGracefully().sync();
        }
    }

    /** Writes back what it reads; asks for each read itself when auto-read is off. */
    private static final class Echo extends ChannelInboundHandlerAdapter {
        private final boolean manualRead;

        Echo(boolean manualRead) {
            this.manualRead = manualRead;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (manualRead) {
                ctx.read();
            }
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
            if (manualRead) {
                ctx.read();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ChannelInputShutdownEvent.INSTANCE) {
                ctx.close();
            }
        }
    }

    /** Sums what it reads; answers the count and CRC-32 when the input ends. */
    private static final class Checksum extends ChannelInboundHandlerAdapter {
        private final CRC32 crc = new CRC32();
        private long bytes;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                bytes += buf.readableBytes();
                crc.update(buf.nioBuffer());
            } finally {
                buf.release();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ChannelInputShutdownEvent.INSTANCE) {
                ByteBuf answer = ctx.alloc().buffer(16).writeLong(bytes).writeLong(crc.getValue());
                ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
