package dev.shunt.junixsocket;

import dev.shunt.core.HandshakeResult;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.ThreadUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the connections of a {@link ShuntServerSocket} wait, handshake done, for {@link ShuntServerSocket#accept()},
 * and how the acceptor thread learns that a caller wants one. Callers wait here, not in the kernel, so that a
 * connection whose handshake finishes on another thread reaches a caller at once; the acceptor takes a connection
 * from the kernel only while a caller waits with nothing to take, so connections nobody asked for stay in the
 * listen backlog as on a plain server socket. Waits park the caller ({@link ReentrantLock}), so virtual threads
 * keep their carrier free.
 */
final class AcceptQueue {
    private static final Logger LOG = LoggerFactory.getLogger(ShuntServerSocket.class);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final Condition wanted = lock.newCondition();
    private final ArrayDeque<Arrival> ready = new ArrayDeque<>();
    private int waiting;
    private boolean closed;

    /** A connection with its handshake's outcome, or what accepting failed with. */
    static final class Arrival {
        final AFUNIXSocket connection;
        final HandshakeResult result;
        private final Throwable failure;

        private Arrival(AFUNIXSocket connection, HandshakeResult result, Throwable failure) {
            this.connection = connection;
            this.result = result;
            this.failure = failure;
        }

        /** Closes the connection and its fast-path stream, if any: nobody will take it. */
        void discard() {
            if (connection == null) {
                return;
            }
            try {
                result.close(connection);
            } catch (IOException e) {
                LOG.debug("closing a connection nobody accepted: {}", e.toString());
            }
        }
    }

    /**
     * Waits for the next connection, as {@code accept()} does.
     *
     * @param timeoutMillis {@code SO_TIMEOUT}: 0 waits without bound
     * @return the next connection
     * @throws SocketTimeoutException when the timeout passes first; the queue stays usable
     * @throws SocketException when the queue is (or gets) closed
     * @throws InterruptedIOException when a virtual thread is interrupted while it waits (its interrupt status
     *     stays set); the JDK's {@code ServerSocket} then closes itself, as it does for its own sockets. A
     *     platform thread's interrupt does not end the wait (it is kept for later), as with the JDK's sockets
     * @throws IOException what accepting from the kernel failed with, for one caller
     */
    Arrival awaitArrival(int timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        boolean interrupted = false;
        Arrival next;
        lock.lock();
        try {
            waiting++;
            // Only this can give the acceptor work (a caller that takes a connection also stops waiting).
            if (waiting > ready.size()) {
                wanted.signal();
            }
            try {
                while (true) {
                    if (closed) {
                        throw new SocketException("Socket closed");
                    }
                    next = ready.poll();
                    if (next != null) {
                        break;
                    }
                    long nanos = deadline - System.nanoTime();
                    if (timeoutMillis > 0 && nanos <= 0) {
                        throw new SocketTimeoutException("Accept timed out");
                    }
                    try {
                        if (timeoutMillis > 0) {
                            arrived.awaitNanos(nanos);
                        } else {
                            arrived.await();
                        }
                    } catch (InterruptedException e) {
                        interrupted = true;
                        if (ThreadUtil.isTrulyAVirtualThread(Thread.currentThread())) {
                            throw new InterruptedIOException("accept interrupted");
                        }
                    }
                }
            } finally {
                waiting--;
            }
        } finally {
            lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (next.failure != null) {
            throw rethrow(next.failure);
        }
        return next;
    }

    private static IOException rethrow(Throwable failure) {
        if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
        }
        if (failure instanceof Error) {
            throw (Error) failure;
        }
        return (IOException) failure;
    }

    /**
     * For the acceptor: waits until a caller waits with nothing to take.
     *
     * @return false once the queue is closed
     */
    boolean awaitDemand() {
        lock.lock();
        try {
            while (!closed && waiting <= ready.size()) {
                wanted.awaitUninterruptibly();
            }
            return !closed;
        } finally {
            lock.unlock();
        }
    }

    /** Hands a connection whose handshake finished to a caller, or closes it when the queue is closed. */
    void add(AFUNIXSocket connection, HandshakeResult result) {
        offer(new Arrival(connection, result, null));
    }

    /** Hands what accepting from the kernel failed with (an {@link IOException}, or unchecked) to one caller. */
    void fail(Throwable failure) {
        offer(new Arrival(null, null, failure));
    }

    private void offer(Arrival arrival) {
        lock.lock();
        try {
            if (!closed) {
                ready.add(arrival);
                arrived.signalAll();
                return;
            }
        } finally {
            lock.unlock();
        }
        arrival.discard();
    }

    /** @return whether no connection waits for a caller */
    boolean isEmpty() {
        lock.lock();
        try {
            return ready.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** @return whether {@link #close()} ran */
    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Fails every waiting caller with "Socket closed", ends the acceptor's wait, closes what nobody took. */
    void close() {
        Arrival[] left;
        lock.lock();
        try {
            closed = true;
            arrived.signalAll();
            wanted.signalAll();
            left = ready.toArray(new Arrival[0]);
            ready.clear();
        } finally {
            lock.unlock();
        }
        for (Arrival arrival : left) {
            arrival.discard();
        }
    }
}
