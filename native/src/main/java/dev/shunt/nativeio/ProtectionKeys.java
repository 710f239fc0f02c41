package dev.shunt.nativeio;

/**
 * Intel MPK protection keys through glibc's {@code pkey_*} functions.
 *
 * <p>Access rights are per thread (the PKRU register). A thread that touches a page whose
 * key denies it access gets {@code SIGSEGV}, which kills the JVM: open access with
 * {@link #setRights} before touching protected pages, and never across a point where a
 * virtual thread can park.
 */
public final class ProtectionKeys {

    /** {@code PKEY_DISABLE_ACCESS}: no reads or writes. */
    public static final int DISABLE_ACCESS = 1;
    /** {@code PKEY_DISABLE_WRITE}: reads only. */
    public static final int DISABLE_WRITE = 2;

    private static final int PROT_READ_WRITE = 0x1 | 0x2;

    private ProtectionKeys() {
    }

    /**
     * Allocates a key with {@code pkey_alloc(0, accessRights)}; the calling thread gets
     * {@code accessRights} for it.
     *
     * @param accessRights 0, {@link #DISABLE_ACCESS} or {@link #DISABLE_WRITE}
     * @return the key, 1 to 15
     * @throws NativeCallException if {@code pkey_alloc} fails: {@link Errno#ENOSPC} when no
     *                             key is free or the CPU lacks keys, {@link Errno#EPERM} under
     *                             a seccomp filter that refuses it, {@link Errno#ENOSYS}
     *                             without kernel support
     */
    public static int allocate(int accessRights) throws NativeCallException {
        int key = LibCHolder.LIBC.pkey_alloc(0, accessRights);
        if (key < 0) {
            throw new NativeCallException("pkey_alloc", LibCHolder.errno());
        }
        return key;
    }

    /**
     * Frees a key. Pages still tagged with it keep the tag: unmap or re-protect them first.
     *
     * @param key the key
     * @throws NativeCallException if {@code pkey_free} fails
     */
    public static void free(int key) throws NativeCallException {
        if (LibCHolder.LIBC.pkey_free(key) != 0) {
            throw new NativeCallException("pkey_free", LibCHolder.errno());
        }
    }

    /**
     * Tags pages with a key: {@code pkey_mprotect(address, length, PROT_READ | PROT_WRITE, key)}.
     *
     * @param address page-aligned start address
     * @param length  number of bytes
     * @param key     the key
     * @throws NativeCallException if {@code pkey_mprotect} fails
     */
    public static void protect(long address, long length, int key) throws NativeCallException {
        if (LibCHolder.LIBC.pkey_mprotect(address, length, PROT_READ_WRITE, key) != 0) {
            throw new NativeCallException("pkey_mprotect", LibCHolder.errno());
        }
    }

    /**
     * Sets the calling thread's rights for a key ({@code pkey_set}). Hot path: allocates
     * nothing.
     *
     * @param key    the key
     * @param rights 0 (full access), {@link #DISABLE_ACCESS} or {@link #DISABLE_WRITE}
     * @throws IllegalStateException if {@code pkey_set} fails, which happens only for an
     *                               invalid key or rights value
     */
    public static void setRights(int key, int rights) {
        if (LibCHolder.LIBC.pkey_set(key, rights) != 0) {
            throw new IllegalStateException("pkey_set(" + key + ", " + rights + ") failed");
        }
    }

    /**
     * The calling thread's rights for a key ({@code pkey_get}). Allocates nothing.
     *
     * @param key the key
     * @return 0, {@link #DISABLE_ACCESS}, {@link #DISABLE_WRITE} or both
     * @throws IllegalStateException if {@code pkey_get} fails, which happens only for a key
     *                               outside 0..15
     */
    public static int rights(int key) {
        int rights = LibCHolder.LIBC.pkey_get(key);
        if (rights < 0) {
            throw new IllegalStateException("pkey_get(" + key + ") failed");
        }
        return rights;
    }
}
