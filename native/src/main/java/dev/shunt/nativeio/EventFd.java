package dev.shunt.nativeio;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/** eventfd doorbells, created with {@code EFD_CLOEXEC | EFD_NONBLOCK}. */
public final class EventFd {

    private static final int EFD_NONBLOCK = 0x800;
    private static final int EFD_CLOEXEC = 0x80000;
    private static final long COUNTER_BYTES = 8;
    private static final String LINK_TARGET = "anon_inode:[eventfd]";

    /** The 8-byte value 1 written by {@link #signal}; never modified after class initialisation. */
    private static final Pointer ONE = Memory.allocateDirect(LibCHolder.RUNTIME, (int) COUNTER_BYTES);
    private static final long ONE_ADDRESS;

    static {
        ONE.putLong(0, 1L);
        ONE_ADDRESS = ONE.address();
    }

    private EventFd() {
    }

    /**
     * Creates a non-blocking, close-on-exec eventfd with counter 0.
     *
     * @return the new descriptor
     * @throws NativeCallException if {@code eventfd} fails
     */
    public static int create() throws NativeCallException {
        int fd = LibCHolder.LIBC.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (fd < 0) {
            throw new NativeCallException("eventfd", LibCHolder.errno());
        }
        return fd;
    }

    /**
     * Adds 1 to the counter, waking pollers. Hot path: allocates nothing. A full counter
     * ({@code EAGAIN}) is not an error: the reader is already due to wake.
     *
     * @param fd the eventfd
     * @throws NativeCallException if {@code write} fails otherwise
     */
    public static void signal(int fd) throws NativeCallException {
        if (LibCHolder.LIBC.write(fd, ONE_ADDRESS, COUNTER_BYTES) != COUNTER_BYTES) {
            int errno = LibCHolder.errno();
            if (errno != Errno.EAGAIN) {
                throw new NativeCallException("write(eventfd)", errno);
            }
        }
    }

    /**
     * Reads and resets the counter.
     *
     * @param fd the eventfd
     * @return the counter value, 0 when nothing was pending ({@code EAGAIN})
     * @throws NativeCallException if {@code read} fails otherwise
     */
    public static long drain(int fd) throws NativeCallException {
        Pointer scratch = ThreadScratch.block();
        if (LibCHolder.LIBC.read(fd, scratch.address(), COUNTER_BYTES) != COUNTER_BYTES) {
            int errno = LibCHolder.errno();
            if (errno == Errno.EAGAIN) {
                return 0;
            }
            throw new NativeCallException("read(eventfd)", errno);
        }
        return scratch.getLong(0);
    }

    /**
     * Whether a descriptor is an eventfd.
     *
     * @param fd the descriptor
     * @return true when {@link Descriptors#describe} gives {@code "anon_inode:[eventfd]"}
     */
    public static boolean isEventFd(int fd) {
        return LINK_TARGET.equals(Descriptors.describe(fd));
    }
}
