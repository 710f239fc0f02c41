package dev.shunt.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.FallbackReason;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.testing.ChildJvm;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.unix.DomainSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Clients in another process that send the Shunt marker and then stay silent, against a Netty server: each makes the
 * server offer the fast path and wait for an answer that never comes ({@link SilentClients}). They hold no thread each, and a good client meanwhile gets the fast path; beyond {@link Handshakes#OFFERS} waiting offers, Shunt
 * clients are declined at once and served on the kernel socket, until the offers end.
 */
class SilentClientsTest {
    /** A long limit, so that every silent handshake still waits while the good clients connect. */
    /** The server's event loops may start meanwhile; a thread per silent client would be 100. */
    private static final int MAX_ADDED_THREADS = 10;
    private static final ShuntConfig SERVER = TestSupport.FAST.withHandshakeTimeoutMillis(60_000)
            .withRingBytes(64 * 1024);

    @Test
    void silentClientsHoldNoThreadsAndAGoodClientStillGetsTheFastPath() throws Exception {
        int silent = 100;
        int threadsBefore = liveThreads();
        try (Server server = new Server(silent + 1);
                ChildJvm clients = server.silentClients(silent)) {
            ShuntDomainSocketChannel good = server.connect();
            try {
                assertTrue(good.isFastPath(), "the good client is on the fast path");
                server.assertEchoes(good);
                assertEquals(silent + 1, server.closed.getCount(), "the silent handshakes still wait");
                int added = liveThreads() - threadsBefore;
                assertTrue(added <= MAX_ADDED_THREADS, added + " more threads while " + silent
                        + " clients are silent (the event loops' own start among them)");
            } finally {
                good.close().sync();
            }
            clients.kill();
            // The silent clients' sockets close with their process: each waiting handshake ends, and its channel.
            server.awaitAllClosed();
        }
    }

    @Test
    void beyondTheBoundOfWaitingOffersShuntClientsFallBackAtOnce() throws Exception {
        int silent = Handshakes.OFFERS;
        try (Server server = new Server(silent + 2);
                ChildJvm clients = server.silentClients(silent)) {
            ShuntDomainSocketChannel declined = server.connect();
            try {
                assertFalse(declined.isFastPath(), "no place for another offer");
                assertEquals(FallbackReason.PEER_DECLINED, declined.fallbackReason());
                server.assertEchoes(declined);
            } finally {
                declined.close().sync();
            }
            clients.kill();
            server.awaitClosed(1);
            ShuntDomainSocketChannel good = server.connect();
            try {
                assertTrue(good.isFastPath(), "the offers ended: the fast path again");
                server.assertEchoes(good);
            } finally {
                good.close().sync();
            }
            server.awaitAllClosed();
        }
    }

    private static int liveThreads() {
        return Thread.getAllStackTraces().size();
    }

    /** An echo server on the Shunt channels that counts its connections' closes. */
    private static final class Server implements AutoCloseable {
        final DomainSocketAddress address = TestSupport.newAddress();
        final CountDownLatch closed;
        private final Channel channel;

        Server(int connections) throws InterruptedException {
            closed = new CountDownLatch(connections);
            channel = ShuntPermutations.shuntServer(SERVER).childHandler(new ChannelInboundHandlerAdapter() {
                @Override
                public void handlerAdded(ChannelHandlerContext ctx) {
                    ctx.channel().closeFuture().addListener(f -> closed.countDown());
                }

                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ctx.writeAndFlush(msg);
                }

                @Override
                public boolean isSharable() {
                    return true;
                }
            }).bind(address).sync().channel();
        }

        /** @return a process whose {@code count} marked clients all have the server's offer waiting, unread */
        ChildJvm silentClients(int count) throws Exception {
            ChildJvm child = ChildJvm.start(List.of("shunt.enabled=true"), SilentClients.class, address.path(),
                    Integer.toString(count));
            assertEquals(Integer.toString(count), child.expect("SILENT", 120, TimeUnit.SECONDS));
            return child;
        }

        ShuntDomainSocketChannel connect() throws InterruptedException {
            return (ShuntDomainSocketChannel) ShuntPermutations.shuntClient(TestSupport.FAST)
                    .handler(new ChannelInboundHandlerAdapter()).connect(address).sync().channel();
        }

        void assertEchoes(ShuntDomainSocketChannel client) throws Exception {
            CompletableFuture<Byte> echoed = new CompletableFuture<>();
            client.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ByteBuf buf = (ByteBuf) msg;
                    echoed.complete(buf.readByte());
                    buf.release();
                }
            });
            client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {7}));
            assertEquals((byte) 7, echoed.get(30, TimeUnit.SECONDS));
        }

        void awaitClosed(long left) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (closed.getCount() > left && System.nanoTime() - deadline < 0) {
                Thread.sleep(10);
            }
            assertTrue(closed.getCount() <= left, closed.getCount() + " connections still open");
        }

        void awaitAllClosed() throws InterruptedException {
            assertTrue(closed.await(60, TimeUnit.SECONDS), closed.getCount() + " connections still open");
        }

        @Override
        public void close() throws InterruptedException {
            channel.close().sync();
        }
    }
}
