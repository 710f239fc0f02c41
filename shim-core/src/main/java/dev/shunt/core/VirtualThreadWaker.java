package dev.shunt.core;

import dev.shunt.nativeio.Epoll;
import dev.shunt.nativeio.NativeCallException;
import dev.shunt.nativeio.UnixSockets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets virtual threads wait on a fast-path stream without pinning their carrier. A blocking futex call would
 * hold the carrier thread for the whole wait, so a virtual thread instead announces a doorbell sleep (the
 * peer then sends a byte on the stream's kernel socket), registers itself here and parks with
 * {@link LockSupport}. One platform daemon thread per process waits in {@code epoll} on the kernel sockets of
 * the streams that virtual threads have waited on, discards the doorbell bytes and unparks their waiters when a
 * doorbell rings or a peer hangs up. Started on first use.
 */
final class VirtualThreadWaker implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(VirtualThreadWaker.class);
    private static final int BATCH = 64;
    private static volatile VirtualThreadWaker instance;

    private final Epoll epoll;
    private final Map<Integer, Waiters> byFd = new ConcurrentHashMap<>();

    /** One watched stream: its socket and how to unpark the virtual threads parked on it. */
    static final class Waiters {
        final int socketFd;
        private final Runnable unpark;
        private boolean unregistered;

        Waiters(int socketFd, Runnable unpark) {
            this.socketFd = socketFd;
            this.unpark = unpark;
        }

        void unparkAll() {
            unpark.run();
        }
    }

    private VirtualThreadWaker(Epoll epoll) {
        this.epoll = epoll;
    }

    static VirtualThreadWaker get() throws NativeCallException {
        VirtualThreadWaker waker = instance;
        if (waker == null) {
            synchronized (VirtualThreadWaker.class) {
                waker = instance;
                if (waker == null) {
                    waker = new VirtualThreadWaker(Epoll.create(BATCH));
                    Thread thread = new Thread(waker, "shunt-virtual-thread-waker");
                    thread.setDaemon(true);
                    thread.start();
                    instance = waker;
                }
            }
        }
        return waker;
    }

    /**
     * Starts watching a stream's kernel socket: doorbell bytes and hang-up.
     *
     * @param unpark unparks the stream's parked virtual threads; runs on the waker's thread
     */
    Waiters register(int socketFd, Runnable unpark) throws NativeCallException {
        Waiters waiters = new Waiters(socketFd, unpark);
        byFd.put(socketFd, waiters);
        try {
            epoll.add(socketFd, Epoll.IN | Epoll.RDHUP | Epoll.EDGE_TRIGGERED, socketFd);
        } catch (NativeCallException e) {
            unregister(waiters);
            throw e;
        }
        return waiters;
    }

    /** Stops watching a stream, if the waker runs; must run before the stream's descriptors are closed. */
    static void release(Waiters waiters) {
        VirtualThreadWaker waker = instance;
        if (waker != null) {
            waker.unregister(waiters);
        }
    }

    private void unregister(Waiters waiters) {
        synchronized (waiters) {
            waiters.unregistered = true;
        }
        int fd = waiters.socketFd;
        if (byFd.remove(fd, waiters)) {
            try {
                epoll.remove(fd);
            } catch (NativeCallException e) {
                LOG.debug("Removing fd {} from the waker's epoll: {}", fd, e.getMessage());
            }
        }
    }

    @Override
    public void run() {
        int[] tokens = new int[BATCH];
        int[] events = new int[BATCH];
        while (true) {
            try {
                int n = epoll.await(tokens, events, -1);
                for (int i = 0; i < n; i++) {
                    Waiters waiters = byFd.get(tokens[i]);
                    if (waiters == null) {
                        continue;
                    }
                    synchronized (waiters) {
                        if (waiters.unregistered) {
                            continue;
                        }
                        discardDoorbells(waiters.socketFd);
                    }
                    waiters.unparkAll();
                }
            } catch (NativeCallException e) {
                LOG.error("Shunt's virtual-thread waker failed; virtual threads fall back to timed waits", e);
                return;
            }
        }
    }

    /** Edge-triggered: every byte must go now, or the next ring raises no new edge. Errors mean hang-up. */
    private static void discardDoorbells(int socketFd) {
        try {
            UnixSockets.discardInput(socketFd);
        } catch (NativeCallException e) {
            LOG.debug("Discarding doorbell bytes on fd {}: {}", socketFd, e.getMessage());
        }
    }
}
