package dev.shunt.nativeio;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Many descriptors checked for events in one {@code poll(2)} call that never waits: for a thread that looks at a
 * changing set of sockets now and then. The {@code struct pollfd} array (8 bytes each: int fd, short events,
 * short revents) is native memory kept between calls and grown when needed, so a check allocates nothing once the
 * set stopped growing. Not thread-safe: one thread fills and polls it.
 */
public final class PollGroup {
    private static final int POLLFD_BYTES = 8;
    private static final int EVENTS_OFFSET = 4;
    private static final int REVENTS_OFFSET = 6;
    private static final int FIRST_CAPACITY = 64;

    private Pointer array = Memory.allocateDirect(LibCHolder.RUNTIME, FIRST_CAPACITY * POLLFD_BYTES, true);
    private int capacity = FIRST_CAPACITY;
    private int size;

    /** Empties the group; the memory stays for the next fill. */
    public void clear() {
        size = 0;
    }

    /**
     * Adds a descriptor.
     *
     * @param fd the descriptor
     * @param events the {@code UnixSockets.POLL*} events of interest
     */
    public void add(int fd, int events) {
        if (size == capacity) {
            Pointer larger = Memory.allocateDirect(LibCHolder.RUNTIME, 2L * capacity * POLLFD_BYTES, true);
            larger.transferFrom(0, array, 0, (long) size * POLLFD_BYTES);
            array = larger;
            capacity *= 2;
        }
        long at = (long) size * POLLFD_BYTES;
        array.putInt(at, fd);
        array.putShort(at + EVENTS_OFFSET, (short) events);
        array.putShort(at + REVENTS_OFFSET, (short) 0);
        size++;
    }

    /** @return how many descriptors the group holds */
    public int size() {
        return size;
    }

    /**
     * Checks every descriptor of the group once, without waiting ({@code EINTR} retried).
     *
     * @return how many descriptors reported an event
     * @throws NativeCallException if {@code poll} fails
     */
    public int pollNow() throws NativeCallException {
        if (size == 0) {
            return 0;
        }
        while (true) {
            int ready = LibCHolder.LIBC.poll(array, size, 0);
            if (ready >= 0) {
                return ready;
            }
            int errno = LibCHolder.errno();
            if (errno != Errno.EINTR) {
                throw new NativeCallException("poll", errno);
            }
        }
    }

    /**
     * @param index the position of a descriptor in the order it was added
     * @return the events {@link #pollNow()} found on it ({@code revents}); {@code POLLNVAL} for a closed number
     */
    public int returned(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " of a group of " + size);
        }
        return array.getShort((long) index * POLLFD_BYTES + REVENTS_OFFSET) & 0xffff;
    }
}
