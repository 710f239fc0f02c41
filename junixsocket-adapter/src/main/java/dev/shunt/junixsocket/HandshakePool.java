package dev.shunt.junixsocket;

import dev.shunt.core.FallbackReason;
import dev.shunt.core.HandshakeResult;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntHandshake;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.FileDescriptorCast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the server handshake of each connection a {@link ShuntServerSocket} accepts and hands the outcome to its
 * {@link AcceptQueue}, so that no connection waits behind another's handshake. Only a client that marked itself
 * as a Shunt client can make a handshake wait (for its answer to the offer, up to
 * {@code shunt.handshakeTimeoutMillis}); those handshakes run on daemon threads of this server socket, one each,
 * at most {@link #LIMIT}, which end after {@value #IDLE_SECONDS} s without work. A marked client that finds all of
 * them busy is declined at once ({@link FallbackReason#HANDSHAKE_LIMIT}) and served on the kernel socket; every
 * other connection is answered on the calling thread, without waiting.
 */
final class HandshakePool {
    /** Handshakes of one server socket that may wait on their clients at once. */
    static final int LIMIT = 64;
    private static final long IDLE_SECONDS = 30;
    private static final Logger LOG = LoggerFactory.getLogger(ShuntServerSocket.class);

    private final ShuntConfig config;
    private final AcceptQueue queue;
    private final String server;
    private final ThreadPoolExecutor threads;
    /** Connections whose handshake runs on a pool thread; close() wakes them. Guarded by this. */
    private final Set<AFUNIXSocket> running = new HashSet<>();
    private boolean closed;
    private boolean full;

    /**
     * @param server the listening address, for thread names and logs
     */
    HandshakePool(ShuntConfig config, AcceptQueue queue, String server) {
        this.config = config;
        this.queue = queue;
        this.server = server;
        AtomicInteger count = new AtomicInteger();
        this.threads = new ThreadPoolExecutor(0, LIMIT, IDLE_SECONDS, TimeUnit.SECONDS, new SynchronousQueue<>(),
                task -> {
                    Thread t = new Thread(task, "shunt-handshake-" + count.incrementAndGet() + " " + server);
                    t.setDaemon(true);
                    return t;
                });
    }

    /** Answers a connection just accepted from the kernel; never waits on its client. */
    void start(AFUNIXSocket connection) {
        int fd;
        boolean marked;
        try {
            fd = FileDescriptorCast.using(connection.getFileDescriptor()).as(Integer.class);
            marked = ShuntHandshake.isMarkedClient(fd);
        } catch (IOException | RuntimeException e) {
            failed(connection, e);
            return;
        }
        if (!marked || !submitted(connection, fd)) {
            answer(connection, fd, false);
        }
    }

    /** @return whether a thread took the handshake; false when all {@link #LIMIT} are busy or the pool closed */
    private synchronized boolean submitted(AFUNIXSocket connection, int fd) {
        if (closed) {
            return false;
        }
        running.add(connection);
        try {
            threads.execute(() -> answer(connection, fd, true));
        } catch (RejectedExecutionException e) {
            running.remove(connection);
            if (!full) {
                LOG.warn("{} handshakes on {} are waiting on their clients; further Shunt clients stay on the kernel"
                        + " socket until one ends", LIMIT, server);
            }
            full = true;
            return false;
        }
        full = false;
        return true;
    }

    /** Runs the handshake (on a pool thread when it may wait) and hands the connection to the queue. */
    private void answer(AFUNIXSocket connection, int fd, boolean mayWait) {
        HandshakeResult result = null;
        Throwable failure = null;
        try {
            result = mayWait ? ShuntHandshake.accept(fd, config) : ShuntHandshake.acceptWithoutWaiting(fd, config);
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
        } finally {
            if (mayWait) {
                synchronized (this) {
                    running.remove(connection);
                }
            }
        }
        if (failure == null) {
            queue.add(connection, result);
        } else {
            failed(connection, failure);
        }
    }

    /** Closes the connection; a handshake that failed is logged, anything else goes to an accept() caller. */
    private void failed(AFUNIXSocket connection, Throwable failure) {
        try {
            connection.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
        if (failure instanceof IOException && queue.isClosed()) {
            LOG.debug("Shunt handshake on a connection to {} ended by the server socket's close: {}", server,
                    failure.toString());
        } else if (failure instanceof IOException) {
            LOG.warn("Shunt handshake on a connection to {} failed; closing that connection: {}", server,
                    failure.toString());
        } else {
            queue.fail(failure);
        }
    }

    /**
     * Wakes the handshakes still waiting on their clients (their connections' input is shut down, so they fail
     * and close their connections at once) and lets the threads end.
     */
    synchronized void close() {
        closed = true;
        for (AFUNIXSocket connection : running) {
            try {
                // Through the channel: AFUNIXSocket.shutdownInput() fails with "Socket is not connected" on JDK 25.
                connection.getChannel().shutdownInput();
            } catch (IOException e) {
                LOG.debug("waking the handshake of {} failed: {}", connection, e.toString());
            }
        }
        threads.shutdown();
    }
}
