package dev.shunt.core;

import dev.shunt.nativeio.UnixSockets;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server handshakes of one listening socket, run so that no connection waits behind another's handshake. Only a
 * client that marked itself as a Shunt client can make a handshake wait (for its answer to the offer, up to {@code
 * shunt.handshakeTimeoutMillis}); those handshakes run on daemon threads of this listening socket, one each, at most
 * {@link #LIMIT}, which end after {@value #IDLE_SECONDS} s without work. A marked client that finds all of them busy,
 * or this closed, is declined at once ({@link FallbackReason#HANDSHAKE_LIMIT}, {@link
 * ShuntHandshake#acceptWithoutWaiting}); every other connection is answered on the calling thread, without waiting.
 * Used by the junixsocket adapter's {@code ShuntServerSocket} and by the agent's rewritten {@code
 * AFServerSocket.accept()}.
 */
public final class ServerHandshakes {
    /** Handshakes of one listening socket that may wait on their clients at once. */
    public static final int LIMIT = 64;
    private static final long IDLE_SECONDS = 30;
    private static final Logger LOG = LoggerFactory.getLogger(ServerHandshakes.class);

    private final ShuntConfig config;
    private final String server;
    private final ThreadPoolExecutor threads;
    /** The sockets whose handshake waits on a thread; their descriptors stay open until it ends. Guarded by this. */
    private final Set<Integer> waiting = new HashSet<>();
    private boolean closed;
    private boolean full;

    /** Where a handshake's outcome goes. */
    public interface Outcome {
        /**
         * Called once per handshake, on the thread that started it or on the handshake's own.
         *
         * @param result the result, or null when the handshake failed
         * @param failure what it failed with (the caller closes or shuts down the socket), or null
         */
        void settled(HandshakeResult result, Throwable failure);
    }

    /**
     * An accepted socket's descriptor, from a socket layer that gives it only at a price (junixsocket's
     * {@code FileDescriptorCast}: two system calls).
     */
    @FunctionalInterface
    public interface Descriptor {
        /**
         * @return the socket's descriptor
         * @throws IOException if the socket layer cannot tell it
         */
        int get() throws IOException;
    }

    /**
     * @param config the configuration in force
     * @param server the listening address, for thread names and logs
     */
    public ServerHandshakes(ShuntConfig config, String server) {
        this.config = config;
        this.server = server;
        AtomicInteger count = new AtomicInteger();
        this.threads = new ThreadPoolExecutor(0, LIMIT, IDLE_SECONDS, TimeUnit.SECONDS, new SynchronousQueue<>(),
                task -> {
                    Thread t = new Thread(task, "shunt-handshake-" + count.incrementAndGet() + " " + server);
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * Answers a connection just accepted; never waits on its client. The socket must stay open until the outcome
     * has come.
     *
     * @param fd the accepted socket
     * @param outcome where the outcome goes: before this returns, unless the handshake waits on a thread
     */
    public void start(int fd, Outcome outcome) {
        int version;
        try {
            version = ClientMarker.version(UnixSockets.peerAbstractName(fd));
        } catch (IOException | RuntimeException e) {
            outcome.settled(null, e);
            return;
        }
        start(fd, version, outcome);
    }

    /**
     * As {@link #start(int, Outcome)}, for a socket layer that reads the peer's address itself: the client's marker
     * comes from {@code peerAbstractName}, and the descriptor is asked for only when the handshake needs it (a
     * marked client, or a recording that wants handshake events), so that a plain client's connection costs no
     * system call here.
     *
     * @param peerAbstractName the peer's name in the abstract namespace (without its leading NUL byte), or null when
     *     the peer is not bound there
     * @param descriptor gives the accepted socket's descriptor
     * @param outcome where the outcome goes: before this returns, unless the handshake waits on a thread
     */
    public void start(String peerAbstractName, Descriptor descriptor, Outcome outcome) {
        int version = ClientMarker.version(peerAbstractName);
        if (version == 0 && !ShuntEvents.handshakesRecorded()) {
            outcome.settled(ServerHandshake.plainClient(config), null);
            return;
        }
        int fd;
        try {
            fd = descriptor.get();
        } catch (IOException | RuntimeException e) {
            outcome.settled(null, e);
            return;
        }
        start(fd, version, outcome);
    }

    private void start(int fd, int version, Outcome outcome) {
        if (version == 0 || !submitted(fd, outcome, version)) {
            answer(fd, outcome, false, version);
        }
    }

    /** @return whether a thread took the handshake; false when all {@link #LIMIT} are busy or this is closed */
    private synchronized boolean submitted(int fd, Outcome outcome, int version) {
        if (closed) {
            return false;
        }
        waiting.add(fd);
        try {
            threads.execute(() -> answer(fd, outcome, true, version));
        } catch (RejectedExecutionException e) {
            waiting.remove(fd);
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

    /**
     * Runs the handshake (on a thread of its own when it may wait) and hands on its outcome.
     *
     * @param version the peer's marker, read once per connection: a server of plain clients pays one
     *     {@code getpeername} each
     */
    private void answer(int fd, Outcome outcome, boolean mayWait, int version) {
        HandshakeResult result = null;
        Throwable failure = null;
        try {
            result = ServerHandshake.begin(fd, config, mayWait, version).complete();
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
        } finally {
            if (mayWait) {
                // Before the outcome, which lets the socket be closed: end() and close() touch only open sockets.
                synchronized (this) {
                    waiting.remove(fd);
                }
            }
        }
        outcome.settled(result, failure);
    }

    /**
     * Ends the handshake of one socket if it still waits on its client: the socket's input is shut down, so the
     * handshake fails at once. For a socket about to be closed.
     *
     * @param fd the accepted socket, still open
     */
    public synchronized void end(int fd) {
        if (waiting.contains(fd)) {
            wake(fd);
        }
    }

    /**
     * Ends the handshakes still waiting on their clients (their sockets' input is shut down, so they fail at once),
     * declines those that come later, and lets the threads end.
     */
    public synchronized void close() {
        closed = true;
        for (int fd : waiting) {
            wake(fd);
        }
        threads.shutdown();
    }

    private void wake(int fd) {
        try {
            UnixSockets.shutdownInput(fd);
        } catch (IOException e) {
            LOG.debug("waking the handshake on descriptor {} of {} failed: {}", fd, server, e.toString());
        }
    }
}
