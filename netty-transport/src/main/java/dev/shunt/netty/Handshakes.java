package dev.shunt.netty;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the core's blocking handshake calls run, off the event loops: a pool of daemon threads that grows
 * with concurrent handshakes and shrinks when idle. Each call is bounded by
 * {@code shunt.handshakeTimeoutMillis}.
 */
final class Handshakes {
    private static final long IDLE_SECONDS = 30;
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ExecutorService EXECUTOR = new ThreadPoolExecutor(0, Integer.MAX_VALUE, IDLE_SECONDS,
            TimeUnit.SECONDS, new SynchronousQueue<>(), task -> {
                Thread t = new Thread(task, "shunt-handshake-" + THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
            });

    private Handshakes() {
    }

    /** @return the executor for handshake calls */
    static ExecutorService executor() {
        return EXECUTOR;
    }
}
