package dev.shunt.it;

import dev.shunt.core.MetricsSnapshot;
import dev.shunt.core.ShuntMetrics;
import dev.shunt.nativeio.Capabilities;
import dev.shunt.netty.ShuntDomainSocketChannel;
import dev.shunt.netty.ShuntEventLoopGroup;
import dev.shunt.netty.ShuntServerDomainSocketChannel;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * One end of a cross-process transfer on the Netty transport ({@link ShuntEventLoopGroup},
 * {@link ShuntServerDomainSocketChannel}, {@link ShuntDomainSocketChannel}), configured by the {@code shunt.*}
 * system properties and printing the lines {@code PeerProcess} prints for the core API.
 *
 * <pre>
 * NettyTransferPeer server PATH BYTES   bind, print READY, serve one connection
 * NettyTransferPeer client PATH BYTES   connect
 * </pre>
 * Both ends write BYTES of seeded data while reading what the other writes, then shut their output down.
 * Prints, in this order: {@code HANDSHAKE fast protected=<bool>} (whether this process's mapping of the ring
 * data carries a protection key, read from {@code /proc/self/smaps}) or {@code HANDSHAKE fallback:<reason>}
 * (the channel's {@code fallbackReason()}), {@code SENT <bytes> <crc32>}, {@code RECEIVED <bytes> <crc32>},
 * {@code METRICS in=.. out=.. signals=.. parks=.. fallbacks={..}} and {@code KEYS <capability probe>}.
 */
public final class NettyTransferPeer {
    private static final int CHUNK = 64 * 1024;
    private static final int PATTERN = 1 << 20;

    private NettyTransferPeer() {
    }

    /** Entry point, see the class comment. */
    public static void main(String[] args) throws Exception {
        boolean server = args[0].equals("server");
        DomainSocketAddress address = new DomainSocketAddress(args[1]);
        long bytes = Long.parseLong(args[2]);
        EventLoopGroup group = new ShuntEventLoopGroup(1);
        Transfer transfer = new Transfer(bytes, server ? 1 : 2);
        try {
            Channel channel;
            if (server) {
                CompletableFuture<Channel> accepted = new CompletableFuture<>();
                Channel listener = new ServerBootstrap().group(group).channel(ShuntServerDomainSocketChannel.class)
                        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                        .childHandler(new ChannelInitializer<Channel>() {
                            @Override
                            protected void initChannel(Channel ch) {
                                ch.pipeline().addLast(transfer);
                                accepted.complete(ch);
                            }
                        }).bind(address).sync().channel();
                System.out.println("READY");
                channel = accepted.get();
                listener.close().sync();
            } else {
                channel = new Bootstrap().group(group).channel(ShuntDomainSocketChannel.class)
                        .option(ChannelOption.ALLOW_HALF_CLOSURE, true).handler(transfer).connect(address).sync()
                        .channel();
            }
            channel.closeFuture().sync();
            transfer.done.get(1, TimeUnit.SECONDS);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        MetricsSnapshot m = ShuntMetrics.snapshot();
        System.out.println("METRICS in=" + m.fastPathBytesIn() + " out=" + m.fastPathBytesOut() + " signals="
                + m.doorbellSignals() + " parks=" + m.parks() + " fallbacks=" + m.fallbacks());
        System.out.println("KEYS " + Capabilities.current());
        System.out.flush();
    }

    /**
     * Whether this process's mappings of Shunt ring memory carry a protection key other than 0, as the kernel
     * reports them in {@code /proc/self/smaps}.
     */
    static boolean ringPagesCarryAKey() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        boolean inRing = false;
        boolean keyed = false;
        for (String line : lines) {
            if (!line.isEmpty() && Character.isLetterOrDigit(line.charAt(0)) && line.indexOf(' ') > 0
                    && line.substring(0, line.indexOf(' ')).contains("-")) {
                inRing = line.contains("shunt-ring");
            } else if (inRing && line.startsWith("ProtectionKey:")) {
                keyed |= Integer.parseInt(line.substring("ProtectionKey:".length()).trim()) != 0;
            }
        }
        return keyed;
    }

    /** Writes the seeded stream while the channel is writable and checksums what arrives. */
    private static final class Transfer extends WritingHandler {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        private final long bytes;
        /** The pattern followed by a copy of its first chunk, so that any offset below PATTERN starts a chunk. */
        private final ByteBuf pattern = Unpooled.directBuffer(PATTERN + CHUNK);
        private final CRC32 sentCrc = new CRC32();
        private final CRC32 receivedCrc = new CRC32();
        private long left;
        private int at;
        private long received;
        private boolean outputDone;
        private boolean inputDone;

        Transfer(long bytes, long seed) {
            this.bytes = bytes;
            this.left = bytes;
            byte[] data = new byte[PATTERN];
            new Random(seed).nextBytes(data);
            pattern.writeBytes(data).writeBytes(data, 0, CHUNK);
        }

        @Override
        void activated(ChannelHandlerContext ctx) throws IOException {
            ShuntDomainSocketChannel ch = (ShuntDomainSocketChannel) ctx.channel();
            System.out.println("HANDSHAKE " + (ch.isFastPath() ? "fast protected=" + ringPagesCarryAKey()
                    : "fallback:" + ch.fallbackReason().description()));
        }

        @Override
        boolean writeNext(ChannelHandlerContext ctx) {
            if (left == 0) {
                return false;
            }
            int n = (int) Math.min(left, CHUNK);
            ByteBuf chunk = pattern.retainedSlice(at, n);
            sentCrc.update(chunk.nioBuffer());
            at = (at + 7919 * n) & (PATTERN - 1);
            left -= n;
            if (left > 0) {
                ctx.write(chunk);
            } else {
                // The output is shut down once the last chunk is in the ring (or the socket).
                ctx.write(chunk).addListener(f -> {
                    if (f.isSuccess()) {
                        ((ShuntDomainSocketChannel) ctx.channel()).shutdownOutput().addListener(g -> {
                            outputDone = g.isSuccess();
                            finishIfDone(ctx);
                        });
                    } else {
                        fail(ctx, f.cause());
                    }
                });
            }
            return true;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                received += buf.readableBytes();
                receivedCrc.update(buf.nioBuffer());
            } finally {
                buf.release();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ChannelInputShutdownEvent.INSTANCE) {
                inputDone = true;
                finishIfDone(ctx);
            }
            ctx.fireUserEventTriggered(evt);
        }

        private void finishIfDone(ChannelHandlerContext ctx) {
            if (outputDone && inputDone && !done.isDone()) {
                System.out.println("SENT " + bytes + " " + sentCrc.getValue());
                System.out.println("RECEIVED " + received + " " + receivedCrc.getValue());
                done.complete(null);
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(ctx, cause);
        }

        private void fail(ChannelHandlerContext ctx, Throwable cause) {
            System.out.println("ERROR " + cause);
            cause.printStackTrace();
            done.completeExceptionally(cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            pattern.release();
            if (!done.isDone()) {
                done.completeExceptionally(new IOException("the channel closed before the transfer finished"));
            }
            ctx.fireChannelInactive();
        }
    }
}
