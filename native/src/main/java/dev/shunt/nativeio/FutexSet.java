package dev.shunt.nativeio;

import com.kenai.jffi.MemoryIO;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * One thread's sleep on many 32-bit futex words at once ({@code futex_waitv(2)}, Linux 5.16+): it returns when any
 * of them is woken, holds another value than expected, or a deadline passes. Entry 0 is the set's own <em>bell</em>,
 * a word in this process's memory that other threads of the process ring ({@link #ringBell()}) to wake the sleeper;
 * the other entries are words in shared memory that another process wakes with a plain {@code FUTEX_WAKE}.
 *
 * <p>Memory, allocated once per set (nothing per call):
 * <pre>
 *   0                 24 * CAPACITY          + 16              + 4
 *   +-----------------+----------------------+-----------------+
 *   | struct futex_waitv[CAPACITY]            | timespec        | bell (int)
 *   |  u64 val | u64 uaddr | u32 flags | u32 0|  deadline       |
 *   +-----------------+----------------------+-----------------+
 * </pre>
 * One thread fills and waits ({@link #clear()}, {@link #add}, {@link #await}); any thread may ring the bell.
 */
public final class FutexSet {
    /** The most words one wait covers, the bell included ({@code FUTEX_WAITV_MAX}). */
    public static final int CAPACITY = 128;
    /** {@link #await} returned because the deadline passed. */
    public static final int TIMED_OUT = -1;
    /** {@link #await} returned at once (a word no longer held its value) or for a signal: re-check the words. */
    public static final int CHANGED = -2;

    private static final long SYS_FUTEX = 202;
    private static final long SYS_FUTEX_WAITV = 449;
    private static final long FUTEX_WAKE_PRIVATE = 1 | 128;
    private static final int FUTEX2_SIZE_U32 = 0x02;
    private static final int FUTEX2_PRIVATE = 128;
    private static final long CLOCK_MONOTONIC = 1;
    private static final int ENTRY_BYTES = 24;
    private static final int TIMESPEC = ENTRY_BYTES * CAPACITY;
    private static final int BELL = TIMESPEC + 16;
    private static final int BELL_RESTING = 0;
    private static final int BELL_ARMED = 1;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final boolean SUPPORTED = probe();

    private final Pointer memory = Memory.allocateDirect(LibCHolder.RUNTIME, BELL + 4, true);
    private final ByteBuffer bell;
    private final long bellAddress;
    private int size = 1;

    /**
     * A set holding its bell only.
     *
     * @throws IllegalStateException when this kernel (or a seccomp filter) refuses {@code futex_waitv}
     */
    public FutexSet() {
        if (!SUPPORTED) {
            throw new IllegalStateException("futex_waitv(2) is not available");
        }
        bellAddress = memory.address() + BELL;
        bell = MemoryIO.getInstance().newDirectByteBuffer(bellAddress, 4).order(ByteOrder.nativeOrder());
        entry(0, bellAddress, BELL_ARMED, FUTEX2_SIZE_U32 | FUTEX2_PRIVATE);
    }

    /**
     * Whether {@code futex_waitv} can be called here: a kernel of 5.16 or later and no seccomp filter refusing it
     * (probed once per process, on the thread that loads this class).
     *
     * @return whether sets can be made
     */
    public static boolean supported() {
        return SUPPORTED;
    }

    /**
     * Calls {@code futex_waitv} with no words on the calling thread: a kernel that has it answers {@code EINVAL};
     * one without it, or a seccomp filter refusing it, answers something else.
     *
     * @return whether the call exists for this thread
     */
    static boolean probe() {
        long result = LibCHolder.LIBC.syscall(SYS_FUTEX_WAITV, null, 0, 0, 0, 0);
        return result == -1 && LibCHolder.errno() == Errno.EINVAL;
    }

    /** Empties the set, but for its bell. */
    public void clear() {
        size = 1;
    }

    /**
     * Adds a word in shared memory.
     *
     * @param address the word's address, 4-byte aligned
     * @param expected the value it must hold for the thread to sleep
     * @return false when the set is full (nothing added)
     */
    public boolean add(long address, int expected) {
        if (size == CAPACITY) {
            return false;
        }
        entry(size++, address, expected, FUTEX2_SIZE_U32);
        return true;
    }

    /** @return the words in the set, its bell included */
    public int size() {
        return size;
    }

    private void entry(int index, long address, int expected, int flags) {
        long at = (long) index * ENTRY_BYTES;
        memory.putLong(at, expected & 0xFFFF_FFFFL);
        memory.putLong(at + 8, address);
        memory.putInt(at + 16, flags);
        memory.putInt(at + 20, 0);
    }

    /**
     * Arms the bell: from now a {@link #ringBell()} wakes (or forestalls) the next {@link #await}. Call it before the
     * last check for work that another thread's ring announces; the full fence of the volatile store orders the two.
     */
    public void armBell() {
        INT.setVolatile(bell, 0, BELL_ARMED);
    }

    /** Disarms the bell after a wait (a ring that came meanwhile is forgotten: the caller re-checks its work). */
    public void disarmBell() {
        INT.setOpaque(bell, 0, BELL_RESTING);
    }

    /**
     * Any thread: wakes the set's thread if its bell is armed. Costs one load when it is not.
     *
     * @return whether the bell was armed (and is now rung)
     */
    public boolean ringBell() {
        if ((int) INT.getVolatile(bell, 0) != BELL_ARMED || !INT.compareAndSet(bell, 0, BELL_ARMED, BELL_RESTING)) {
            return false;
        }
        LibCHolder.LIBC.syscall(SYS_FUTEX, bellAddress, FUTEX_WAKE_PRIVATE, 1, 0);
        return true;
    }

    /** @return whether the bell was rung since it was armed */
    public boolean bellRang() {
        return (int) INT.getVolatile(bell, 0) != BELL_ARMED;
    }

    /**
     * Sleeps while every word holds its expected value, until one is woken or the deadline passes.
     *
     * @param deadlineNanos on {@link System#nanoTime()}'s clock ({@code CLOCK_MONOTONIC} on Linux)
     * @return the index of a word that was woken (0: the bell), {@link #CHANGED} or {@link #TIMED_OUT}
     * @throws NativeCallException for any other failure, such as {@link Errno#EFAULT} for an unmapped word
     */
    public int await(long deadlineNanos) throws NativeCallException {
        long timespec = memory.address() + TIMESPEC;
        memory.putLong(TIMESPEC, Math.floorDiv(deadlineNanos, NANOS_PER_SECOND));
        memory.putLong(TIMESPEC + 8, Math.floorMod(deadlineNanos, NANOS_PER_SECOND));
        long woken = LibCHolder.LIBC.syscall(SYS_FUTEX_WAITV, memory, size, 0, timespec, CLOCK_MONOTONIC);
        if (woken >= 0) {
            return (int) woken;
        }
        int errno = LibCHolder.errno();
        return switch (errno) {
            case Errno.ETIMEDOUT -> TIMED_OUT;
            case Errno.EAGAIN, Errno.EINTR -> CHANGED;
            default -> throw new NativeCallException("futex_waitv", errno);
        };
    }
}
