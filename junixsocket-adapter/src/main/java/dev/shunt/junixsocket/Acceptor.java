package dev.shunt.junixsocket;

import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.Epoll;
import dev.shunt.nativeio.EventFd;
import dev.shunt.nativeio.NativeCallException;
import dev.shunt.nativeio.UnixSockets;
import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.FileDescriptorCast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes connections of a {@link ShuntServerSocket} from the kernel and gives each to the {@link HandshakePool},
 * which answers it without waiting on its client, so a handshake that waits never holds up the next connection.
 * An {@code accept()} caller that finds a connection already waiting in the listen backlog takes it itself
 * ({@link #acceptIfWaiting()}): a plain client's connection then reaches it with no thread hand-off, as on a plain
 * server socket. Otherwise this object's thread waits for the next one whenever a caller waits in the
 * {@link AcceptQueue} with nothing to take. One of them accepts at a time, and only once {@code poll} says a
 * connection waits, so neither blocks in {@code accept}. What accepting fails with goes to one waiting caller.
 *
 * <p>It waits in {@code epoll} for the listening socket to become readable, and calls junixsocket's
 * {@code accept} only then, when it returns at once: closing a junixsocket server socket while a thread is blocked
 * in its {@code accept} leaks a descriptor in junixsocket 2.11.1 (its wake-up connection). {@link #stop()} wakes
 * the thread through an eventfd and waits for it to end before the server socket closes.
 */
final class Acceptor implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ShuntServerSocket.class);
    private static final int LISTENING = 0;
    private static final int WAKE_UP = 1;

    private final AFUNIXServerSocket kernel;
    private final int listening;
    private final AcceptQueue queue;
    private final HandshakePool handshakes;
    private final Epoll epoll;
    private final int wakeUp;
    private final Thread thread;
    /** Held around each accept, by the thread or a caller. */
    private final ReentrantLock accepting = new ReentrantLock();
    /** Guarded by {@link #accepting}: set by {@link #stop()}, after which nobody accepts. */
    private boolean stopped;

    private Acceptor(AFUNIXServerSocket kernel, int listening, AcceptQueue queue, HandshakePool handshakes,
            Epoll epoll, int wakeUp, String server) {
        this.kernel = kernel;
        this.listening = listening;
        this.queue = queue;
        this.handshakes = handshakes;
        this.epoll = epoll;
        this.wakeUp = wakeUp;
        this.thread = new Thread(this, "shunt-accept " + server);
        thread.setDaemon(true);
    }

    /**
     * Starts the thread for a bound server socket.
     *
     * @param server the listening address, for the thread's name
     * @throws IOException if the epoll instance or the eventfd cannot be created
     */
    static Acceptor start(AFUNIXServerSocket kernel, AcceptQueue queue, HandshakePool handshakes, String server)
            throws IOException {
        int listening = FileDescriptorCast.using(kernel.getFileDescriptor()).as(Integer.class);
        int wakeUp = EventFd.create();
        Epoll epoll = null;
        try {
            epoll = Epoll.create(2);
            epoll.add(listening, Epoll.IN, LISTENING);
            epoll.add(wakeUp, Epoll.IN, WAKE_UP);
        } catch (NativeCallException e) {
            if (epoll != null) {
                epoll.close();
            }
            Descriptors.close(wakeUp);
            throw e;
        }
        Acceptor acceptor = new Acceptor(kernel, listening, queue, handshakes, epoll, wakeUp, server);
        acceptor.thread.start();
        return acceptor;
    }

    @Override
    public void run() {
        int[] tokens = new int[2];
        int[] events = new int[2];
        while (queue.awaitDemand()) {
            try {
                int n = epoll.await(tokens, events, -1);
                for (int i = 0; i < n && !queue.isClosed(); i++) {
                    if (tokens[i] == LISTENING) {
                        accepting.lock();
                        try {
                            acceptOneWaiting();
                        } finally {
                            accepting.unlock();
                        }
                    }
                }
            } catch (IOException | RuntimeException | Error e) {
                if (queue.isClosed()) {
                    return;
                }
                queue.fail(e);
            }
        }
    }

    /**
     * For an {@code accept()} caller, before it waits in the queue: accepts a connection already waiting in the listen
     * backlog and starts its handshake, on the calling thread. Never blocks: when the thread or another caller is
     * accepting, or no connection waits, it does nothing.
     */
    void acceptIfWaiting() {
        if (!accepting.tryLock()) {
            return;
        }
        try {
            acceptOneWaiting();
        } catch (IOException | RuntimeException | Error e) {
            if (!queue.isClosed()) {
                queue.fail(e);
            }
        } finally {
            accepting.unlock();
        }
    }

    /** Under {@link #accepting}: accepts the next connection if {@code poll} says one waits. */
    private void acceptOneWaiting() throws IOException {
        if (!stopped && !queue.isClosed()
                && (UnixSockets.poll(listening, UnixSockets.POLLIN, 0) & UnixSockets.POLLIN) != 0) {
            handshakes.start(kernel.accept());
        }
    }

    /**
     * Wakes the thread, waits for it to end (and for a caller's accept in progress) and releases its descriptors.
     * Call after the queue closed and before the listening socket closes.
     */
    void stop() {
        try {
            EventFd.signal(wakeUp);
        } catch (NativeCallException e) {
            LOG.error("Cannot wake {}; it stays blocked, with its epoll instance and eventfd", thread.getName(), e);
            return;
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        accepting.lock();
        try {
            stopped = true;
        } finally {
            accepting.unlock();
        }
        epoll.close();
        Descriptors.close(wakeUp);
    }
}
