package dev.shunt.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.FallbackReason;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntMetrics;
import dev.shunt.nativeio.testing.NoDescriptorLeaks;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketReadMode;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.UnixChannelOption;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Echo and descriptor passing between Shunt channels on both paths, and the facts each side reports. */
class ShuntChannelTest {
    @Test
    void echoOnTheFastPath() throws Exception {
        echo(TestSupport.FAST, TestSupport.FAST, true);
    }

    @Test
    void echoWithShuntDisabled() throws Exception {
        echo(TestSupport.DISABLED, TestSupport.DISABLED, false);
    }

    @Test
    void passesDescriptorsOnTheFastPath() throws Exception {
        passDescriptor(TestSupport.FAST, true);
    }

    @Test
    void passesDescriptorsWithShuntDisabled() throws Exception {
        passDescriptor(TestSupport.DISABLED, false);
    }

    /**
     * A writer whose ring is full because the peer reads nothing sleeps on its doorbell instead of spinning, and
     * resumes when the peer reads.
     */
    @Test
    void aWriterBlockedOnAFullRingSleepsAndResumes() throws Exception {
        DomainSocketAddress address = TestSupport.newAddress();
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        int size = 4 * TestSupport.FAST.ringBytes();
        AtomicLong received = new AtomicLong();
        CompletableFuture<Void> all = new CompletableFuture<>();
        Channel server = ShuntPermutations.shuntServer(TestSupport.FAST)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        accepted.complete(ctx.channel());
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        if (received.addAndGet(((ByteBuf) msg).readableBytes()) == size) {
                            all.complete(null);
                        }
                        ((ByteBuf) msg).release();
                    }
                }).bind(address).sync().channel();
        try {
            ShuntDomainSocketChannel client = (ShuntDomainSocketChannel) ShuntPermutations.shuntClient(TestSupport.FAST)
                    .handler(new ChannelInboundHandlerAdapter()).connect(address).sync().channel();
            assertTrue(client.isFastPath());
            ChannelFuture written = client.writeAndFlush(Unpooled.wrappedBuffer(new byte[size]));
            long loopThread = client.eventLoop().submit(() -> Thread.currentThread().getId()).get();
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpuBefore = CompletableFuture.supplyAsync(() -> threads.getThreadCpuTime(loopThread),
                    CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS)).get();
            long cpuAfter = CompletableFuture.supplyAsync(() -> threads.getThreadCpuTime(loopThread),
                    CompletableFuture.delayedExecutor(1000, TimeUnit.MILLISECONDS)).get();
            assertFalse(written.isDone(), "the ring is full: the write waits");
            long cpuMillis = (cpuAfter - cpuBefore) / 1_000_000;
            assertTrue(cpuMillis < 100, "a blocked writer used " + cpuMillis + " ms of CPU in 1000 ms");
            accepted.get(5, TimeUnit.SECONDS).config().setAutoRead(true);
            written.sync();
            all.get(10, TimeUnit.SECONDS);
            client.close().sync();
        } finally {
            server.close().sync();
        }
    }

    /**
     * With {@link ShuntChannelOption#RECEIVE_IN_PLACE}, received buffers point into the ring (read-only), at most
     * half a ring of them at a time (the rest is copied), and they may be held: a ring's worth arrives while every
     * buffer is held; released from another thread, their space comes back to the writer. Without the option every
     * buffer is a copy, and four rings' worth can be held.
     */
    @Test
    void receivedBuffersPointIntoTheRingOnlyWhenAskedAndMayBeHeld() throws Exception {
        int ring = TestSupport.FAST.ringBytes();
        assertHeldBuffers(true, ring, ring);
        assertHeldBuffers(false, ring, 4 * ring);
    }

    private static void assertHeldBuffers(boolean inPlace, int ring, int size) throws Exception {
        DomainSocketAddress address = TestSupport.newAddress();
        List<ByteBuf> held = new ArrayList<>();
        CompletableFuture<Void> all = new CompletableFuture<>();
        CompletableFuture<Void> more = new CompletableFuture<>();
        Channel server = ShuntPermutations.shuntServer(TestSupport.FAST)
                .childOption(ShuntChannelOption.RECEIVE_IN_PLACE, inPlace)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    private long received;

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf buf = (ByteBuf) msg;
                        received += buf.readableBytes();
                        if (received <= size) {
                            held.add(buf);
                        } else {
                            buf.release();
                        }
                        if (received == size) {
                            all.complete(null);
                        } else if (received == size + ring) {
                            more.complete(null);
                        }
                    }
                }).bind(address).sync().channel();
        try {
            Channel client = ShuntPermutations.shuntClient(TestSupport.FAST)
                    .handler(new ChannelInboundHandlerAdapter()).connect(address).sync().channel();
            byte[] data = new byte[size];
            ThreadLocalRandom.current().nextBytes(data);
            client.writeAndFlush(Unpooled.wrappedBuffer(data)).sync();
            all.get(10, TimeUnit.SECONDS);
            ByteBuf joined = Unpooled.buffer(size);
            long lent = 0;
            for (ByteBuf b : held) {
                joined.writeBytes(b, b.readerIndex(), b.readableBytes());
                lent += b.isReadOnly() ? b.readableBytes() : 0;
            }
            assertArrayEquals(data, io.netty.buffer.ByteBufUtil.getBytes(joined));
            joined.release();
            if (inPlace) {
                assertTrue(lent > 0 && lent <= ring / 2, lent + " bytes held in place, ring of " + ring);
            } else {
                assertEquals(0, lent, "RECEIVE_IN_PLACE=false: every buffer is a copy");
            }
            CompletableFuture.runAsync(() -> held.forEach(ByteBuf::release)).get(5, TimeUnit.SECONDS);
            client.writeAndFlush(Unpooled.wrappedBuffer(new byte[ring])).sync();
            more.get(10, TimeUnit.SECONDS);
            client.close().sync();
        } finally {
            server.close().sync();
        }
    }

    /** Closing both ends gives back every descriptor (sockets, doorbells) and every fast-path stream. */
    @Test
    void closingReleasesEveryDescriptorAndStream() throws Exception {
        connectExchangeClose(TestSupport.FAST, 1);
        connectExchangeClose(TestSupport.DISABLED, 1);
        int descriptors = NoDescriptorLeaks.baseline();
        long streams = ShuntMetrics.snapshot().fastPathConnections();
        long opened = ShuntMetrics.snapshot().fastPathConnectionsOpened();
        connectExchangeClose(TestSupport.FAST, 20);
        connectExchangeClose(TestSupport.DISABLED, 20);
        assertEquals(opened + 2 * 20, ShuntMetrics.snapshot().fastPathConnectionsOpened(), "one stream per side");
        assertEquals(streams, ShuntMetrics.snapshot().fastPathConnections(), "fast-path streams left open");
        assertEquals(descriptors, NoDescriptorLeaks.settledCount(descriptors), "descriptors left open");
    }

    private static void connectExchangeClose(ShuntConfig config, int connections) throws Exception {
        DomainSocketAddress address = TestSupport.newAddress();
        CountDownLatch childrenClosed = new CountDownLatch(connections);
        Channel server = ShuntPermutations.shuntServer(config)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void handlerAdded(ChannelHandlerContext ctx) {
                        ctx.channel().closeFuture().addListener(f -> childrenClosed.countDown());
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
        CountDownLatch echoes = new CountDownLatch(connections);
        List<Channel> clients = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            clients.add(ShuntPermutations.shuntClient(config).handler(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ((ByteBuf) msg).release();
                    echoes.countDown();
                }
            }).connect(address).sync().channel());
        }
        for (Channel c : clients) {
            c.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {7}));
        }
        assertTrue(echoes.await(10, TimeUnit.SECONDS));
        for (Channel c : clients) {
            c.close().sync();
        }
        assertTrue(childrenClosed.await(10, TimeUnit.SECONDS));
        server.close().sync();
    }

    /** The client sends the write end of a pipe; the server writes one byte through the descriptor it got. */
    private static void passDescriptor(ShuntConfig config, boolean fast) throws Exception {
        DomainSocketAddress address = TestSupport.newAddress();
        CompletableFuture<Boolean> serverFast = new CompletableFuture<>();
        Channel server = ShuntPermutations.shuntServer(config)
                .childOption(UnixChannelOption.DOMAIN_SOCKET_READ_MODE, DomainSocketReadMode.FILE_DESCRIPTORS)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
                        FileDescriptor fd = (FileDescriptor) msg;
                        ByteBuf one = Unpooled.directBuffer(1).writeByte('x');
                        try {
                            fd.write(one.nioBuffer(), 0, 1);
                        } finally {
                            one.release();
                            fd.close();
                        }
                        serverFast.complete(((ShuntDomainSocketChannel) ctx.channel()).isFastPath());
                    }
                }).bind(address).sync().channel();
        FileDescriptor[] pipe = FileDescriptor.pipe();
        try {
            ShuntDomainSocketChannel client = (ShuntDomainSocketChannel) ShuntPermutations.shuntClient(config)
                    .handler(new ChannelInboundHandlerAdapter()).connect(address).sync().channel();
            assertEquals(fast, client.isFastPath());
            client.writeAndFlush(pipe[1]).sync();
            assertEquals(fast, serverFast.get(10, TimeUnit.SECONDS));
            ByteBuffer got = ByteBuffer.allocateDirect(1);
            assertEquals(1, pipe[0].read(got, 0, 1));
            assertEquals('x', got.get(0));
            client.close().sync();
        } finally {
            pipe[0].close();
            pipe[1].close();
            server.close().sync();
        }
    }

    /**
     * The core's rules for what both adapters report: a client the application binds itself stays on the kernel
     * socket with CLIENT_BOUND (counted) and keeps its address; SO_SNDBUF/SO_RCVBUF are the ring's capacity on the
     * fast path and the kernel's buffers otherwise.
     */
    @Test
    void aBoundClientFallsBackWithItsOwnReasonAndBufferSizesFollowThePath() throws Exception {
        DomainSocketAddress address = TestSupport.newAddress();
        DomainSocketAddress own = TestSupport.newAddress();
        BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
        Channel server = ShuntPermutations.shuntServer(TestSupport.FAST)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted.add(ch);
                    }
                }).bind(address).sync().channel();
        try {
            long boundBefore = ShuntMetrics.snapshot().fallbacks(FallbackReason.CLIENT_BOUND);
            ShuntDomainSocketChannel bound = (ShuntDomainSocketChannel) new Bootstrap().group(TestSupport.SHUNT_GROUP)
                    .channelFactory(() -> new ShuntDomainSocketChannel(TestSupport.FAST))
                    .handler(new ChannelInboundHandlerAdapter()).connect(address, own).sync().channel();
            assertFalse(bound.isFastPath());
            assertEquals(FallbackReason.CLIENT_BOUND, bound.fallbackReason());
            assertEquals(boundBefore + 1, ShuntMetrics.snapshot().fallbacks(FallbackReason.CLIENT_BOUND));
            Channel boundPeer = accepted.poll(5, TimeUnit.SECONDS);
            assertEquals(own.path(), ((DomainSocketAddress) boundPeer.remoteAddress()).path(), "the client's address");
            assertTrue(bound.config().getSendBufferSize() != TestSupport.FAST.ringBytes()
                    && bound.config().getSendBufferSize() > 0, "the kernel's send buffer on the kernel path");
            bound.close().sync();

            ShuntDomainSocketChannel fast = (ShuntDomainSocketChannel) new Bootstrap().group(TestSupport.SHUNT_GROUP)
                    .channelFactory(() -> new ShuntDomainSocketChannel(TestSupport.FAST))
                    .handler(new ChannelInboundHandlerAdapter()).connect(address).sync().channel();
            assertTrue(fast.isFastPath());
            assertEquals(TestSupport.FAST.ringBytes(), fast.config().getSendBufferSize());
            assertEquals(TestSupport.FAST.ringBytes(), fast.config().getOption(ChannelOption.SO_RCVBUF));
            fast.close().sync();
        } finally {
            server.close().sync();
        }
    }

    private static void echo(ShuntConfig serverConfig, ShuntConfig clientConfig, boolean fast) throws Exception {
        DomainSocketAddress address = TestSupport.newAddress();
        CompletableFuture<ShuntDomainSocketChannel> accepted = new CompletableFuture<>();
        Channel server = new ServerBootstrap().group(TestSupport.SHUNT_GROUP)
                .channelFactory(() -> new ShuntServerDomainSocketChannel(serverConfig))
                .childHandler(new ChannelInboundHandlerAdapter() {
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
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        ThreadLocalRandom.current().nextBytes(data);
        ByteBuf received = Unpooled.buffer(data.length);
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            ShuntDomainSocketChannel client = (ShuntDomainSocketChannel) new Bootstrap().group(TestSupport.SHUNT_GROUP)
                    .channelFactory(() -> new ShuntDomainSocketChannel(clientConfig))
                    .handler(new SimpleChannelInboundHandler<ByteBuf>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                            received.writeBytes(msg);
                            if (received.readableBytes() == data.length) {
                                done.complete(null);
                            }
                        }
                    }).connect(address).sync().channel();
            assertEquals(fast, client.isFastPath());
            assertEquals(fast, accepted.get(5, TimeUnit.SECONDS).isFastPath());
            if (!fast) {
                assertEquals(FallbackReason.DISABLED, client.fallbackReason());
            }
            assertTrue(client.isActive());
            assertEquals(ProcessHandle.current().pid(), client.peerCredentials().pid());
            client.writeAndFlush(Unpooled.wrappedBuffer(data));
            done.get(30, TimeUnit.SECONDS);
            byte[] back = new byte[data.length];
            received.readBytes(back);
            assertArrayEquals(data, back);
            client.close().sync();
            assertFalse(client.isOpen());
        } finally {
            received.release();
            server.close().sync();
        }
    }
}
