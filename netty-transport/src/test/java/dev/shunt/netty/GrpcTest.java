package dev.shunt.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.FallbackReason;
import dev.shunt.core.MetricsSnapshot;
import dev.shunt.core.ShuntMetrics;
import dev.shunt.core.testing.ChildJvm;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * grpc-java (unshaded grpc-netty) between two JVMs: a unary and a bidirectional-streaming call over the Shunt
 * channels on the fast path, and the same against (and from) a stock Epoll gRPC peer, in fallback.
 */
class GrpcTest {
    private static final int STREAM_MESSAGES = 2000;

    @Test
    void unaryAndBidiOnTheFastPath() throws Exception {
        DomainSocketAddress address = TestSupport.newAddress();
        try (ChildJvm peer = ChildJvm.start(List.of("shunt.enabled=true"), GrpcPeer.class, address.path(), "shunt")) {
            peer.expect("READY", 60, TimeUnit.SECONDS);
            MetricsSnapshot before = ShuntMetrics.snapshot();
            ManagedChannel channel = shuntChannel(address);
            try {
                calls(channel);
                String[] server = metrics(channel);
                assertTrue(Long.parseLong(server[0]) >= 1, "the server's connection is on the fast path");
                assertEquals("0", server[1], "no server connection fell back");
            } finally {
                channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
            MetricsSnapshot after = ShuntMetrics.snapshot();
            assertTrue(after.fastPathConnectionsOpened() - before.fastPathConnectionsOpened() >= 1);
            assertTrue(after.fastPathBytesOut() - before.fastPathBytesOut() >= STREAM_MESSAGES * 1024L);
            assertTrue(after.fastPathBytesIn() - before.fastPathBytesIn() >= STREAM_MESSAGES * 1024L);
        }
    }

    @Test
    void shuntClientAgainstAStockEpollServerFallsBack() throws Exception {
        DomainSocketAddress address = TestSupport.newAddress();
        try (ChildJvm peer = ChildJvm.start(List.of("shunt.enabled=true"), GrpcPeer.class, address.path(), "epoll")) {
            peer.expect("READY", 60, TimeUnit.SECONDS);
            MetricsSnapshot before = ShuntMetrics.snapshot();
            ManagedChannel channel = shuntChannel(address);
            try {
                calls(channel);
            } finally {
                channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
            MetricsSnapshot after = ShuntMetrics.snapshot();
            assertEquals(before.fastPathConnectionsOpened(), after.fastPathConnectionsOpened());
            assertTrue(after.fallbacks(FallbackReason.PEER_NOT_SHUNT) > before.fallbacks(FallbackReason.PEER_NOT_SHUNT));
        }
    }

    @Test
    void stockEpollClientAgainstAShuntServerFallsBack() throws Exception {
        DomainSocketAddress address = TestSupport.newAddress();
        try (ChildJvm peer = ChildJvm.start(List.of("shunt.enabled=true"), GrpcPeer.class, address.path(), "shunt")) {
            peer.expect("READY", 60, TimeUnit.SECONDS);
            ManagedChannel channel = channel(address, EpollDomainSocketChannel.class, TestSupport.EPOLL_GROUP);
            try {
                calls(channel);
                String[] server = metrics(channel);
                assertEquals("0", server[0], "no server connection on the fast path");
                assertTrue(Long.parseLong(server[1]) >= 1, "the server saw a client that does not run Shunt");
            } finally {
                channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    private static ManagedChannel shuntChannel(DomainSocketAddress address) {
        return NettyChannelBuilder.forAddress(address)
                .channelFactory(() -> new ShuntDomainSocketChannel(TestSupport.FAST), DomainSocketAddress.class)
                .eventLoopGroup(TestSupport.SHUNT_GROUP).usePlaintext().build();
    }

    private static ManagedChannel channel(DomainSocketAddress address, Class<? extends Channel> type,
            EventLoopGroup group) {
        return NettyChannelBuilder.forAddress(address).channelType(type, DomainSocketAddress.class)
                .eventLoopGroup(group).usePlaintext().build();
    }

    private static String[] metrics(ManagedChannel channel) {
        byte[] answer = ClientCalls.blockingUnaryCall(channel, GrpcEcho.METRICS, CallOptions.DEFAULT, new byte[0]);
        return new String(answer, StandardCharsets.US_ASCII).split(" ");
    }

    /** One unary call and one bidirectional stream of {@value #STREAM_MESSAGES} messages, each checked. */
    private static void calls(ManagedChannel channel) throws Exception {
        Random random = new Random(3);
        byte[] request = new byte[100_000];
        random.nextBytes(request);
        byte[] response = ClientCalls.blockingUnaryCall(channel, GrpcEcho.UNARY,
                CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), request);
        assertArrayEquals(request, response);

        List<byte[]> sent = new ArrayList<>();
        List<byte[]> received = new ArrayList<>();
        CompletableFuture<Void> completed = new CompletableFuture<>();
        StreamObserver<byte[]> requests = ClientCalls.asyncBidiStreamingCall(
                channel.newCall(GrpcEcho.BIDI, CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS)),
                new StreamObserver<byte[]>() {
                    @Override
                    public void onNext(byte[] value) {
                        synchronized (received) {
                            received.add(value);
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        completed.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        completed.complete(null);
                    }
                });
        for (int i = 0; i < STREAM_MESSAGES; i++) {
            byte[] message = new byte[1024 + random.nextInt(4096)];
            random.nextBytes(message);
            sent.add(message);
            requests.onNext(message);
        }
        requests.onCompleted();
        completed.get(60, TimeUnit.SECONDS);
        synchronized (received) {
            assertEquals(sent.size(), received.size());
            for (int i = 0; i < sent.size(); i++) {
                assertArrayEquals(sent.get(i), received.get(i), "message " + i);
            }
        }
    }
}
