package dev.shunt.netty;

import io.netty.channel.EventLoop;

/**
 * A fast-path channel as its {@link RingPath} and {@link RingDriver} see it: the few hooks they call. Implemented by
 * the channel's {@code Unsafe}; every method runs on the channel's event loop, except {@link #isOpen()}.
 */
interface RingChannel {
    /** @return whether the channel is open */
    boolean isOpen();

    /** @return the loop the channel is registered with */
    EventLoop eventLoop();

    /** @return whether the kernel socket reported {@code EPOLLRDHUP}: on the fast path, the peer closed or died */
    boolean receivedRdHup();

    /** @return whether the pipeline wants bytes from the ring now (active, reading, input not ended) */
    boolean ringReadWanted();

    /** @return whether the channel reads the ring and its input has not ended, whether the pipeline reads now or not */
    boolean ringInputOpen();

    /** Reads from the ring into the pipeline: the byte read loop, {@code EpollStreamUnsafe.epollInReady}. */
    void epollInReadBytes();

    /** Flushes now, although the last flush found no ring space. */
    void forceFlush();

    /**
     * @return whether a write waits for space on the kernel socket itself (a file descriptor being sent): then the
     *     loop must hear the socket's {@code EPOLLOUT}
     */
    boolean socketWriteBlocked();

    /**
     * Listens to the doorbell (the socket's input) or stops listening.
     *
     * @param listen whether {@code EPOLLIN} is wanted on the kernel socket
     */
    void listenToDoorbell(boolean listen);
}
