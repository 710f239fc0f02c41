package dev.shunt.netty;

import io.netty.channel.ChannelOption;

/**
 * Channel options of the Shunt transport, beyond Netty's own.
 *
 * @param <T> the option's value type
 */
public final class ShuntChannelOption<T> extends ChannelOption<T> {
    /**
     * On the fast path, hand received bytes to the pipeline as read-only {@code ByteBuf}s that point into the
     * shared-memory ring (one copy end to end) instead of copying them into allocator buffers. Default
     * {@code false}; no effect on the kernel path.
     *
     * <p>Only for pipelines that release (or copy out of) each received buffer before they need further bytes:
     * decoders that cumulate by copying ({@code ByteToMessageDecoder} copies read-only cumulations), proxies,
     * echo. A held buffer keeps its part of the ring, and the ring's consumer position cannot pass it, so the
     * peer can write at most one ring beyond the oldest held buffer: a handler that keeps buffers while it waits
     * for more bytes (HTTP/2 or gRPC message aggregation larger than that) stalls the connection. At most half a
     * ring is lent at a time; beyond that reads copy. Handlers that write into received buffers get a
     * {@code ReadOnlyBufferException}, and a peer that breaks the protocol can change lent bytes while they are
     * held.
     */
    public static final ChannelOption<Boolean> RECEIVE_IN_PLACE =
            ChannelOption.valueOf(ShuntChannelOption.class, "SHUNT_RECEIVE_IN_PLACE");

    @SuppressWarnings("deprecation")
    private ShuntChannelOption() {
        super(null);
    }
}
