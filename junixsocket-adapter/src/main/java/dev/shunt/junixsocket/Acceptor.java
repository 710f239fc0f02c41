package dev.shunt.junixsocket;

import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.Epoll;
import dev.shunt.nativeio.EventFd;
import dev.shunt.nativeio.NativeCallException;
import java.io.IOException;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.FileDescriptorCast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread of a {@link ShuntServerSocket} that takes connections from the kernel: whenever an {@code accept()}
 * caller waits in the {@link AcceptQueue} with nothing to take, it accepts the next connection and gives it to the
 * {@link HandshakePool}, which answers it without waiting on its client, so a handshake that waits never holds up
 * the next connection. What accepting fails with goes to one waiting caller.
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
    private final AcceptQueue queue;
    private final HandshakePool handshakes;
    private final Epoll epoll;
    private final int wakeUp;
    private final Thread thread;

    private Acceptor(AFUNIXServerSocket kernel, AcceptQueue queue, HandshakePool handshakes, Epoll epoll, int wakeUp,
            String server) {
        this.kernel = kernel;
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
        Acceptor acceptor = new Acceptor(kernel, queue, handshakes, epoll, wakeUp, server);
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
                        handshakes.start(kernel.accept());
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
     * Wakes the thread, waits for it to end and releases its descriptors. Call after the queue closed and before
     * the listening socket closes.
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
        epoll.close();
        Descriptors.close(wakeUp);
    }
}
