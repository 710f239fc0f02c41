package dev.shunt.netty;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;

/**
 * The server JVM of the gRPC tests: {@link GrpcEcho} on a Unix domain socket, until killed.
 *
 * <pre>
 * GrpcPeer PATH shunt   grpc-netty on the Shunt channels (configured by the shunt.* system properties)
 * GrpcPeer PATH epoll   grpc-netty on stock Epoll channels
 * </pre>
 * Prints {@code READY} once serving.
 */
public final class GrpcPeer {
    private GrpcPeer() {
    }

    /** Entry point, see the class comment. */
    public static void main(String[] args) throws Exception {
        boolean shunt = args[1].equals("shunt");
        EventLoopGroup group = shunt ? new ShuntEventLoopGroup(2)
                : new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        Server server = NettyServerBuilder.forAddress(new DomainSocketAddress(args[0]))
                .channelType(shunt ? ShuntServerDomainSocketChannel.class : EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(group).workerEventLoopGroup(group)
                .addService(GrpcEcho.service()).build().start();
        System.out.println("READY");
        server.awaitTermination();
    }
}
