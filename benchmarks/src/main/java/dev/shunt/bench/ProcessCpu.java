package dev.shunt.bench;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.Out;

/**
 * CPU time of this whole process, every thread (exited ones too), in nanoseconds: {@code clock_gettime}
 * with {@code CLOCK_PROCESS_CPUTIME_ID}. The JDK's {@code OperatingSystemMXBean.getProcessCpuTime} counts in
 * clock ticks (10 ms), too coarse for the wake-up scenario's few hundred messages.
 */
final class ProcessCpu {
    private static final int CLOCK_PROCESS_CPUTIME_ID = 2;
    private static final Clock CLOCK = LibraryLoader.create(Clock.class).load("c");

    private ProcessCpu() {
    }

    static long nanos() {
        long[] timespec = new long[2];
        if (CLOCK.clock_gettime(CLOCK_PROCESS_CPUTIME_ID, timespec) != 0) {
            throw new IllegalStateException("clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
        }
        return timespec[0] * 1_000_000_000L + timespec[1];
    }

    /** The one glibc function bound here; public because JNR implements it in a class loader of its own. */
    public interface Clock {
        /** {@code int clock_gettime(clockid_t clk, struct timespec *ts)}: two 64-bit words on x86-64. */
        int clock_gettime(int clock, @Out long[] timespec);
    }
}
