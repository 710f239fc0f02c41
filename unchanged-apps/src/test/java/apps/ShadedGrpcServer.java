package apps;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;

/**
 * {@link GrpcApp}'s server on {@code grpc-netty-shaded}, grpc-java's artifact with its own relocated Netty
 * ({@code io.grpc.netty.shaded.io.netty}), as written without Shunt: {@code <path>}, prints {@code READY} and serves
 * until killed.
 */
public final class ShadedGrpcServer {
    private ShadedGrpcServer() {
    }

    public static void main(String[] args) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        Server server = NettyServerBuilder.forAddress(new DomainSocketAddress(args[0]))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(group).workerEventLoopGroup(group)
                .addService(GrpcApp.service()).build().start();
        System.out.println("READY");
        server.awaitTermination();
    }
}
