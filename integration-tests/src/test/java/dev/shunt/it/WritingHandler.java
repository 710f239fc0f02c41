package dev.shunt.it;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * A Netty handler that writes whenever its channel can take more: once active, and again each time the channel
 * turns writable, it queues writes ({@link #writeNext}) while the channel stays writable, then flushes.
 */
abstract class WritingHandler extends ChannelInboundHandlerAdapter {
    /**
     * Queues one more write.
     *
     * @return false when there is nothing left to write
     */
    abstract boolean writeNext(ChannelHandlerContext ctx);

    /** Called when the channel became active, before the first writes. */
    void activated(ChannelHandlerContext ctx) throws Exception {
    }

    /** Called on each writability change, before writing resumes. */
    void writabilityChanged(boolean writable) {
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        activated(ctx);
        writeMore(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        writabilityChanged(ctx.channel().isWritable());
        writeMore(ctx);
        ctx.fireChannelWritabilityChanged();
    }

    private void writeMore(ChannelHandlerContext ctx) {
        while (ctx.channel().isActive() && ctx.channel().isWritable() && writeNext(ctx)) {
            // Each call queued one write.
        }
        ctx.flush();
    }
}
