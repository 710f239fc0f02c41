package dev.shunt.it;

import dev.shunt.core.ShuntConfig;
import dev.shunt.netty.ShuntServerDomainSocketChannel;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32;

/**
 * Checksums what one channel receives; when the peer's output ends, completes {@link #received} with
 * "bytes crc32" and closes the channel. {@link #serveOne} binds a server whose first child gets one.
 */
final class ChecksumSink extends ChannelInboundHandlerAdapter {
    /** The channel this sink reads. */
    final Channel channel;
    final CompletableFuture<String> received = new CompletableFuture<>();
    private final CRC32 crc = new CRC32();
    private long bytes;

    private ChecksumSink(Channel channel) {
        this.channel = channel;
    }

    /**
     * Binds a Shunt server at {@code path} whose children (half-closure allowed) each get a sink.
     *
     * @param accepted completed with the first child's sink
     * @return the listening channel
     */
    static Channel serveOne(EventLoopGroup boss, EventLoopGroup child, ShuntConfig config, Path path,
            CompletableFuture<ChecksumSink> accepted) throws InterruptedException {
        return new ServerBootstrap().group(boss, child)
                .channelFactory(() -> new ShuntServerDomainSocketChannel(config))
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ChecksumSink sink = new ChecksumSink(ch);
                        ch.pipeline().addLast(sink);
                        accepted.complete(sink);
                    }
                }).bind(new DomainSocketAddress(path.toString())).sync().channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        bytes += buf.readableBytes();
        crc.update(buf.nioBuffer());
        buf.release();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            received.complete(bytes + " " + crc.getValue());
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        received.completeExceptionally(cause);
        ctx.close();
    }
}
