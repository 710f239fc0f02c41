package dev.shunt.nativeio;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * A {@code struct msghdr} for {@code sendmsg}/{@code recvmsg} (x86-64 Linux) with one
 * {@code iovec}, an optional control buffer and a data buffer, all in one block of native
 * memory laid out as {@code [msghdr 56][iovec 16][control][data]}.
 */
final class MessageHeader {

    /** {@code SOL_SOCKET}. */
    static final int SOL_SOCKET = 1;
    /** {@code SCM_RIGHTS}. */
    static final int SCM_RIGHTS = 1;
    /** {@code SCM_MAX_FD}: the most descriptors one {@code SCM_RIGHTS} message can carry. */
    static final int SCM_MAX_FD = 253;

    private static final int MSGHDR_SIZE = 56;
    private static final int IOVEC_SIZE = 16;
    private static final int MSG_IOV = 16;
    private static final int MSG_IOVLEN = 24;
    private static final int MSG_CONTROL = 32;
    private static final int MSG_CONTROLLEN = 40;
    private static final int CMSG_HEADER_SIZE = 16;
    private static final int CMSG_LEVEL = 8;
    private static final int CMSG_TYPE = 12;
    private static final int FD_SIZE = 4;

    private final Pointer memory;
    private final int controlOffset;
    private final int dataOffset;

    private MessageHeader(int dataCapacity, int controlCapacity) {
        this.controlOffset = MSGHDR_SIZE + IOVEC_SIZE;
        this.dataOffset = controlOffset + controlCapacity;
        this.memory = Memory.allocateDirect(LibCHolder.RUNTIME, dataOffset + Math.max(dataCapacity, 1), true);
        long base = memory.address();
        memory.putLong(MSG_IOV, base + MSGHDR_SIZE);
        memory.putLong(MSG_IOVLEN, 1);
        memory.putLong(MSGHDR_SIZE, base + dataOffset);
        memory.putLong(MSGHDR_SIZE + 8, dataCapacity);
        if (controlCapacity > 0) {
            memory.putLong(MSG_CONTROL, base + controlOffset);
            memory.putLong(MSG_CONTROLLEN, controlCapacity);
        }
    }

    /**
     * A header for sending {@code data[off, off+len)} with the given descriptors as one
     * {@code SCM_RIGHTS} control message (none when {@code fds} is empty).
     *
     * @param data bytes to send
     * @param off  first byte
     * @param len  number of bytes
     * @param fds  descriptors to pass
     * @return the filled-in header
     */
    static MessageHeader forSending(byte[] data, int off, int len, int[] fds) {
        MessageHeader header = new MessageHeader(len, fds.length == 0 ? 0 : space(fds.length * FD_SIZE));
        header.memory.put(header.dataOffset, data, off, len);
        if (fds.length > 0) {
            int cmsg = header.controlOffset;
            header.memory.putLong(cmsg, CMSG_HEADER_SIZE + (long) fds.length * FD_SIZE);
            header.memory.putInt(cmsg + CMSG_LEVEL, SOL_SOCKET);
            header.memory.putInt(cmsg + CMSG_TYPE, SCM_RIGHTS);
            header.memory.put(cmsg + CMSG_HEADER_SIZE, fds, 0, fds.length);
        }
        return header;
    }

    /**
     * A header for receiving up to {@code capacity} bytes, with control room for
     * {@link #SCM_MAX_FD} descriptors plus an {@code SCM_CREDENTIALS} message, so that the
     * kernel never has to drop descriptors for lack of room.
     *
     * @param capacity data bytes to receive at most
     * @return the empty header
     */
    static MessageHeader forReceiving(int capacity) {
        return new MessageHeader(capacity, space(SCM_MAX_FD * FD_SIZE) + space(3 * FD_SIZE));
    }

    /**
     * The header's native memory, to pass to {@code sendmsg} or {@code recvmsg}. The caller
     * keeps this object reachable until the call has returned.
     *
     * @return the {@code struct msghdr}
     */
    Pointer memory() {
        return memory;
    }

    /**
     * Copies received data out.
     *
     * @param dst destination array
     * @param off first index to write
     * @param len number of bytes to copy
     */
    void copyData(byte[] dst, int off, int len) {
        memory.get(dataOffset, dst, off, len);
    }

    /**
     * All descriptors in {@code SCM_RIGHTS} control messages of a received header, in order.
     *
     * @return the descriptors, possibly none
     */
    int[] receivedFds() {
        long controlLength = memory.getLong(MSG_CONTROLLEN);
        int[] fds = new int[0];
        int cmsg = 0;
        while (cmsg + CMSG_HEADER_SIZE <= controlLength) {
            int at = controlOffset + cmsg;
            long length = memory.getLong(at);
            if (length < CMSG_HEADER_SIZE || cmsg + length > controlLength) {
                break;
            }
            if (memory.getInt(at + CMSG_LEVEL) == SOL_SOCKET && memory.getInt(at + CMSG_TYPE) == SCM_RIGHTS) {
                int count = (int) ((length - CMSG_HEADER_SIZE) / FD_SIZE);
                int[] more = new int[fds.length + count];
                System.arraycopy(fds, 0, more, 0, fds.length);
                memory.get(at + CMSG_HEADER_SIZE, more, fds.length, count);
                fds = more;
            }
            cmsg += space(length - CMSG_HEADER_SIZE);
        }
        return fds;
    }

    /** {@code CMSG_SPACE(n)}: header plus {@code n} data bytes rounded up to 8. */
    private static int space(long dataBytes) {
        return (int) (CMSG_HEADER_SIZE + ((dataBytes + 7) & ~7L));
    }
}
