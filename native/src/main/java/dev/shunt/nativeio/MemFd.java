package dev.shunt.nativeio;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/** Anonymous shared-memory files: {@code memfd_create}, {@code ftruncate} and file seals. */
public final class MemFd {

    /** {@code F_SEAL_SEAL}: no further seals may be added. */
    public static final int SEAL_SEAL = 1;
    /** {@code F_SEAL_SHRINK}: the file may not shrink. */
    public static final int SEAL_SHRINK = 2;
    /** {@code F_SEAL_GROW}: the file may not grow. */
    public static final int SEAL_GROW = 4;
    /** {@code F_SEAL_WRITE}: the contents may not be modified. */
    public static final int SEAL_WRITE = 8;

    private static final int MFD_CLOEXEC = 1;
    private static final int MFD_ALLOW_SEALING = 2;
    private static final int F_ADD_SEALS = 1033;
    private static final int F_GET_SEALS = 1034;
    private static final int STAT_SIZE = 144;
    private static final int STAT_ST_SIZE_OFFSET = 48;

    private MemFd() {
    }

    /**
     * Creates a memfd with {@code MFD_CLOEXEC | MFD_ALLOW_SEALING} and size 0.
     *
     * @param name the name shown in {@code /proc/self/fd} as {@code /memfd:<name>}
     * @return the new file descriptor
     * @throws NativeCallException if {@code memfd_create} fails
     */
    public static int create(String name) throws NativeCallException {
        int fd = LibCHolder.LIBC.memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0) {
            throw new NativeCallException("memfd_create", LibCHolder.errno());
        }
        return fd;
    }

    /**
     * Sets the size of a file.
     *
     * @param fd   the file descriptor
     * @param size the new size in bytes
     * @throws NativeCallException if {@code ftruncate} fails, for example with
     *                             {@link Errno#EPERM} when a seal forbids the change
     */
    public static void truncate(int fd, long size) throws NativeCallException {
        if (LibCHolder.LIBC.ftruncate(fd, size) != 0) {
            throw new NativeCallException("ftruncate", LibCHolder.errno());
        }
    }

    /**
     * Adds seals with {@code fcntl(F_ADD_SEALS)}.
     *
     * @param fd    the memfd
     * @param seals a combination of the {@code SEAL_*} constants
     * @throws NativeCallException if {@code fcntl} fails
     */
    public static void addSeals(int fd, int seals) throws NativeCallException {
        if (LibCHolder.LIBC.fcntl(fd, F_ADD_SEALS, seals) != 0) {
            throw new NativeCallException("fcntl(F_ADD_SEALS)", LibCHolder.errno());
        }
    }

    /**
     * Reads the seals with {@code fcntl(F_GET_SEALS)}.
     *
     * @param fd the memfd
     * @return the combination of {@code SEAL_*} constants in force
     * @throws NativeCallException if {@code fcntl} fails, with {@link Errno#EINVAL} for a
     *                             descriptor that is not a memfd
     */
    public static int seals(int fd) throws NativeCallException {
        int seals = LibCHolder.LIBC.fcntl(fd, F_GET_SEALS, 0);
        if (seals < 0) {
            throw new NativeCallException("fcntl(F_GET_SEALS)", LibCHolder.errno());
        }
        return seals;
    }

    /**
     * The current size of a file, from {@code fstat}.
     *
     * @param fd the file descriptor
     * @return its size in bytes
     * @throws NativeCallException if {@code fstat} fails
     */
    public static long size(int fd) throws NativeCallException {
        Pointer stat = Memory.allocateDirect(LibCHolder.RUNTIME, STAT_SIZE);
        if (LibCHolder.LIBC.fstat(fd, stat) != 0) {
            throw new NativeCallException("fstat", LibCHolder.errno());
        }
        return stat.getLong(STAT_ST_SIZE_OFFSET);
    }
}
