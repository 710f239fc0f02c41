package dev.shunt.nativeio;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * A small block of native memory per thread, for calls that need an out- or in-parameter
 * in native memory (eventfd counter, futex timeout, {@code pollfd}, a socket address and its
 * length) without allocating per call: JNR's transient native memory costs an {@code mmap}
 * every few dozen allocations, which showed in the profile of a server accepting plain
 * connections back to back.
 *
 * <p>The block stays reachable through the thread-local for the life of the thread, so
 * its address may be passed to native code as a plain {@code long}. A caller owns it only
 * for the duration of one native call and must not call out to other code in between.
 * Each thread, virtual threads included, allocates its block on first use only.
 */
final class ThreadScratch {

    /** Size of each thread's block in bytes: a {@code sockaddr_un}, then its length at {@link #ADDRESS_LENGTH}. */
    static final int SIZE = 128;
    /** Where a {@code socklen_t} goes when the block holds a {@code sockaddr_un} (its 110 bytes, aligned). */
    static final int ADDRESS_LENGTH = 112;

    private static final ThreadLocal<Pointer> BLOCK =
            ThreadLocal.withInitial(() -> Memory.allocateDirect(LibCHolder.RUNTIME, SIZE, true));

    private ThreadScratch() {
    }

    /**
     * The calling thread's block.
     *
     * @return a direct pointer to {@link #SIZE} bytes owned by the calling thread
     */
    static Pointer block() {
        return BLOCK.get();
    }
}
