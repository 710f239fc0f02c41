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
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.uring.IoUringDomainSocketChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerDomainSocketChannel;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.Version;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A Netty 4.2 application on a native transport's Unix-domain channels, as written without Shunt, in one of the
 * styles frameworks use to pick them:
 * <ul>
 *   <li>{@code literal}: class literals to {@code channel(Class)}, a loop from {@code EpollIoHandler.newFactory()}
 *       (Lettuce);</li>
 *   <li>{@code reference}: method references {@code EpollDomainSocketChannel::new} to {@code channelFactory}, the
 *       deprecated {@code EpollEventLoopGroup} (Vert.x);</li>
 *   <li>{@code constructor}: {@code new EpollDomainSocketChannel()} inside a channel factory (Reactor Netty);</li>
 *   <li>{@code io_uring}: Netty's io_uring transport instead, class literals, a loop from
 *       {@code IoUringIoHandler.newFactory()}.</li>
 * </ul>
 * Beside the domain socket, the same loops carry a TCP echo on loopback ({@code EpollServerSocketChannel} and
 * {@code EpollSocketChannel}, or their io_uring twins).
 *
 * <p>{@code <style> server <path>}: prints {@code READY <tcp port>}, echoes, and when its first domain-socket
 * connection ends prints {@code REPORT <shunt>} and exits. {@code <style> client <path> <tcp port> <round trips>
 * <bytes>}: a TCP round trip, then {@link NettyEchoApp}'s round trips and checksummed stream on the domain socket,
 * and prints {@code REPORT <shunt> crc=<ok|sent/received> channel=<class> tcp=<class> netty=<version>}.
 */
public final class NativeEchoApp {
    private NativeEchoApp() {
    }

    @SuppressWarnings("deprecation") // EpollEventLoopGroup: what the method-reference style's frameworks still use
    public static void main(String[] args) throws Exception {
        String style = args[0];
        boolean uring = style.equals("io_uring");
        EventLoopGroup group = style.equals("reference") ? new EpollEventLoopGroup(1)
                : new MultiThreadIoEventLoopGroup(1, uring ? IoUringIoHandler.newFactory() : EpollIoHandler.newFactory());
        try {
            DomainSocketAddress address = new DomainSocketAddress(args[2]);
            if (args[1].equals("server")) {
                Channel tcp = new ServerBootstrap().group(group)
                        .channel(uring ? IoUringServerSocketChannel.class : EpollServerSocketChannel.class)
                        .childHandler(new Echo()).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
                NettyEchoApp.server(group, serverStyle(style), address, () -> System.out.println(
                        "READY " + ((InetSocketAddress) tcp.localAddress()).getPort()));
                tcp.close().sync();
            } else {
                String tcp = tcpRoundTrip(group, uring ? IoUringSocketChannel.class : EpollSocketChannel.class,
                        Integer.parseInt(args[3]));
                Channel channel = NettyEchoApp.client(group, clientStyle(style), address, Integer.parseInt(args[4]),
                        Long.parseLong(args[5]));
                System.out.println("REPORT " + Report.shunt() + " crc=" + channel.attr(NettyEchoApp.CRC).get()
                        + " channel=" + channel.getClass().getSimpleName() + " tcp=" + tcp + " netty="
                        + Version.identify().get("netty-transport-classes-epoll").artifactVersion());
                channel.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    @SuppressWarnings("Convert2MethodRef")
    private static UnaryOperator<ServerBootstrap> serverStyle(String style) {
        switch (style) {
            case "literal":
                return bootstrap -> bootstrap.channel(EpollServerDomainSocketChannel.class);
            case "reference":
                return bootstrap -> bootstrap.channelFactory(EpollServerDomainSocketChannel::new);
            case "constructor":
                return bootstrap -> bootstrap.channelFactory(() -> new EpollServerDomainSocketChannel());
            case "io_uring":
                return bootstrap -> bootstrap.channel(IoUringServerDomainSocketChannel.class);
            default:
                throw new IllegalArgumentException(style);
        }
    }

    @SuppressWarnings("Convert2MethodRef")
    private static UnaryOperator<Bootstrap> clientStyle(String style) {
        switch (style) {
            case "literal":
                return bootstrap -> bootstrap.channel(EpollDomainSocketChannel.class);
            case "reference":
                return bootstrap -> bootstrap.channelFactory(EpollDomainSocketChannel::new);
            case "constructor":
                return bootstrap -> bootstrap.channelFactory(() -> new EpollDomainSocketChannel());
            case "io_uring":
                return bootstrap -> bootstrap.channel(IoUringDomainSocketChannel.class);
            default:
                throw new IllegalArgumentException(style);
        }
    }

    /** @return the class of the TCP channel, once 32 bytes came back through it */
    private static String tcpRoundTrip(EventLoopGroup group, Class<? extends Channel> type, int port)
            throws Exception {
        CompletableFuture<Integer> echoed = new CompletableFuture<>();
        Channel channel = new Bootstrap().group(group).channel(type)
                .handler(new ChannelInboundHandlerAdapter() {
                    private int received;

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        received += ((ByteBuf) msg).readableBytes();
                        ((ByteBuf) msg).release();
                        if (received == 32) {
                            echoed.complete(received);
                        }
                    }
                }).connect(new InetSocketAddress("127.0.0.1", port)).sync().channel();
        channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[32]));
        echoed.get(30, TimeUnit.SECONDS);
        channel.close().sync();
        return channel.getClass().getSimpleName();
    }

    /** Writes back what it reads. */
    private static final class Echo extends ChannelInitializer<Channel> {
        @Override
        protected void initChannel(Channel channel) {
            channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ctx.writeAndFlush(msg);
                }
            });
        }
    }
}
