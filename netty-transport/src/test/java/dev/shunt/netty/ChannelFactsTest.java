package dev.shunt.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.ShuntConfig;
import dev.shunt.core.StreamCounters;
import dev.shunt.core.testing.TestProtection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.unix.DomainSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * What a channel tells about its connection: its counters (bytes each way, parks of its loop, signals to the peer)
 * and, in {@code toString()}, the path the handshake chose and why.
 */
class ChannelFactsTest {
    @Test
    void aFastPathChannelCountsItsBytesParksAndSignalsAndSaysSo() throws Exception {
        try (Echo echo = new Echo(TestSupport.FAST, TestSupport.FAST)) {
            String path = TestProtection.keysProtectRings() ? "fast path with protection keys"
                    : "fast path without protection keys";
            assertTrue(echo.client.toString().endsWith(" shunt: " + path), echo.client.toString());
            assertTrue(echo.served.toString().endsWith(" shunt: " + path), echo.served.toString());
            echo.roundTrip(100_000);
            assertEquals(100_000, echo.client.counters().bytesSent());
            assertEquals(100_000, echo.client.counters().bytesReceived());
            assertEquals(100_000, echo.served.counters().bytesReceived());
            // Idle, both loops sleep with their doorbells armed: the server's loop wakes only when the client rings it.
            // (The client's loop wakes for the write task itself and may catch the echo while it spins.)
            awaitParked(echo.client);
            awaitParked(echo.served);
            long clientSignals = echo.client.counters().signals();
            echo.roundTrip(1);
            assertTrue(echo.client.counters().signals() > clientSignals, echo.client.counters().toString());
            assertEquals(100_001, echo.served.counters().bytesSent());
            echo.client.close().sync();
            assertEquals(100_001, echo.client.counters().bytesReceived(), "still readable after close");
        }
    }

    @Test
    void aFallbackChannelSaysWhyAndCountsNothing() throws Exception {
        try (Echo echo = new Echo(TestSupport.FAST, TestSupport.DISABLED)) {
            assertTrue(echo.client.toString().endsWith(" shunt: fallback: Shunt is disabled on this side"),
                    echo.client.toString());
            assertTrue(echo.served.toString().endsWith(" shunt: fallback: peer does not run Shunt"),
                    echo.served.toString());
            echo.roundTrip(1000);
            assertEquals(StreamCounters.NONE, echo.client.counters());
            assertEquals(StreamCounters.NONE, echo.served.counters());
        }
    }

    /** Waits (bounded) until the channel's idle loop went to sleep with its doorbell armed. */
    private static void awaitParked(ShuntDomainSocketChannel channel) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (channel.counters().parks() == 0 && System.nanoTime() - deadline < 0) {
            Thread.sleep(5);
        }
        assertTrue(channel.counters().parks() > 0, "the loop never slept: " + channel.counters());
    }

    /** A Shunt client connected to a Shunt echo server. */
    private static final class Echo implements AutoCloseable {
        final Channel server;
        final ShuntDomainSocketChannel client;
        final ShuntDomainSocketChannel served;
        final AtomicLong received = new AtomicLong();
        final LinkedBlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();

        Echo(ShuntConfig serverConfig, ShuntConfig clientConfig) throws Exception {
            DomainSocketAddress address = TestSupport.newAddress();
            CompletableFuture<ShuntDomainSocketChannel> accepted = new CompletableFuture<>();
            server = ShuntPermutations.shuntServer(serverConfig).childHandler(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelActive(ChannelHandlerContext ctx) {
                    accepted.complete((ShuntDomainSocketChannel) ctx.channel());
                    ctx.fireChannelActive();
                }

                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ctx.writeAndFlush(msg);
                }
            }).bind(address).sync().channel();
            client = (ShuntDomainSocketChannel) ShuntPermutations.shuntClient(clientConfig)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            arrivals.add(received.addAndGet(((ByteBuf) msg).readableBytes()));
                            ((ByteBuf) msg).release();
                        }
                    }).connect(address).sync().channel();
            served = accepted.get(5, TimeUnit.SECONDS);
        }

        void roundTrip(int bytes) throws InterruptedException {
            long target = received.get() + bytes;
            client.writeAndFlush(Unpooled.wrappedBuffer(new byte[bytes]));
            for (Long total = arrivals.poll(10, TimeUnit.SECONDS); total < target;
                    total = arrivals.poll(10, TimeUnit.SECONDS)) {
                assertTrue(total != null, "echo stalled at " + received.get() + " of " + target);
            }
        }

        @Override
        public void close() throws InterruptedException {
            client.close().sync();
            server.close().sync();
        }
    }
}
