package dev.shunt.nativeio;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * An epoll instance (close-on-exec) watching descriptors, each registered with an {@code int} token that
 * {@link #await} reports back. {@code struct epoll_event} on x86-64 is packed: a u32 event mask followed by
 * a u64 of user data (12 bytes).
 */
public final class Epoll implements AutoCloseable {
    /** Readable. */
    public static final int IN = 0x1;
    /** Error. */
    public static final int ERR = 0x8;
    /** Hang-up. */
    public static final int HUP = 0x10;
    /** The peer shut down its writing side, or closed. */
    public static final int RDHUP = 0x2000;
    /** Edge-triggered: report a change of state once. */
    public static final int EDGE_TRIGGERED = 1 << 31;

    private static final int EPOLL_CLOEXEC = 0x80000;
    private static final int CTL_ADD = 1;
    private static final int CTL_DEL = 2;
    private static final int CTL_MOD = 3;
    private static final int EVENT_BYTES = 12;

    private final int fd;
    private final Pointer events;
    private final int capacity;
    private final Pointer control = Memory.allocateDirect(LibCHolder.RUNTIME, EVENT_BYTES, true);

    private Epoll(int fd, int capacity) {
        this.fd = fd;
        this.capacity = capacity;
        this.events = Memory.allocateDirect(LibCHolder.RUNTIME, capacity * EVENT_BYTES, true);
    }

    /**
     * Creates an epoll instance.
     *
     * @param capacity most events one {@link #await} call reports
     * @return the instance
     * @throws NativeCallException if {@code epoll_create1} fails
     */
    public static Epoll create(int capacity) throws NativeCallException {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
        }
        int fd = LibCHolder.LIBC.epoll_create1(EPOLL_CLOEXEC);
        if (fd < 0) {
            throw new NativeCallException("epoll_create1", LibCHolder.errno());
        }
        return new Epoll(fd, capacity);
    }

    /** @return the epoll descriptor itself, which is readable while any watched descriptor is ready (epoll nests) */
    public int descriptor() {
        return fd;
    }

    /**
     * Watches a descriptor. Not thread-safe against itself: callers serialise {@code add}/{@code remove}.
     *
     * @param target the descriptor
     * @param interest event mask, e.g. {@code IN | EDGE_TRIGGERED}
     * @param token reported by {@link #await} for this descriptor
     * @throws NativeCallException if {@code epoll_ctl} fails
     */
    public synchronized void add(int target, int interest, int token) throws NativeCallException {
        control.putInt(0, interest);
        control.putLong(4, token);
        if (LibCHolder.LIBC.epoll_ctl(fd, CTL_ADD, target, control) != 0) {
            throw new NativeCallException("epoll_ctl(ADD)", LibCHolder.errno());
        }
    }

    /**
     * Changes what a watched descriptor is watched for. With the interest and token it already has, this changes
     * nothing but re-arms an edge-triggered descriptor, and tells whether this instance still watches it.
     *
     * @param target the descriptor
     * @param interest event mask
     * @param token reported by {@link #await} for this descriptor
     * @throws NativeCallException if {@code epoll_ctl} fails: {@code ENOENT} when the descriptor is not watched
     *     here, {@code EBADF} or {@code EINVAL} when this instance's descriptor number was closed or now names
     *     another file
     */
    public synchronized void modify(int target, int interest, int token) throws NativeCallException {
        control.putInt(0, interest);
        control.putLong(4, token);
        if (LibCHolder.LIBC.epoll_ctl(fd, CTL_MOD, target, control) != 0) {
            throw new NativeCallException("epoll_ctl(MOD)", LibCHolder.errno());
        }
    }

    /**
     * Stops watching a descriptor.
     *
     * @param target the descriptor
     * @throws NativeCallException if {@code epoll_ctl} fails
     */
    public synchronized void remove(int target) throws NativeCallException {
        if (LibCHolder.LIBC.epoll_ctl(fd, CTL_DEL, target, control) != 0) {
            throw new NativeCallException("epoll_ctl(DEL)", LibCHolder.errno());
        }
    }

    /**
     * Waits for events. Only one thread may wait at a time.
     *
     * @param tokens receives the token of each ready descriptor
     * @param readyEvents receives each one's event mask
     * @param timeoutMillis -1 to wait without bound
     * @return how many entries were filled, 0 on timeout or interruption by a signal
     * @throws NativeCallException if {@code epoll_wait} fails otherwise
     */
    public int await(int[] tokens, int[] readyEvents, int timeoutMillis) throws NativeCallException {
        int max = Math.min(capacity, Math.min(tokens.length, readyEvents.length));
        int n = LibCHolder.LIBC.epoll_wait(fd, events, max, timeoutMillis);
        if (n < 0) {
            int errno = LibCHolder.errno();
            if (errno == Errno.EINTR) {
                return 0;
            }
            throw new NativeCallException("epoll_wait", errno);
        }
        for (int i = 0; i < n; i++) {
            readyEvents[i] = events.getInt((long) i * EVENT_BYTES);
            tokens[i] = (int) events.getLong((long) i * EVENT_BYTES + 4);
        }
        return n;
    }

    /** Closes the epoll descriptor. */
    @Override
    public void close() {
        Descriptors.close(fd);
    }
}
