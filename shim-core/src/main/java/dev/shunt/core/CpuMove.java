package dev.shunt.core;

import dev.shunt.nativeio.Cpus;
import dev.shunt.nativeio.NativeCallException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a waiting thread off the CPU its peer shares with it ({@link WaitPolicy}, rule 2), for the whole process: at
 * most one move per {@value #PROCESS_INTERVAL_MILLIS} ms, however many parties ask, so that a process of many busy
 * connections makes at most a hundred moves a second (each two system calls and a migration). Platform threads only (a
 * virtual thread would move its carrier). The thread keeps its affinity mask ({@link Cpus#moveOffCurrent()}); where the
 * kernel refuses ({@code sched_setaffinity} blocked by a seccomp profile) a move is simply not made, and where a mask
 * could not be given back moves stop for the process, with an error logged once.
 */
final class CpuMove {
    /** The process's moves are at least this far apart. */
    static final long PROCESS_INTERVAL_MILLIS = 10;
    private static final long PROCESS_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(PROCESS_INTERVAL_MILLIS);
    private static final Logger LOG = LoggerFactory.getLogger(CpuMove.class);
    private static final AtomicLong NEXT_ALLOWED = new AtomicLong(System.nanoTime());
    private static volatile boolean stopped;

    private CpuMove() {
    }

    /**
     * Moves the calling thread to another CPU its affinity allows, if the process's interval allows a move now.
     *
     * @return whether the thread moved
     */
    static boolean tryMove() {
        if (stopped || VirtualThreads.current()) {
            return false;
        }
        long now = System.nanoTime();
        long next = NEXT_ALLOWED.get();
        if (now - next < 0 || !NEXT_ALLOWED.compareAndSet(next, now + PROCESS_INTERVAL_NANOS)) {
            return false;
        }
        try {
            if (Cpus.moveOffCurrent() == Cpus.UNKNOWN) {
                return false;
            }
        } catch (NativeCallException e) {
            stopped = true;
            LOG.error("Shunt moved a thread off its peer's CPU but could not give it back its CPU mask: {}; it stays"
                    + " off that CPU, and Shunt moves no more threads in this process", e.getMessage());
        }
        ShuntMetrics.get().threadMoved();
        return true;
    }
}
