package dev.shunt.agent.junixsocket;

import dev.shunt.core.HandshakeResult;
import dev.shunt.core.ServerHandshakes;
import dev.shunt.nativeio.UnixSockets;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketOptions;
import java.net.SocketTimeoutException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server handshake of a connection that {@code accept()} returned before it settled: the accepted socket's
 * attachment until then, when the connection's {@link Ring} (or nothing, for the kernel socket) replaces it. The
 * handshake runs on a thread of the server socket's {@link ServerHandshakes} when it waits on a marked client (for
 * its answer to the offer), else it settles before {@code accept()} returns. What depends on the path waits for it
 * ({@link #await}); {@link #end()} ends it for the socket's close.
 */
final class PendingHandshake implements ServerHandshakes.Outcome {
    private static final Logger LOG = LoggerFactory.getLogger(JunixsocketHooks.class);

    private final ShuntAttachment impl;
    private final Socket socket;
    private final int fd;
    private final ServerHandshakes handshakes;
    private final String server;
    private final CountDownLatch settled = new CountDownLatch(1);
    /** Guarded by this: set once settled. */
    private boolean done;
    /** Guarded by this: the fast path's, once settled. */
    private Ring ring;
    /** Guarded by this: an {@code SO_TIMEOUT} the application set before the ring existed, or -1. */
    private int soTimeoutMillis = -1;
    private volatile boolean ending;

    /**
     * @param impl the accepted socket's {@code AFSocketImpl}, whose attachment this is until it settles
     * @param handshakes where the handshake runs
     * @param server the listening address, for logs
     */
    PendingHandshake(Object impl, Socket socket, int fd, ServerHandshakes handshakes, String server) {
        this.impl = (ShuntAttachment) impl;
        this.socket = socket;
        this.fd = fd;
        this.handshakes = handshakes;
        this.server = server;
    }

    /** Starts the handshake; the connection's ring (or nothing) replaces this attachment when it settles. */
    void start() {
        impl.shunt$attachment(this);
        handshakes.start(fd, this);
    }

    /**
     * Makes the connection's ring of a fast-path result, or shuts a connection whose handshake failed down both ways
     * (its application reads end of stream, as if the client had hung up at once), then replaces this attachment; an
     * {@link Error} goes on to the thread's caller after that. Never takes the socket's monitor, which its
     * {@code close()} may hold while it waits here.
     */
    @Override
    public void settled(HandshakeResult result, Throwable failure) {
        Ring made = null;
        if (failure == null && result.isFastPath()) {
            try {
                made = new Ring(result.stream(), socket,
                        (Integer) ((SocketOptions) impl).getOption(SocketOptions.SO_TIMEOUT));
            } catch (IOException | RuntimeException e) {
                result.stream().close();
                failure = e;
            }
        }
        if (failure != null) {
            shutDown(failure);
        }
        synchronized (this) {
            if (made != null && soTimeoutMillis >= 0) {
                made.soTimeout(soTimeoutMillis);
            }
            ring = made;
            done = true;
            impl.shunt$attachment(made);
        }
        settled.countDown();
        if (failure instanceof Error) {
            throw (Error) failure;
        }
    }

    private void shutDown(Throwable failure) {
        if (ending) {
            LOG.debug("Shunt handshake on a connection to {} ended by its close: {}", server, failure.toString());
        } else {
            LOG.warn("Shunt handshake on a connection to {} failed; the connection is shut down: {}", server,
                    failure.toString());
        }
        try {
            UnixSockets.shutdownInput(fd);
            UnixSockets.shutdownOutput(fd);
        } catch (IOException e) {
            LOG.debug("shutting down a connection to {} failed: {}", server, e.toString());
        }
    }

    /**
     * Waits for the handshake to settle; its own limit ({@code shunt.handshakeTimeoutMillis}) bounds the wait.
     *
     * @return the connection's ring, or null for the kernel socket
     */
    Ring await() {
        settledWithin(Long.MAX_VALUE);
        return settledRing();
    }

    /**
     * A read's wait, bounded by the socket's {@code SO_TIMEOUT} as the read itself is.
     *
     * @return the connection's ring, or null for the kernel socket
     * @throws SocketTimeoutException when the handshake has not settled within {@code SO_TIMEOUT}
     */
    Ring awaitToRead() throws IOException {
        int millis = (Integer) ((SocketOptions) impl).getOption(SocketOptions.SO_TIMEOUT);
        if (!settledWithin(millis == 0 ? Long.MAX_VALUE : TimeUnit.MILLISECONDS.toNanos(millis))) {
            throw new SocketTimeoutException("Read timed out (the Shunt handshake is under way)");
        }
        return settledRing();
    }

    private synchronized Ring settledRing() {
        return ring;
    }

    /** Waits, keeping an interrupt for later: the handshake's own limit bounds the wait. */
    private boolean settledWithin(long nanos) {
        long deadline = System.nanoTime() + nanos;
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return nanos == Long.MAX_VALUE ? awaitSettled()
                            : settled.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private boolean awaitSettled() throws InterruptedException {
        settled.await();
        return true;
    }

    /** Follows {@code setSoTimeout} without waiting: the ring gets it now, or when it is made. */
    synchronized void soTimeout(int millis) {
        if (ring != null) {
            ring.soTimeout(millis);
        } else if (!done) {
            soTimeoutMillis = millis;
        }
    }

    /**
     * For the socket's close: ends the handshake if it still waits on its client, and waits for it to settle,
     * which then takes no longer than a thread's wake-up.
     *
     * @return the connection's ring, for the close to close, or null
     */
    Ring end() {
        ending = true;
        handshakes.end(fd);
        return await();
    }
}
