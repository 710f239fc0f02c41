package dev.shunt.core;

import dev.shunt.nativeio.ProtectionKeys;

/**
 * Opens and closes the calling thread's access to the data pages of the rings this process produces into (the
 * inbound rings are read-only mappings and need no window).
 *
 * <p>With a protection key, {@link #open()} grants this thread read/write rights on the key and
 * {@link #close()} takes them away again, so a stray access from anywhere else in the process faults
 * ({@code SIGSEGV}, {@code SEGV_PKUERR}). Without a key both are no-ops. A window is always closed in a
 * {@code finally} and never spans a park, a lock acquisition or a yield: protection-key rights belong to
 * the OS thread, and a virtual thread may move to another carrier at those points.
 */
final class AccessWindow {
    /** A window for unprotected regions. */
    static final AccessWindow NONE = new AccessWindow(-1);

    private final int key;

    private AccessWindow(int key) {
        this.key = key;
    }

    /** @return a window over pages tagged with {@code key} */
    static AccessWindow forKey(int key) {
        if (key < 0) {
            throw new IllegalArgumentException("protection key must be >= 0: " + key);
        }
        return new AccessWindow(key);
    }

    /** Grants the calling thread access to the data pages. */
    void open() {
        if (key >= 0) {
            ProtectionKeys.setRights(key, 0);
        }
    }

    /** Takes the calling thread's access away again. */
    void close() {
        if (key >= 0) {
            ProtectionKeys.setRights(key, ProtectionKeys.DISABLE_ACCESS);
        }
    }

    /** @return the protection key, or -1 when the pages are not protected */
    int key() {
        return key;
    }
}
