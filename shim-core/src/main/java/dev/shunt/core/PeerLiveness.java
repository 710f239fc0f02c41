package dev.shunt.core;

import dev.shunt.nativeio.NativeCallException;
import dev.shunt.nativeio.UnixSockets;

/**
 * Whether the peer process is still there, told by the connection's kernel socket, which the fast path keeps open
 * beside the rings: its hang-up means the peer closed or died. The same socket carries the doorbell bytes that wake
 * a peer sleeping in {@code epoll}. A parked thread checks it when it wakes; a long sleep is watched
 * for it, by the {@link LivenessWatch} (platform threads) or the {@link VirtualThreadWaker} (virtual threads); an event loop
 * learns it from {@code EPOLLRDHUP} and {@link #drainDoorbell()}.
 */
final class PeerLiveness {
    /** What {@code poll} reports when the peer closed its socket, died, or the descriptor is no longer there. */
    static final int HANG_UP = UnixSockets.POLLRDHUP | UnixSockets.POLLHUP | UnixSockets.POLLERR
            | UnixSockets.POLLNVAL;

    private final int socketFd;
    private volatile boolean gone;

    PeerLiveness(int socketFd) {
        this.socketFd = socketFd;
    }

    /** @return whether the peer is known to be gone */
    boolean gone() {
        return gone;
    }

    /** Polls the socket for hang-up without blocking. */
    void check() throws NativeCallException {
        if (!gone && (UnixSockets.poll(socketFd, UnixSockets.POLLRDHUP, 0) & HANG_UP) != 0) {
            gone = true;
        }
    }

    /** The socket was seen hung up elsewhere ({@link LivenessWatch}). */
    void hungUp() {
        gone = true;
    }

    /** Rings the peer's doorbell: one byte. A full socket buffer already holds a ring; a failure means it is gone. */
    void ringDoorbell() {
        try {
            UnixSockets.sendByte(socketFd);
        } catch (NativeCallException e) {
            gone = true;
        }
    }

    /**
     * Discards the doorbell bytes one {@code recv} returns (a level-triggered watcher hears of the rest); an end
     * of stream there means the peer closed its socket or died.
     *
     * @return whether the peer is gone
     */
    boolean drainDoorbell() {
        try {
            if (UnixSockets.discardAvailable(socketFd)) {
                gone = true;
            }
        } catch (NativeCallException e) {
            gone = true;
        }
        return gone;
    }
}
