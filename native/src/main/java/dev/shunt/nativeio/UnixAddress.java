package dev.shunt.nativeio;

import java.nio.charset.StandardCharsets;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Encoding and decoding of {@code struct sockaddr_un} (x86-64 Linux): a 16-bit family
 * ({@code AF_UNIX} = 1) followed by 108 bytes of path.
 */
final class UnixAddress {

    /** {@code AF_UNIX}. */
    static final int AF_UNIX = 1;
    /** {@code sizeof(struct sockaddr_un)}. */
    static final int SIZE = 110;

    private static final int PATH_OFFSET = 2;
    private static final int PATH_CAPACITY = SIZE - PATH_OFFSET;

    private final Pointer memory;
    private final int length;

    private UnixAddress(Pointer memory, int length) {
        this.memory = memory;
        this.length = length;
    }

    /**
     * An address in the abstract namespace: {@code sun_path} is a NUL byte followed by the
     * name, without a terminating NUL.
     *
     * @param name the name, ASCII, at most 107 characters
     * @return the encoded address
     * @throws IllegalArgumentException if the name is not ASCII or too long
     */
    static UnixAddress abstractName(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        if (!new String(bytes, StandardCharsets.US_ASCII).equals(name)) {
            throw new IllegalArgumentException("abstract socket name is not ASCII: " + name);
        }
        if (bytes.length + 1 > PATH_CAPACITY) {
            throw new IllegalArgumentException("abstract socket name longer than " + (PATH_CAPACITY - 1) + " bytes: " + name);
        }
        Pointer memory = newSockaddr();
        memory.put(PATH_OFFSET + 1, bytes, 0, bytes.length);
        return new UnixAddress(memory, PATH_OFFSET + 1 + bytes.length);
    }

    /**
     * A filesystem path address, NUL-terminated.
     *
     * @param path the path, encoded as UTF-8, at most 107 bytes
     * @return the encoded address
     * @throws IllegalArgumentException if the path is empty, too long or contains NUL
     */
    static UnixAddress path(String path) {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length + 1 > PATH_CAPACITY || path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not a usable Unix socket path (1.." + (PATH_CAPACITY - 1)
                    + " bytes, no NUL): " + path);
        }
        Pointer memory = newSockaddr();
        memory.put(PATH_OFFSET, bytes, 0, bytes.length);
        return new UnixAddress(memory, PATH_OFFSET + bytes.length + 1);
    }

    /**
     * The abstract name in an address filled in by the kernel.
     *
     * @param address the {@code sockaddr_un} memory, {@link #SIZE} bytes
     * @param length  the address length the kernel reported
     * @return the name without its leading NUL, or null for an unnamed or filesystem address
     */
    static String decodeAbstractName(Pointer address, int length) {
        if (length <= PATH_OFFSET || address.getByte(PATH_OFFSET) != 0) {
            return null;
        }
        byte[] name = new byte[Math.min(length, SIZE) - PATH_OFFSET - 1];
        address.get(PATH_OFFSET + 1, name, 0, name.length);
        return new String(name, StandardCharsets.ISO_8859_1);
    }

    /**
     * Zeroed native memory for a {@code sockaddr_un} with the family set.
     *
     * @return {@link #SIZE} bytes
     */
    static Pointer newSockaddr() {
        Pointer memory = Memory.allocateDirect(LibCHolder.RUNTIME, SIZE, true);
        memory.putShort(0, (short) AF_UNIX);
        return memory;
    }

    /**
     * The encoded address.
     *
     * @return native memory holding the {@code sockaddr_un}
     */
    Pointer memory() {
        return memory;
    }

    /**
     * The address length to pass to {@code bind} or {@code connect}.
     *
     * @return {@code offsetof(sun_path)} plus the used path bytes
     */
    int length() {
        return length;
    }
}
