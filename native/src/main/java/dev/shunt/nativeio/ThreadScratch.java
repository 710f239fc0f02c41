package dev.shunt.nativeio;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * A small block of native memory per thread, for calls that need an out- or in-parameter
 * in native memory (eventfd counter, futex timeout) without allocating per call.
 *
 * <p>The block stays reachable through the thread-local for the life of the thread, so
 * its address may be passed to native code as a plain {@code long}. A caller owns it only
 * for the duration of one native call and must not call out to other code in between.
 * Each thread, virtual threads included, allocates its block on first use only.
 */
final class ThreadScratch {

    /** Size of each thread's block in bytes. */
    static final int SIZE = 16;

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
