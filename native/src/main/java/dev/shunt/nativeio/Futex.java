package dev.shunt.nativeio;

import jnr.ffi.Pointer;

/**
 * Shared (not {@code FUTEX_PRIVATE_FLAG}) futex wait and wake on a 32-bit word at an absolute
 * address, normally inside a {@code MAP_SHARED} mapping so that another process can wake the
 * waiter. The word must be 4-byte aligned and on a page the kernel may access (protection
 * key 0 or a key open for the calling thread), else the call fails with {@link Errno#EFAULT}.
 */
public final class Futex {

    /** {@link #await} returned because of a wake, a signal or spuriously: re-check the word. */
    public static final int WOKEN = 0;
    /** {@link #await} returned because the timeout elapsed. */
    public static final int TIMED_OUT = 1;
    /** {@link #await} returned at once because the word did not hold the expected value. */
    public static final int VALUE_CHANGED = 2;

    private static final long SYS_FUTEX = 202;
    private static final long FUTEX_WAIT = 0;
    private static final long FUTEX_WAKE = 1;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private Futex() {
    }

    /**
     * {@code FUTEX_WAIT}: sleeps while the word at {@code address} equals {@code expected},
     * until woken, interrupted by a signal (reported as a wake) or timed out. Allocates nothing.
     *
     * @param address      the address of the 32-bit word
     * @param expected     the value the word must hold for the thread to sleep
     * @param timeoutNanos relative timeout; negative means no timeout
     * @return {@link #WOKEN}, {@link #TIMED_OUT} or {@link #VALUE_CHANGED}
     * @throws NativeCallException for any other errno, such as {@link Errno#EFAULT}
     */
    public static int await(long address, int expected, long timeoutNanos) throws NativeCallException {
        long timeout = 0;
        if (timeoutNanos >= 0) {
            Pointer timespec = ThreadScratch.block();
            timespec.putLong(0, timeoutNanos / NANOS_PER_SECOND);
            timespec.putLong(8, timeoutNanos % NANOS_PER_SECOND);
            timeout = timespec.address();
        }
        if (LibCHolder.LIBC.syscall(SYS_FUTEX, address, FUTEX_WAIT, expected, timeout) == 0) {
            return WOKEN;
        }
        int errno = LibCHolder.errno();
        return switch (errno) {
            case Errno.ETIMEDOUT -> TIMED_OUT;
            case Errno.EAGAIN -> VALUE_CHANGED;
            case Errno.EINTR -> WOKEN;
            default -> throw new NativeCallException("futex(FUTEX_WAIT)", errno);
        };
    }

    /**
     * {@code FUTEX_WAKE}: wakes up to {@code count} threads waiting on the word. Hot path:
     * allocates nothing.
     *
     * @param address the address of the 32-bit word
     * @param count   the maximum number of waiters to wake, for example 1 or
     *                {@link Integer#MAX_VALUE}
     * @return the number of waiters woken
     * @throws NativeCallException if the call fails, for example with {@link Errno#EFAULT}
     */
    public static int wake(long address, int count) throws NativeCallException {
        long woken = LibCHolder.LIBC.syscall(SYS_FUTEX, address, FUTEX_WAKE, count, 0L);
        if (woken < 0) {
            throw new NativeCallException("futex(FUTEX_WAKE)", LibCHolder.errno());
        }
        return (int) woken;
    }
}
