package dev.shunt.bench;

import dev.shunt.netty.ShuntDomainSocketChannel;
import dev.shunt.netty.ShuntEventLoopGroup;
import dev.shunt.netty.ShuntServerDomainSocketChannel;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.AbstractNioChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.lang.reflect.Method;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A Netty transport: one event-loop thread for the connections in each JVM (the server's listening channels on a
 * boss loop of their own, Netty's usual set-up and gRPC's default, so that the connections' loop holds connections
 * alone, as a Shunt loop needs to sleep on futex words), the server's handler echoing or sinking as the
 * {@link Wire} header asks, and the client's scenario run inside a handler on the client's event loop, as a
 * Netty application would run it (replies arrive in {@code channelRead}, the next message is written from
 * there). Waiting for a paced send (fixed rate, wake-up) happens on the event loop too: the loop carries only
 * this one connection. The RPC scenario is the exception, by design: the client's application thread writes
 * each request and waits on a future that {@code channelRead} completes, and the server's handler submits each
 * request to an executor thread that calls {@code ctx.writeAndFlush}.
 *
 * <p>The server JVM also runs a gRPC server ({@link GrpcEcho}, grpc-netty) on the same event loop and the same
 * kind of channel, at an address of its own; the client's gRPC channel of the grpc scenario runs on the
 * client's event loop, with grpc-java's default executors on both sides. {@link #serve} names both addresses.
 */
final class NettyEndpoints implements Endpoints {
    /** Between the two addresses {@link #serve} returns: no socket path has one, nor a host and port. */
    private static final char ADDRESS_SEPARATOR = '\t';

    /** The kind of address a transport's channels take. */
    private enum Addressing {
        /** Netty's {@code DomainSocketAddress}: its native transports' domain sockets. */
        NETTY_DOMAIN,
        /** The JDK's {@code UnixDomainSocketAddress}: Netty's NIO domain sockets. */
        JDK_UNIX,
        /** Loopback TCP. */
        TCP
    }

    private final Supplier<EventLoopGroup> group;
    private final Class<? extends ServerChannel> serverChannel;
    private final Class<? extends Channel> channel;
    private final Addressing addressing;
    private final Function<Channel, String> path;

    private NettyEndpoints(Supplier<EventLoopGroup> group, Class<? extends ServerChannel> serverChannel,
            Class<? extends Channel> channel, Addressing addressing, Function<Channel, String> path) {
        this.group = group;
        this.serverChannel = serverChannel;
        this.channel = channel;
        this.addressing = addressing;
        this.path = path;
    }

    /** Stock Netty 4.2 Epoll domain-socket channels. */
    static NettyEndpoints epollDomain() {
        return new NettyEndpoints(NettyEndpoints::epollGroup, EpollServerDomainSocketChannel.class,
                EpollDomainSocketChannel.class, Addressing.NETTY_DOMAIN, ch -> "kernel socket");
    }

    /**
     * {@link #epollDomain()}'s code, in JVMs whose {@code shunt-agent.jar} makes its channels Shunt's (the agent's
     * relocated copies, whose path {@link AgentShunt} reads).
     */
    static NettyEndpoints epollDomainWithAgent() {
        return new NettyEndpoints(NettyEndpoints::epollGroup, EpollServerDomainSocketChannel.class,
                EpollDomainSocketChannel.class, Addressing.NETTY_DOMAIN, AgentShunt::path);
    }

    /** Stock Netty 4.2 Epoll TCP channels on the loopback interface, TCP_NODELAY. */
    static NettyEndpoints epollTcp() {
        return new NettyEndpoints(NettyEndpoints::epollGroup, EpollServerSocketChannel.class,
                EpollSocketChannel.class, Addressing.TCP, ch -> "kernel TCP loopback");
    }

    /** Shunt's Netty transport: {@code ShuntEventLoopGroup} and its domain-socket channels. */
    static NettyEndpoints shunt() {
        return new NettyEndpoints(() -> new ShuntEventLoopGroup(1), ShuntServerDomainSocketChannel.class,
                ShuntDomainSocketChannel.class, Addressing.NETTY_DOMAIN, NettyEndpoints::shuntPath);
    }

    /**
     * Stock Netty 4.2 NIO domain-socket channels on the JDK's Unix-domain channels: the kernel path, or Shunt's
     * channels where the JVMs run {@code shunt-agent.jar} (the application unchanged).
     */
    static NettyEndpoints nioDomain() {
        return new NettyEndpoints(() -> new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()),
                NioServerDomainSocketChannel.class, NioDomainSocketChannel.class, Addressing.JDK_UNIX,
                ch -> AgentShunt.path(javaChannel(ch)));
    }

    /** The JDK channel under a Netty NIO channel, which Netty keeps to its subclasses. */
    private static Object javaChannel(Channel channel) {
        try {
            Method method = AbstractNioChannel.class.getDeclaredMethod("javaChannel");
            method.setAccessible(true);
            return method.invoke(channel);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String shuntPath(Channel channel) {
        ShuntDomainSocketChannel ch = (ShuntDomainSocketChannel) channel;
        return ShuntPath.of(ch.isFastPath(), ch.isProtected(), ch.shuntConfig().mpk(), ch.fallbackReason());
    }

    private static EventLoopGroup epollGroup() {
        return new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    }

    /**
     * Serves benchmark connections and gRPC calls.
     *
     * @return the benchmark server's address, a tab, the gRPC server's address
     */
    @Override
    public String serve(Path dir) throws IOException, InterruptedException {
        EventLoopGroup boss = group.get();
        EventLoopGroup loop = group.get();
        ServerBootstrap bootstrap = new ServerBootstrap().group(boss, loop).channel(serverChannel)
                .childHandler(new PerChannel(ServerHandler::new));
        if (addressing == Addressing.TCP) {
            bootstrap.childOption(ChannelOption.TCP_NODELAY, true);
        }
        SocketAddress bench = bootstrap.bind(bindAddress(dir, "bench.sock")).sync().channel().localAddress();
        // Netty turns TCP_NODELAY on for its TCP channels by default, and grpc-netty leaves it on.
        Server grpc = NettyServerBuilder.forAddress(bindAddress(dir, "grpc.sock")).channelType(serverChannel)
                .bossEventLoopGroup(boss).workerEventLoopGroup(loop).addService(GrpcEcho.service()).build().start();
        return text(bench) + ADDRESS_SEPARATOR + text(grpc.getListenSockets().get(0));
    }

    private SocketAddress bindAddress(Path dir, String socketFile) {
        return switch (addressing) {
            case TCP -> new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            case NETTY_DOMAIN -> new DomainSocketAddress(dir.resolve(socketFile).toFile());
            case JDK_UNIX -> UnixDomainSocketAddress.of(dir.resolve(socketFile));
        };
    }

    private static String text(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getHostString() + ":" + inet.getPort();
        }
        return address instanceof UnixDomainSocketAddress unix ? unix.getPath().toString()
                : ((DomainSocketAddress) address).path();
    }

    private SocketAddress parse(String address) {
        return switch (addressing) {
            case NETTY_DOMAIN -> new DomainSocketAddress(address);
            case JDK_UNIX -> UnixDomainSocketAddress.of(address);
            case TCP -> {
                int colon = address.lastIndexOf(':');
                yield new InetSocketAddress(address.substring(0, colon),
                        Integer.parseInt(address.substring(colon + 1)));
            }
        };
    }

    @Override
    public ClientSide client(String address) {
        int separator = address.indexOf(ADDRESS_SEPARATOR);
        Bootstrap bootstrap = new Bootstrap().group(group.get()).channel(channel);
        if (addressing == Addressing.TCP) {
            bootstrap.option(ChannelOption.TCP_NODELAY, true);
        }
        return new Client(bootstrap, parse(address.substring(0, separator)), parse(address.substring(separator + 1)),
                channel, path);
    }

    /** Adds a fresh handler to every channel. */
    private static final class PerChannel extends ChannelInitializer<Channel> {
        private final Supplier<ChannelHandler> handler;

        PerChannel(Supplier<ChannelHandler> handler) {
            this.handler = handler;
        }

        @Override
        protected void initChannel(Channel ch) {
            ch.pipeline().addLast(handler.get());
        }
    }

    /** The server's side of one connection: reads the header, then echoes, sinks or answers calls. */
    private static final class ServerHandler extends ChannelInboundHandlerAdapter {
        private final byte[] header = new byte[Wire.HEADER_BYTES];
        private int headerBytes;
        private int mode;
        private int size;
        /** Bytes of the current chunk (sink) or request (RPC) that have arrived. */
        private int position;
        private boolean lastChunk;
        private ExecutorService handler;
        private ByteBuf reply;
        private Runnable sendReply;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            if (headerBytes < header.length) {
                int n = Math.min(in.readableBytes(), header.length - headerBytes);
                in.readBytes(header, headerBytes, n);
                headerBytes += n;
                if (headerBytes == header.length) {
                    start(ctx);
                }
            }
            if (!in.isReadable()) {
                in.release();
                return;
            }
            switch (mode) {
                case Wire.ECHO -> ctx.write(in);
                case Wire.SINK -> sink(ctx, in);
                case Wire.RPC -> call(in);
                default -> {
                    in.release();
                    exceptionCaught(ctx, new IOException("unknown mode " + mode));
                }
            }
        }

        private void start(ChannelHandlerContext ctx) {
            mode = Wire.mode(header);
            size = Wire.size(header);
            if (mode == Wire.RPC) {
                handler = HandlerExecutor.start("bench-rpc-handler");
                reply = ctx.alloc().directBuffer(size).writeZero(size);
                sendReply = () -> ctx.writeAndFlush(reply.retainedDuplicate());
            }
        }

        /** RPC: each complete request goes to the executor, which writes the reply from its own thread. */
        private void call(ByteBuf in) {
            position += in.readableBytes();
            in.release();
            if (position == size) { // one call outstanding: never more than one request in
                position = 0;
                handler.execute(sendReply);
            }
        }

        private void sink(ChannelHandlerContext ctx, ByteBuf in) {
            while (in.isReadable()) {
                if (position == 0) {
                    lastChunk = in.getByte(in.readerIndex()) == Wire.LAST;
                }
                int n = Math.min(in.readableBytes(), size - position);
                in.skipBytes(n);
                position += n;
                if (position == size) {
                    position = 0;
                    if (lastChunk) {
                        ctx.write(Unpooled.wrappedBuffer(new byte[] {Wire.ACK}));
                    }
                }
            }
            in.release();
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (handler != null) {
                handler.execute(reply::release); // after any reply still queued
                handler.shutdown();
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            System.err.println("bench-server: connection failed: " + cause);
            ctx.close();
        }
    }

    /**
     * The client side: one connection per scenario, driven by a handler on the event loop; for gRPC, one gRPC
     * channel on the same loop.
     */
    private static final class Client implements ClientSide {
        private final Bootstrap bootstrap;
        private final SocketAddress remote;
        private final SocketAddress grpcRemote;
        private final Class<? extends Channel> channel;
        private final Function<Channel, String> path;

        Client(Bootstrap bootstrap, SocketAddress remote, SocketAddress grpcRemote, Class<? extends Channel> channel,
                Function<Channel, String> path) {
            this.bootstrap = bootstrap;
            this.remote = remote;
            this.grpcRemote = grpcRemote;
            this.channel = channel;
            this.path = path;
        }

        @Override
        public String roundTrips(int size, RoundTrips trips) throws Exception {
            return drive(bootstrap.clone(), new RoundTripDriver(size, trips), ch -> { });
        }

        @Override
        public String rpc(int size, RoundTrips trips) throws Exception {
            RpcDriver driver = new RpcDriver(size);
            return drive(bootstrap.clone(), driver, ch -> {
                ByteBuf request = ch.alloc().directBuffer(size).writeZero(size);
                try {
                    for (long t; (t = trips.next()) >= 0; ) {
                        CompletableFuture<Void> call = driver.calls.expect();
                        ch.writeAndFlush(request.retainedDuplicate()); // from this thread: a task for the loop
                        PendingCall.await(call);
                        trips.replied(t);
                    }
                } finally {
                    request.release();
                }
            });
        }

        /** A gRPC channel on the client's event loop; {@code connection} gets the Netty channel it opens. */
        private ManagedChannel grpcChannel(AtomicReference<Channel> connection) {
            ReflectiveChannelFactory<? extends Channel> channels = new ReflectiveChannelFactory<>(channel);
            return NettyChannelBuilder.forAddress(grpcRemote)
                    .channelFactory(() -> {
                        Channel ch = channels.newChannel();
                        connection.set(ch); // the connection whose path the case reports
                        return ch;
                    }, grpcRemote.getClass())
                    .eventLoopGroup(bootstrap.config().group()).usePlaintext().build();
        }

        @Override
        public String grpcStream(int size, StreamRun run) throws Exception {
            AtomicReference<Channel> connection = new AtomicReference<>();
            ManagedChannel grpc = grpcChannel(connection);
            try {
                GrpcEcho.Stream stream = GrpcEcho.stream(grpc);
                byte[] message = new byte[size];
                byte[] last = new byte[size];
                last[0] = Wire.LAST;
                long rounds = 0;
                do {
                    byte first;
                    do {
                        first = run.nextChunk();
                        stream.send(first == Wire.LAST ? last : message);
                    } while (first != Wire.LAST);
                    stream.awaitAcknowledged(++rounds);
                } while (run.acknowledged());
                stream.finish();
                return path.apply(connection.get());
            } finally {
                grpc.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        }

        @Override
        public String grpc(int size, RoundTrips trips) throws Exception {
            AtomicReference<Channel> connection = new AtomicReference<>();
            ManagedChannel grpc = grpcChannel(connection);
            try {
                byte[] request = new byte[size];
                // gRPC connects on the first call: made before the warm-up, as the other scenarios connect first.
                if (GrpcEcho.call(grpc, request).length != size) {
                    throw new IOException("the gRPC reply is not the request echoed");
                }
                for (long t; (t = trips.next()) >= 0; ) {
                    GrpcEcho.call(grpc, request);
                    trips.replied(t);
                }
                return path.apply(connection.get());
            } finally {
                grpc.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        }

        @Override
        public String stream(int size, StreamRun run) throws Exception {
            // Keep one to two writes queued in Netty's outbound buffer, so that the socket never runs dry.
            return drive(bootstrap.clone().option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                    new WriteBufferWaterMark(size, 2 * size)), new StreamDriver(size, run), ch -> { });
        }

        @Override
        public String connections(RoundTrips trips) throws Exception {
            PathTally taken = new PathTally();
            for (long t; (t = trips.next()) >= 0; ) {
                ConnectDriver driver = new ConnectDriver(trips, t);
                Channel ch = bootstrap.clone().handler(driver).connect(remote).sync().channel();
                try {
                    await(driver);
                    taken.add(path.apply(ch));
                } finally {
                    ch.close().sync();
                }
            }
            return taken.toString();
        }

        /** Connects with {@code driver}, waits until it is done, then runs {@code then} on the channel. */
        private String drive(Bootstrap b, Driver driver, OnChannel then) throws Exception {
            Channel ch = b.handler(driver).connect(remote).sync().channel();
            try {
                await(driver);
                then.run(ch);
                return path.apply(ch);
            } finally {
                ch.close().sync();
            }
        }

        private static void await(Driver driver) throws Exception {
            try {
                driver.done.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }
    }

    /** What the client's thread does with the channel once its driver is done. */
    private interface OnChannel {
        void run(Channel ch) throws Exception;
    }

    /**
     * Runs a scenario on the client's event loop: starts once the channel is active (for Shunt, after its
     * handshake), is told how many bytes arrived, and completes {@link #done}.
     */
    private abstract static class Driver extends ChannelInboundHandlerAdapter {
        final CompletableFuture<Void> done = new CompletableFuture<>();

        abstract void start(ChannelHandlerContext ctx) throws Exception;

        abstract void received(ChannelHandlerContext ctx, int bytes) throws Exception;

        /** The connection broke. */
        void failed(Throwable cause) {
            done.completeExceptionally(cause);
        }

        @Override
        public final void channelActive(ChannelHandlerContext ctx) {
            try {
                start(ctx);
            } catch (Exception e) {
                failed(e);
            }
        }

        @Override
        public final void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            int bytes = in.readableBytes();
            in.release();
            try {
                received(ctx, bytes);
            } catch (Exception e) {
                failed(e);
            }
        }

        @Override
        public final void channelInactive(ChannelHandlerContext ctx) {
            failed(new IOException("the server closed the connection"));
        }

        @Override
        public final void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failed(cause);
        }
    }

    /** Ping-pong: the next message goes out from the handler that received the reply. */
    private static final class RoundTripDriver extends Driver {
        private final int size;
        private final RoundTrips trips;
        private ByteBuf message;
        private long intended;
        private int awaited;

        RoundTripDriver(int size, RoundTrips trips) {
            this.size = size;
            this.trips = trips;
        }

        @Override
        void start(ChannelHandlerContext ctx) throws IOException {
            message = ctx.alloc().directBuffer(size).writeZero(size);
            ctx.write(Unpooled.wrappedBuffer(Wire.header(Wire.ECHO, size)));
            send(ctx);
        }

        private void send(ChannelHandlerContext ctx) throws IOException {
            intended = trips.next();
            if (intended < 0) {
                message.release();
                done.complete(null);
                return;
            }
            awaited = size;
            ctx.writeAndFlush(message.retainedDuplicate());
        }

        @Override
        void received(ChannelHandlerContext ctx, int bytes) throws IOException {
            awaited -= bytes;
            if (awaited == 0) {
                trips.replied(intended);
                send(ctx);
            }
        }
    }

    /**
     * RPC: done as soon as the header is out; from then on the application thread writes the requests, and
     * {@code channelRead} completes the pending call once the whole reply is in.
     */
    private static final class RpcDriver extends Driver {
        final PendingCall calls = new PendingCall();
        private final int size;
        private int arrived;

        RpcDriver(int size) {
            this.size = size;
        }

        @Override
        void start(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(Wire.header(Wire.RPC, size)));
            done.complete(null);
        }

        @Override
        void received(ChannelHandlerContext ctx, int bytes) {
            arrived += bytes;
            if (arrived == size) {
                arrived = 0;
                calls.complete();
            }
        }

        @Override
        void failed(Throwable cause) {
            super.failed(cause);
            calls.fail(cause);
        }
    }

    /** Streaming: writes while the channel is writable, one round after the other. */
    private static final class StreamDriver extends Driver {
        private final int size;
        private final StreamRun run;
        private ByteBuf chunk;
        private ByteBuf lastChunk;
        private boolean roundWritten;

        StreamDriver(int size, StreamRun run) {
            this.size = size;
            this.run = run;
        }

        @Override
        void start(ChannelHandlerContext ctx) {
            chunk = ctx.alloc().directBuffer(size).writeZero(size);
            lastChunk = ctx.alloc().directBuffer(size).writeZero(size).setByte(0, Wire.LAST);
            ctx.write(Unpooled.wrappedBuffer(Wire.header(Wire.SINK, size)));
            pump(ctx);
        }

        private void pump(ChannelHandlerContext ctx) {
            while (!roundWritten && ctx.channel().isWritable()) {
                roundWritten = run.nextChunk() == Wire.LAST;
                ctx.write((roundWritten ? lastChunk : chunk).retainedDuplicate());
            }
            ctx.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                pump(ctx);
            }
        }

        @Override
        void received(ChannelHandlerContext ctx, int bytes) throws IOException {
            if (run.acknowledged()) {
                roundWritten = false;
                pump(ctx);
            } else {
                chunk.release();
                lastChunk.release();
                done.complete(null);
            }
        }
    }

    /** Connection set-up: the connection counts as ready when it turns active. */
    private static final class ConnectDriver extends Driver {
        private final RoundTrips trips;
        private final long started;

        ConnectDriver(RoundTrips trips, long started) {
            this.trips = trips;
            this.started = started;
        }

        @Override
        void start(ChannelHandlerContext ctx) {
            trips.replied(started);
            done.complete(null);
        }

        @Override
        void received(ChannelHandlerContext ctx, int bytes) {
            // the server sends nothing on these connections
        }
    }
}
