package dev.shunt.core;

import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A daemon thread that hands a set of streams to a visitor every so often: started by the first stream added, ended
 * once none is left, so that a process without such streams runs no thread for it. The visitor sees a live view of
 * the set (streams come and go while it runs).
 */
final class StreamSweep {
    private final String threadName;
    private final long periodMillis;
    private final Consumer<Set<ShuntStream>> visitor;
    private final Set<ShuntStream> streams = ConcurrentHashMap.newKeySet();
    private final Set<ShuntStream> view = Collections.unmodifiableSet(streams);
    /** Guarded by this object. */
    private Thread sweeper;

    /**
     * @param threadName the name of the sweeping thread
     * @param periodMillis the pause before each visit
     * @param visitor what each visit does with the streams
     */
    StreamSweep(String threadName, long periodMillis, Consumer<Set<ShuntStream>> visitor) {
        this.threadName = threadName;
        this.periodMillis = periodMillis;
        this.visitor = visitor;
    }

    /** Adds a stream, starting the thread if it does not run. */
    void add(ShuntStream stream) {
        streams.add(stream);
        synchronized (this) {
            if (sweeper == null) {
                sweeper = new Thread(this::sweep, threadName);
                sweeper.setDaemon(true);
                sweeper.start();
            }
        }
    }

    /** Removes a stream; no visit that starts afterwards sees it. */
    void remove(ShuntStream stream) {
        streams.remove(stream);
    }

    private void sweep() {
        while (true) {
            boolean interrupted = false;
            try {
                Thread.sleep(periodMillis);
            } catch (InterruptedException e) {
                interrupted = true;
            }
            synchronized (this) {
                if (interrupted || streams.isEmpty()) {
                    sweeper = null;
                    return;
                }
            }
            visitor.accept(view);
        }
    }
}
