package dev.shunt.netty;

import io.netty.channel.epoll.EpollIoHandle;

/**
 * The {@link io.netty.channel.IoHandle} of a channel that may carry shared-memory rings: an {@link EpollIoHandle}
 * for its kernel socket, registered with the loop's epoll like any other, plus the hook by which a
 * {@link ShuntIoHandler} offers itself to drive the rings. {@link ShuntIoHandler#register} recognises this type as
 * Netty's {@code EpollIoHandler} recognises {@link EpollIoHandle}.
 */
interface RingIoHandle extends EpollIoHandle {
    /**
     * Called on registration, before the socket goes to epoll.
     *
     * @param handler the handler whose loop will poll and put to sleep this handle's rings
     */
    void attach(ShuntIoHandler handler);

    /** Closes the channel; never throws. */
    @Override
    void close();
}
