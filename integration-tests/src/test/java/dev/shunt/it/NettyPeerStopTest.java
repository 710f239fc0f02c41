package dev.shunt.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.ShuntConfig;
import dev.shunt.core.testing.ChildJvm;
import dev.shunt.core.testing.TestProtection;
import dev.shunt.netty.ShuntDomainSocketChannel;
import dev.shunt.netty.ShuntEventLoopGroup;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * SIGSTOP of a Netty echo peer in another JVM while a Netty writer here streams 64 MiB through it on the fast
 * path: the writer's channel turns unwritable ({@code channelWritabilityChanged}, {@code isWritable()} false)
 * and neither writes nor reads progress while the peer is stopped; after SIGCONT every byte comes back in order.
 */
class NettyPeerStopTest {
    private static final ShuntConfig CONFIG = TestProtection.fastPath(65536, 20_000, 5_000);
    private static final long TOTAL = 64L << 20;
    private static final int CHUNK = 8192;

    /** Writes the sequence while writable, checks the echo byte by byte, counts writability changes. */
    private static final class Writer extends WritingHandler {
        final AtomicLong written = new AtomicLong();
        final AtomicLong read = new AtomicLong();
        final AtomicInteger turnedUnwritable = new AtomicInteger();
        final AtomicInteger turnedWritable = new AtomicInteger();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        private long queued;

        @Override
        void writabilityChanged(boolean writable) {
            (writable ? turnedWritable : turnedUnwritable).incrementAndGet();
        }

        @Override
        boolean writeNext(ChannelHandlerContext ctx) {
            if (queued >= TOTAL) {
                return false;
            }
            ByteBuf chunk = ctx.alloc().directBuffer(CHUNK);
            for (int i = 0; i < CHUNK; i++) {
                chunk.writeByte(PeerStopTest.at(queued + i));
            }
            queued += CHUNK;
            ctx.write(chunk).addListener(f -> {
                if (f.isSuccess()) {
                    written.addAndGet(CHUNK);
                } else {
                    done.completeExceptionally(f.cause());
                }
            });
            return true;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                long position = read.get();
                for (int i = buf.readerIndex(); i < buf.writerIndex(); i++, position++) {
                    if (buf.getByte(i) != PeerStopTest.at(position)) {
                        done.completeExceptionally(new AssertionError("byte " + position + " differs"));
                        ctx.close();
                        return;
                    }
                }
                read.set(position);
                if (position == TOTAL) {
                    done.complete(null);
                }
            } finally {
                buf.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.completeExceptionally(new AssertionError("the channel closed after " + read + " bytes"));
            ctx.fireChannelInactive();
        }
    }

    private static void await(String what, long seconds, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "no " + what + " within " + seconds + " s");
            Thread.sleep(1);
        }
    }

    @Test
    void stoppedPeerMakesTheWriterUnwritableThenAllResumesInOrder() throws Exception {
        EventLoopGroup group = new ShuntEventLoopGroup(1, new DefaultThreadFactory("netty-stop", true), CONFIG);
        try (TempDirectory dir = TempDirectory.create("shunt-nstop");
                ChildJvm peer = ChildJvm.start(List.of("shunt.enabled=true", "shunt.ringBytes=65536"),
                NettyFaultPeer.class, "echo-server", dir.resolve("s").toString())) {
            peer.expect("READY", 60, TimeUnit.SECONDS);
            Writer writer = new Writer();
            ShuntDomainSocketChannel channel = (ShuntDomainSocketChannel) new Bootstrap().group(group)
                    .channelFactory(() -> new ShuntDomainSocketChannel(CONFIG)).handler(writer)
                    .connect(new DomainSocketAddress(dir.resolve("s").toString())).sync().channel();
            try {
                assertTrue(channel.isFastPath(), "fast path: " + channel.fallbackReason());
                await("4 MiB echoed", 60, () -> writer.read.get() >= (4 << 20) || writer.done.isDone());
                assertFalse(writer.done.isCompletedExceptionally());
                PeerStopTest.signal(peer, "STOP");
                // The rings and the echo's buffers fill up, then the outbound buffer passes its high-water mark;
                // what the peer echoed before it stopped may still be read. Then nothing may move: three
                // half-second samples in a row, unwritable, without a written or read byte.
                await("unwritable channel", 60, () -> !channel.isWritable());
                long stalledWritten = -1;
                long stalledRead = -1;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                for (int stable = 0; stable < 3; ) {
                    assertTrue(System.nanoTime() < deadline, "the writer never stalled while the peer was stopped: "
                            + writer.written + " written, " + writer.read + " read");
                    Thread.sleep(500);
                    long w = writer.written.get();
                    long r = writer.read.get();
                    stable = w == stalledWritten && r == stalledRead && !channel.isWritable() ? stable + 1 : 0;
                    stalledWritten = w;
                    stalledRead = r;
                }
                // The events alternate, starting from writable: the last one reported the channel unwritable.
                assertEquals(writer.turnedWritable.get() + 1, writer.turnedUnwritable.get(),
                        "channelWritabilityChanged did not report the stop");
                assertTrue(stalledWritten < TOTAL, "the whole stream went out while the peer was stopped");
                int writableBefore = writer.turnedWritable.get();
                System.out.printf("Netty writer stalled with %d KiB of %d MiB written, %d KiB read back%n",
                        stalledWritten >> 10, TOTAL >> 20, stalledRead >> 10);
                PeerStopTest.signal(peer, "CONT");
                writer.done.get(120, TimeUnit.SECONDS);
                assertEquals(TOTAL, writer.read.get());
                assertEquals(TOTAL, writer.written.get());
                assertTrue(writer.turnedWritable.get() > writableBefore, "never writable again after SIGCONT");
            } finally {
                channel.close().sync();
            }
            assertEquals("", peer.expect("DONE", 30, TimeUnit.SECONDS));
            assertEquals(0, peer.waitFor(30, TimeUnit.SECONDS), peer.stderr());
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
