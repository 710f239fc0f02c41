package dev.shunt.jdk;

import dev.shunt.nativeio.Epoll;
import dev.shunt.nativeio.EventFd;
import dev.shunt.nativeio.NativeCallException;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The descriptor a selector watches for a Shunt channel whose readiness is not its socket's alone: a private epoll
 * set, which is readable while one of its members is ready (epoll sets nest). It holds the channel's socket (for the
 * peer's doorbell, or the socket's own events on the kernel path) and, while the channel signals itself, one
 * process-wide descriptor that is always readable. A selector is blind to shared memory, and a socket can be made
 * readable only by its peer; the signal is how this process makes a channel ready. Each change is one
 * {@code epoll_ctl}. Thread-safe.
 */
final class PollSet implements Closeable {
    private final Epoll epoll;
    private final int socketFd;
    private int socketEvents;
    private boolean signalled;

    private PollSet(Epoll epoll, int socketFd) {
        this.epoll = epoll;
        this.socketFd = socketFd;
    }

    /**
     * @param socketFd the channel's socket, watched from {@link #watchSocket} on
     * @return an empty set
     */
    static PollSet open(int socketFd) throws IOException {
        return new PollSet(Epoll.create(1), socketFd);
    }

    /** @return the descriptor the selector watches */
    int fd() {
        return epoll.descriptor();
    }

    /**
     * Watches the socket for these events from now on (0: not at all).
     *
     * @param events {@code POLL*} bits, which epoll shares
     */
    synchronized void watchSocket(int events) throws IOException {
        if (events == socketEvents) {
            return;
        }
        if (socketEvents == 0) {
            epoll.add(socketFd, events, 0);
        } else if (events == 0) {
            epoll.remove(socketFd);
        } else {
            epoll.modify(socketFd, events, 0);
        }
        socketEvents = events;
    }

    /** @return the events the socket is watched for */
    synchronized int socketEvents() {
        return socketEvents;
    }

    /** Makes the set readable until {@link #unsignal()}, whatever the socket does. */
    synchronized void signal() throws IOException {
        if (!signalled) {
            epoll.add(AlwaysReady.FD, Epoll.IN, 1);
            signalled = true;
        }
    }

    /** Takes back {@link #signal()}. */
    synchronized void unsignal() throws IOException {
        if (signalled) {
            epoll.remove(AlwaysReady.FD);
            signalled = false;
        }
    }

    @Override
    public synchronized String toString() {
        return "poll set " + fd() + (signalled ? " signalled" : "") + " socket events " + socketEvents;
    }

    /** Closes the epoll set; the socket is its owner's. */
    @Override
    public void close() {
        epoll.close();
    }

    /** One eventfd per process whose counter stays at 1: readable forever, read by nobody. */
    private static final class AlwaysReady {
        static final int FD = create();

        private static int create() {
            try {
                int fd = EventFd.create();
                EventFd.signal(fd);
                return fd;
            } catch (NativeCallException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
