package dev.shunt.bench;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The executor an RPC server's handler hands requests to, as frameworks run application code off the thread
 * that reads the socket: one thread, already started, that sleeps on its queue between requests. An array
 * queue: a linked one would allocate a node per request.
 */
final class HandlerExecutor {
    private HandlerExecutor() {
    }

    static ExecutorService start(String name) {
        ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(16),
                task -> {
                    Thread t = new Thread(task, name);
                    t.setDaemon(true);
                    return t;
                });
        executor.prestartCoreThread();
        return executor;
    }
}
