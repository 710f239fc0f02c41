package dev.shunt.core;

import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.Epoll;
import dev.shunt.nativeio.EventFd;
import dev.shunt.nativeio.NativeCallException;
import dev.shunt.nativeio.UnixSockets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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
 *
 * <p>The epoll set can be lost: its descriptor closed behind this class's back, by a stray {@code close} of a stale
 * number elsewhere in the process, and the number perhaps reused. Then {@code epoll_wait} or a registration fails,
 * and the thread builds a new set with every registration in it (the lost one is not closed: its number may belong
 * to another file by now). A registration that the new set refuses (its socket was closed behind the stream's back)
 * is dropped and its waiters are unparked to re-check. A rebuild that follows another without a successful wait in
 * between first waits 10 ms, doubling up to 1 s, so a persistent error cannot spin; meanwhile virtual threads wait
 * in timed slices, as without a waker. The first loss is logged at WARN, later ones at DEBUG.
 */
final class VirtualThreadWaker implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(VirtualThreadWaker.class);
    private static final int BATCH = 64;
    private static final int INTEREST = Epoll.IN | Epoll.RDHUP | Epoll.EDGE_TRIGGERED;
    /** Token of the nudge eventfd; every other token is a socket's descriptor number, never negative. */
    private static final int NUDGE = -1;
    private static final long FIRST_BACKOFF_MILLIS = 10;
    private static final long MAX_BACKOFF_MILLIS = 1_000;
    private static volatile VirtualThreadWaker instance;

    private final Map<Integer, Waiters> byFd = new ConcurrentHashMap<>();
    /**
     * In every set the waker builds. Whether a set still has it tells whether the set is still this waker's, and
     * signalling it ends a wait in a set that was lost while the waker waited in it.
     */
    private final int nudge;
    /** Replaced, under this object's lock, only by the waker's thread. */
    private volatile Epoll epoll;
    /** Touched only by the waker's thread. */
    private boolean warned;

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

    private VirtualThreadWaker(Epoll epoll, int nudge) {
        this.epoll = epoll;
        this.nudge = nudge;
    }

    static VirtualThreadWaker get() throws NativeCallException {
        VirtualThreadWaker waker = instance;
        if (waker == null) {
            synchronized (VirtualThreadWaker.class) {
                waker = instance;
                if (waker == null) {
                    int nudge = EventFd.create();
                    try {
                        waker = new VirtualThreadWaker(newSet(nudge), nudge);
                    } catch (NativeCallException e) {
                        Descriptors.close(nudge);
                        throw e;
                    }
                    Thread thread = new Thread(waker, "shunt-virtual-thread-waker");
                    thread.setDaemon(true);
                    thread.start();
                    instance = waker;
                }
            }
        }
        return waker;
    }

    private static Epoll newSet(int nudge) throws NativeCallException {
        Epoll set = Epoll.create(BATCH);
        try {
            set.add(nudge, INTEREST, NUDGE);
        } catch (NativeCallException e) {
            set.close();
            throw e;
        }
        return set;
    }

    /**
     * Starts watching a stream's kernel socket: doorbell bytes and hang-up. If the waker's epoll set was lost, the
     * waker is nudged to rebuild it, with this registration in it.
     *
     * @param unpark unparks the stream's parked virtual threads; runs on the waker's thread
     * @throws NativeCallException if the socket cannot be watched (the set refuses it while it is intact)
     */
    Waiters register(int socketFd, Runnable unpark) throws NativeCallException {
        Waiters waiters = new Waiters(socketFd, unpark);
        synchronized (this) {
            byFd.put(socketFd, waiters);
            try {
                epoll.add(socketFd, INTEREST, socketFd);
                return waiters;
            } catch (NativeCallException e) {
                if (setIntact()) {
                    byFd.remove(socketFd, waiters);
                    throw e;
                }
            }
        }
        EventFd.signal(nudge);
        return waiters;
    }

    /** @return whether the current set is still the one this waker built: it still watches the nudge */
    private boolean setIntact() {
        try {
            epoll.modify(nudge, INTEREST, NUDGE);
            return true;
        } catch (NativeCallException e) {
            return false;
        }
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
        synchronized (this) {
            if (byFd.remove(fd, waiters)) {
                try {
                    epoll.remove(fd);
                } catch (NativeCallException e) {
                    LOG.debug("Removing fd {} from the waker's epoll: {}", fd, e.getMessage());
                }
            }
        }
    }

    @Override
    public void run() {
        int[] tokens = new int[BATCH];
        int[] events = new int[BATCH];
        long backoffMillis = 0;
        while (true) {
            int n;
            try {
                n = epoll.await(tokens, events, -1);
            } catch (NativeCallException e) {
                backoffMillis = rebuild(e.getMessage(), backoffMillis);
                continue;
            }
            backoffMillis = 0;
            for (int i = 0; i < n; i++) {
                if (tokens[i] == NUDGE) {
                    drainNudge();
                    if (!setIntact()) {
                        backoffMillis = rebuild("a registration found the epoll set gone", backoffMillis);
                    }
                } else {
                    serve(tokens[i]);
                }
            }
        }
    }

    private void serve(int socketFd) {
        Waiters waiters = byFd.get(socketFd);
        if (waiters == null) {
            return;
        }
        synchronized (waiters) {
            if (waiters.unregistered) {
                return;
            }
            discardDoorbells(socketFd);
        }
        waiters.unparkAll();
    }

    private void drainNudge() {
        try {
            EventFd.drain(nudge);
        } catch (NativeCallException e) {
            LOG.debug("Draining the waker's nudge: {}", e.getMessage());
        }
    }

    /**
     * Builds a new epoll set with the nudge and every registration, after waiting out the back-off.
     *
     * @return the back-off before the next rebuild, should that follow without a successful wait in between
     */
    private long rebuild(String reason, long backoffMillis) {
        if (!warned) {
            warned = true;
            LOG.warn("Shunt's virtual-thread waker lost its epoll set ({}); it builds a new one and re-registers "
                    + "its streams, backing off while that fails", reason);
        } else {
            LOG.debug("Shunt's virtual-thread waker rebuilds its epoll set: {}", reason);
        }
        if (backoffMillis > 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoffMillis));
        }
        long next = Math.min(MAX_BACKOFF_MILLIS, Math.max(FIRST_BACKOFF_MILLIS, 2 * backoffMillis));
        List<Waiters> dropped = new ArrayList<>();
        synchronized (this) {
            Epoll fresh;
            try {
                fresh = newSet(nudge);
            } catch (NativeCallException e) {
                LOG.debug("Building the waker's epoll set: {}", e.getMessage());
                return next;
            }
            for (Waiters waiters : byFd.values()) {
                try {
                    fresh.add(waiters.socketFd, INTEREST, waiters.socketFd);
                } catch (NativeCallException e) {
                    LOG.debug("Dropping fd {} from the waker: {}", waiters.socketFd, e.getMessage());
                    byFd.remove(waiters.socketFd, waiters);
                    dropped.add(waiters);
                }
            }
            epoll = fresh;
        }
        dropped.forEach(Waiters::unparkAll);
        return next;
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
