package dev.shunt.nativeio;

/**
 * Which CPU the calling thread runs on, from glibc's {@code sched_getcpu} (read from the rseq area or the vDSO:
 * no system call, a few nanoseconds plus the binding's call overhead). The answer may be stale as soon as it is
 * returned: the scheduler can move the thread at any time. It serves as a placement hint, never for correctness.
 */
public final class Cpus {
    /** What {@link #current()} returns when the CPU cannot be told. */
    public static final int UNKNOWN = -1;

    private Cpus() {
    }

    /** @return the CPU the calling thread ran on just now, or {@link #UNKNOWN} */
    public static int current() {
        int cpu = LibCHolder.LIBC.sched_getcpu();
        return cpu >= 0 ? cpu : UNKNOWN;
    }
}
