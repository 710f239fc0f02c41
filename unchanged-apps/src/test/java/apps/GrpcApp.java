package apps;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * A grpc-java application on Unix domain sockets, as written without Shunt: the server on {@code NettyServerBuilder}
 * with {@code EpollServerDomainSocketChannel} and epoll loops, the client on a {@code unix:} target (grpc-java then
 * picks {@code EpollDomainSocketChannel} and its own epoll loops by reflection). The service has no generated code:
 * byte-array messages, a unary echo, a bidirectional-streaming echo, and a unary call that answers the server's
 * {@link Report}.
 *
 * <p>The client is the same on {@code grpc-netty-shaded} (whichever grpc-java transport the class path holds), whose
 * server is {@link ShadedGrpcServer}.
 *
 * <p>{@code server <path>}: prints {@code READY} and serves until killed. {@code client <path> <unary calls> <stream
 * messages>}: unary calls of random sizes (each answer compared), then a stream of random messages echoed back
 * (checksums compared), and prints {@code REPORT <shunt> server <server's shunt> unary=<ok|n bad> stream=<ok|crc>}.
 */
public final class GrpcApp {
    private static final String SERVICE = "apps.Echo";
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    private static final MethodDescriptor<byte[], byte[]> UNARY = method(MethodDescriptor.MethodType.UNARY, "Unary");
    private static final MethodDescriptor<byte[], byte[]> BIDI =
            method(MethodDescriptor.MethodType.BIDI_STREAMING, "Bidi");
    private static final MethodDescriptor<byte[], byte[]> REPORT = method(MethodDescriptor.MethodType.UNARY, "Report");

    private GrpcApp() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("server")) {
            server(args[1]);
        } else {
            client(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        }
    }

    private static MethodDescriptor<byte[], byte[]> method(MethodDescriptor.MethodType type, String name) {
        return MethodDescriptor.<byte[], byte[]>newBuilder().setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    }

    private static void server(String path) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        Server server = NettyServerBuilder.forAddress(new DomainSocketAddress(path))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(group).workerEventLoopGroup(group)
                .addService(service()).build().start();
        System.out.println("READY");
        server.awaitTermination();
    }

    /** @return the echo service, whichever grpc-java transport serves it */
    static ServerServiceDefinition service() {
        return ServerServiceDefinition.builder(SERVICE)
                .addMethod(UNARY, ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext(request);
                    response.onCompleted();
                }))
                .addMethod(BIDI, ServerCalls.asyncBidiStreamingCall(response -> new StreamObserver<byte[]>() {
                    @Override
                    public void onNext(byte[] value) {
                        response.onNext(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        response.onError(t);
                    }

                    @Override
                    public void onCompleted() {
                        response.onCompleted();
                    }
                }))
                .addMethod(REPORT, ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext(Report.shunt().getBytes(StandardCharsets.UTF_8));
                    response.onCompleted();
                }))
                .build();
    }

    private static void client(String path, int unaryCalls, int streamMessages) throws Exception {
        ManagedChannel channel = Grpc.newChannelBuilder("unix:" + path, InsecureChannelCredentials.create()).build();
        try {
            Random random = new Random(unaryCalls);
            int bad = 0;
            for (int i = 0; i < unaryCalls; i++) {
                byte[] request = new byte[random.nextInt(4096)];
                random.nextBytes(request);
                byte[] answer = ClientCalls.blockingUnaryCall(channel, UNARY, CallOptions.DEFAULT, request);
                bad += Arrays.equals(request, answer) ? 0 : 1;
            }
            String stream = stream(channel, random, streamMessages);
            String server = new String(ClientCalls.blockingUnaryCall(channel, REPORT, CallOptions.DEFAULT,
                    new byte[0]), StandardCharsets.UTF_8);
            System.out.println("REPORT " + Report.shunt() + " server " + server + " unary="
                    + (bad == 0 ? "ok" : bad + " bad") + " stream=" + stream);
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** @return {@code ok} when every message came back in order, else the two checksums */
    private static String stream(ManagedChannel channel, Random random, int messages) throws Exception {
        CRC32 received = new CRC32();
        CountDownLatch all = new CountDownLatch(messages);
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<byte[]> requests = ClientCalls.asyncBidiStreamingCall(
                channel.newCall(BIDI, CallOptions.DEFAULT), new StreamObserver<>() {
                    @Override
                    public void onNext(byte[] value) {
                        received.update(value);
                        all.countDown();
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(null);
                    }
                });
        CRC32 sent = new CRC32();
        for (int i = 0; i < messages; i++) {
            byte[] message = new byte[1 + random.nextInt(1024)];
            random.nextBytes(message);
            sent.update(message);
            requests.onNext(message);
        }
        requests.onCompleted();
        done.get(120, TimeUnit.SECONDS);
        all.await();
        return received.getValue() == sent.getValue() ? "ok" : sent.getValue() + "/" + received.getValue();
    }
}
