package dev.shunt.nativeio;

import jnr.ffi.Pointer;

/**
 * Which CPU the calling thread runs on, from glibc's {@code sched_getcpu} (read from the rseq area or the vDSO:
 * no system call, a few nanoseconds plus the binding's call overhead). The answer may be stale as soon as it is
 * returned: the scheduler can move the thread at any time. It serves as a placement hint, never for correctness.
 * {@link #moveOffCurrent()} moves the calling thread to another CPU without pinning it.
 */
public final class Cpus {
    /** What {@link #current()} returns when the CPU cannot be told. */
    public static final int UNKNOWN = -1;
    /** Bytes of an affinity mask: glibc's {@code cpu_set_t}, 1,024 CPUs, the size of a thread's scratch block. */
    private static final int MASK_BYTES = ThreadScratch.SIZE;

    private Cpus() {
    }

    /** @return the CPU the calling thread ran on just now, or {@link #UNKNOWN} */
    public static int current() {
        int cpu = LibCHolder.LIBC.sched_getcpu();
        return cpu >= 0 ? cpu : UNKNOWN;
    }

    /**
     * Moves the calling thread off the CPU it runs on, to another CPU its affinity allows, and gives it back the
     * affinity it had: nothing stays pinned, and the scheduler leaves the thread where it now is until it has a
     * reason of its own to move it. Two {@code sched_setaffinity} calls (the first returns on the new CPU) and a
     * {@code sched_getaffinity}. A mask that another thread sets for this one between the two calls is replaced by
     * the one read before them.
     *
     * <p>For a platform thread: a virtual thread would move its carrier.
     *
     * @return the CPU the thread runs on now, or {@link #UNKNOWN} when it did not move: its affinity allows no other
     *     CPU, it runs on a CPU numbered 1,024 or more, or the kernel refused the first call
     * @throws NativeCallException when the thread moved but its mask could not be given back (it is then kept off
     *     the CPU it left)
     */
    public static int moveOffCurrent() throws NativeCallException {
        Pointer mask = ThreadScratch.block();
        int cpu = current();
        if (cpu == UNKNOWN || cpu >= MASK_BYTES * 8 || LibCHolder.LIBC.sched_getaffinity(0, MASK_BYTES, mask) != 0) {
            return UNKNOWN;
        }
        int index = cpu / 8;
        int bit = 1 << (cpu % 8);
        byte allowed = mask.getByte(index);
        if ((allowed & bit) == 0 || !allowsAnother(mask, index, bit)) {
            return UNKNOWN;
        }
        mask.putByte(index, (byte) (allowed & ~bit));
        if (LibCHolder.LIBC.sched_setaffinity(0, MASK_BYTES, mask) != 0) {
            return UNKNOWN;
        }
        mask.putByte(index, allowed);
        if (LibCHolder.LIBC.sched_setaffinity(0, MASK_BYTES, mask) != 0) {
            throw new NativeCallException("sched_setaffinity (giving the thread its mask back)", LibCHolder.errno());
        }
        return current();
    }

    /** @return whether the mask allows a CPU other than the one at {@code index}, {@code bit} */
    private static boolean allowsAnother(Pointer mask, int index, int bit) {
        for (int i = 0; i < MASK_BYTES; i++) {
            int others = i == index ? mask.getByte(i) & ~bit : mask.getByte(i);
            if (others != 0) {
                return true;
            }
        }
        return false;
    }
}
