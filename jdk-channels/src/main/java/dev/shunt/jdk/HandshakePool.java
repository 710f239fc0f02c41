package dev.shunt.jdk;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where client handshakes run, off the application's thread (a server of the same thread could not make its offer
 * while that thread waits, and no peer may hold a selector up): daemon threads, as many as concurrent handshakes, gone
 * after a while idle. Each handshake is bounded by {@code shunt.handshakeTimeoutMillis}. They are the application's
 * own connects, so their number is its own; a server's handshakes, which any local client can start, run on the
 * bounded {@code ServerHandshakes} of the listening channel instead.
 */
final class HandshakePool {
    private static final long IDLE_SECONDS = 30;
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ExecutorService EXECUTOR = new ThreadPoolExecutor(0, Integer.MAX_VALUE, IDLE_SECONDS,
            TimeUnit.SECONDS, new SynchronousQueue<>(), task -> {
                Thread t = new Thread(task, "shunt-jdk-handshake-" + THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
            });

    private HandshakePool() {
    }

    /** Runs a handshake on a pool thread. */
    static void run(Runnable handshake) {
        EXECUTOR.execute(handshake);
    }
}
