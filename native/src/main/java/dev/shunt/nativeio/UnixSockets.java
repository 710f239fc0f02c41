package dev.shunt.nativeio;

import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Unix-domain socket operations on existing descriptors. The descriptor may be blocking or
 * non-blocking: {@link #send}, {@link #receive} and {@link #peek} use {@code MSG_DONTWAIT}
 * and never block; {@link #poll}, {@link #accept}, {@link #writeFully} and {@link #read}
 * wait. {@code EINTR} is retried everywhere.
 *
 * <p>{@link #send}, {@link #receive}, {@link #peek} and their kin copy through native memory allocated per call,
 * at most {@link #MAX_TRANSFER} bytes at a time: they serve handshakes and the kernel path of tests, not a data
 * path. The doorbell calls a fast-path connection makes per wake-up ({@link #sendByte}, {@link #discardAvailable},
 * {@link #discardInput}) allocate nothing.
 */
public final class UnixSockets {

    /** {@code POLLIN}: data to read. */
    public static final int POLLIN = 0x1;
    /** {@code POLLOUT}: writing will not block. */
    public static final int POLLOUT = 0x4;
    /** {@code POLLERR}: error condition. */
    public static final int POLLERR = 0x8;
    /** {@code POLLHUP}: hang up. */
    public static final int POLLHUP = 0x10;
    /** {@code POLLNVAL}: the descriptor is not open. */
    public static final int POLLNVAL = 0x20;
    /** {@code POLLRDHUP}: the peer shut down its writing side. */
    public static final int POLLRDHUP = 0x2000;

    /** The most bytes one {@link #send}, {@link #receive} or {@link #peek} call moves. */
    public static final int MAX_TRANSFER = 64 * 1024;

    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SO_PEERCRED = 17;
    private static final int UCRED_SIZE = 12;
    private static final int MSG_PEEK = 0x2;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int DISCARD_BYTES = 256;
    /** Source of {@link #sendByte}: never written after initialisation. */
    private static final Pointer ONE_BYTE = oneByte();
    /** Sink of {@link #discardInput}: its contents are never read, so concurrent callers may share it. */
    private static final Pointer DISCARDED = Memory.allocateDirect(LibCHolder.RUNTIME, DISCARD_BYTES);
    private static final int SHUT_RD = 0;
    private static final int SHUT_WR = 1;
    private static final int POLLFD_EVENTS = 4;
    private static final int POLLFD_REVENTS = 6;

    private UnixSockets() {
    }

    /**
     * Binds a socket to an address in the abstract namespace: {@code sun_path} is
     * {@code '\0'} followed by the name, and the address length covers exactly those bytes.
     *
     * @param fd   an unbound {@code AF_UNIX} socket
     * @param name the name, ASCII, at most 107 characters
     * @throws IllegalArgumentException if the name is not ASCII or too long
     * @throws NativeCallException      if {@code bind} fails, e.g. {@code EADDRINUSE}
     */
    public static void bindAbstract(int fd, String name) throws NativeCallException {
        bind(fd, UnixAddress.abstractName(name));
    }

    /**
     * The abstract name the peer is bound to ({@code getpeername}).
     *
     * @param fd a connected socket
     * @return the name without its leading NUL, or null when the peer is unbound or bound to
     *         a filesystem path
     * @throws NativeCallException if {@code getpeername} fails, e.g. {@code ENOTCONN}
     */
    public static String peerAbstractName(int fd) throws NativeCallException {
        return abstractName(fd, true);
    }

    /**
     * The abstract name this socket is bound to ({@code getsockname}).
     *
     * @param fd a socket
     * @return the name without its leading NUL, or null when unbound or bound to a path
     * @throws NativeCallException if {@code getsockname} fails
     */
    public static String localAbstractName(int fd) throws NativeCallException {
        return abstractName(fd, false);
    }

    /** {@code getpeername} or {@code getsockname} into the thread's scratch block: a server calls it per connection. */
    private static String abstractName(int fd, boolean peer) throws NativeCallException {
        Pointer address = ThreadScratch.block();
        address.putInt(ThreadScratch.ADDRESS_LENGTH, UnixAddress.SIZE);
        Pointer length = address.slice(ThreadScratch.ADDRESS_LENGTH);
        int result = peer ? LibCHolder.LIBC.getpeername(fd, address, length)
                : LibCHolder.LIBC.getsockname(fd, address, length);
        if (result != 0) {
            throw new NativeCallException(peer ? "getpeername" : "getsockname", LibCHolder.errno());
        }
        return UnixAddress.decodeAbstractName(address, address.getInt(ThreadScratch.ADDRESS_LENGTH));
    }

    /**
     * The peer's credentials ({@code SO_PEERCRED}).
     *
     * @param fd a connected socket or one end of a socket pair
     * @return the peer's pid, uid and gid
     * @throws NativeCallException if {@code getsockopt} fails
     */
    public static PeerCredentials peerCredentials(int fd) throws NativeCallException {
        Pointer ucred = Memory.allocateDirect(LibCHolder.RUNTIME, UCRED_SIZE, true);
        Pointer length = lengthCell(UCRED_SIZE);
        int result = LibCHolder.LIBC.getsockopt(fd, MessageHeader.SOL_SOCKET, SO_PEERCRED, ucred, length);
        Reference.reachabilityFence(length);
        if (result != 0) {
            throw new NativeCallException("getsockopt(SO_PEERCRED)", LibCHolder.errno());
        }
        return new PeerCredentials(ucred.getInt(0), ucred.getInt(4), ucred.getInt(8));
    }

    /**
     * Sends bytes, and descriptors as one {@code SCM_RIGHTS} control message, with
     * {@code sendmsg(MSG_DONTWAIT | MSG_NOSIGNAL)}. The descriptors travel with the first
     * byte sent; they stay open in this process.
     *
     * @param fd   a connected socket
     * @param data the bytes
     * @param off  index of the first byte to send
     * @param len  number of bytes to send; at most {@link #MAX_TRANSFER} are sent per call
     * @param fds  descriptors to pass, possibly none (then no control message is sent)
     * @return the number of bytes sent, 0 when the socket buffer is full ({@code EAGAIN});
     *         descriptors were sent only when the result is positive
     * @throws NativeCallException if {@code sendmsg} fails, e.g. {@code EPIPE}
     */
    public static int send(int fd, byte[] data, int off, int len, int[] fds) throws NativeCallException {
        Objects.checkFromIndexSize(off, len, data.length);
        MessageHeader header = MessageHeader.forSending(data, off, Math.min(len, MAX_TRANSFER), fds);
        try {
            while (true) {
                long sent = LibCHolder.LIBC.sendmsg(fd, header.memory(), MSG_DONTWAIT | MSG_NOSIGNAL);
                if (sent >= 0) {
                    return (int) sent;
                }
                int errno = LibCHolder.errno();
                if (errno == Errno.EAGAIN) {
                    return 0;
                }
                if (errno != Errno.EINTR) {
                    throw new NativeCallException("sendmsg", errno);
                }
            }
        } finally {
            Reference.reachabilityFence(header);
        }
    }

    /**
     * Receives bytes and descriptors with {@code recvmsg(MSG_DONTWAIT | MSG_CMSG_CLOEXEC)}.
     * Received descriptors fill {@code fdsOut} from index 0; unused slots are set to -1;
     * descriptors that do not fit are closed at once, never leaked.
     *
     * @param fd     a connected socket
     * @param buf    destination
     * @param off    first index to write
     * @param len    room in bytes; at most {@link #MAX_TRANSFER} are read per call
     * @param fdsOut receives the descriptors
     * @return the number of bytes read, 0 at end of stream, -1 when nothing is available
     *         ({@code EAGAIN})
     * @throws NativeCallException if {@code recvmsg} fails, e.g. {@code ECONNRESET}
     */
    public static int receive(int fd, byte[] buf, int off, int len, int[] fdsOut) throws NativeCallException {
        Objects.checkFromIndexSize(off, len, buf.length);
        Arrays.fill(fdsOut, -1);
        MessageHeader header = MessageHeader.forReceiving(Math.min(len, MAX_TRANSFER));
        long received;
        while (true) {
            received = LibCHolder.LIBC.recvmsg(fd, header.memory(), MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
            if (received >= 0) {
                break;
            }
            int errno = LibCHolder.errno();
            if (errno == Errno.EAGAIN) {
                return -1;
            }
            if (errno != Errno.EINTR) {
                throw new NativeCallException("recvmsg", errno);
            }
        }
        int[] fds = header.receivedFds();
        for (int i = 0; i < fds.length; i++) {
            if (i < fdsOut.length) {
                fdsOut[i] = fds[i];
            } else {
                Descriptors.close(fds[i]);
            }
        }
        header.copyData(buf, off, (int) received);
        return (int) received;
    }

    /**
     * Reads without consuming: {@code recv(MSG_PEEK | MSG_DONTWAIT)}.
     *
     * @param fd  a connected socket
     * @param buf destination
     * @param off first index to write
     * @param len room in bytes; at most {@link #MAX_TRANSFER} are peeked
     * @return the number of bytes peeked, 0 at end of stream, -1 when nothing is available
     * @throws NativeCallException if {@code recv} fails
     */
    public static int peek(int fd, byte[] buf, int off, int len) throws NativeCallException {
        return recv(fd, buf, off, len, MSG_PEEK | MSG_DONTWAIT, "recv(MSG_PEEK)");
    }

    /**
     * Waits for events on one descriptor. {@code EINTR} is retried with the remaining time.
     *
     * @param fd            the descriptor
     * @param events        the {@code POLL*} events of interest
     * @param timeoutMillis the most to wait; negative waits forever, 0 does not wait
     * @return the returned events ({@code revents}), 0 on timeout
     * @throws NativeCallException if {@code poll} fails
     */
    public static int poll(int fd, int events, int timeoutMillis) throws NativeCallException {
        Pointer pollfd = ThreadScratch.block();
        pollfd.putInt(0, fd);
        pollfd.putShort(POLLFD_EVENTS, (short) events);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(timeoutMillis, 0));
        int wait = timeoutMillis;
        while (true) {
            int ready = LibCHolder.LIBC.poll(pollfd, 1, wait);
            if (ready > 0) {
                return pollfd.getShort(POLLFD_REVENTS) & 0xffff;
            }
            if (ready == 0) {
                return 0;
            }
            int errno = LibCHolder.errno();
            if (errno != Errno.EINTR) {
                throw new NativeCallException("poll", errno);
            }
            if (timeoutMillis >= 0) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return 0;
                }
                wait = (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(remaining + 999_999));
            }
        }
    }

    /**
     * Creates a blocking {@code AF_UNIX} stream socket with {@code SOCK_CLOEXEC}.
     *
     * @return the new descriptor
     * @throws NativeCallException if {@code socket} fails
     */
    public static int socket() throws NativeCallException {
        int fd = LibCHolder.LIBC.socket(UnixAddress.AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new NativeCallException("socket", LibCHolder.errno());
        }
        return fd;
    }

    /**
     * Connects to a socket bound to a filesystem path.
     *
     * @param fd   a socket from {@link #socket()}
     * @param path the path, at most 107 bytes in UTF-8
     * @throws IllegalArgumentException if the path is unusable
     * @throws NativeCallException      if {@code connect} fails, e.g. {@code ENOENT} or
     *                                  {@code ECONNREFUSED}
     */
    public static void connect(int fd, String path) throws NativeCallException {
        UnixAddress address = UnixAddress.path(path);
        try {
            while (LibCHolder.LIBC.connect(fd, address.memory(), address.length()) != 0) {
                int errno = LibCHolder.errno();
                if (errno != Errno.EINTR) {
                    throw new NativeCallException("connect", errno);
                }
            }
        } finally {
            Reference.reachabilityFence(address);
        }
    }

    /**
     * Binds a socket to a filesystem path, which must not exist yet.
     *
     * @param fd   an unbound socket
     * @param path the path, at most 107 bytes in UTF-8
     * @throws IllegalArgumentException if the path is unusable
     * @throws NativeCallException      if {@code bind} fails, e.g. {@code EADDRINUSE}
     */
    public static void bindPath(int fd, String path) throws NativeCallException {
        bind(fd, UnixAddress.path(path));
    }

    /**
     * Marks a bound socket as listening.
     *
     * @param fd      a bound socket
     * @param backlog the queue length for pending connections
     * @throws NativeCallException if {@code listen} fails
     */
    public static void listen(int fd, int backlog) throws NativeCallException {
        if (LibCHolder.LIBC.listen(fd, backlog) != 0) {
            throw new NativeCallException("listen", LibCHolder.errno());
        }
    }

    /**
     * Accepts one connection, waiting for it ({@code accept4} with {@code SOCK_CLOEXEC}; on
     * a non-blocking listener, {@code EAGAIN} is answered by polling for {@code POLLIN}).
     *
     * @param fd a listening socket
     * @return the descriptor of the accepted connection, blocking
     * @throws NativeCallException if {@code accept4} fails
     */
    public static int accept(int fd) throws NativeCallException {
        while (true) {
            int accepted = LibCHolder.LIBC.accept4(fd, null, null, SOCK_CLOEXEC);
            if (accepted >= 0) {
                return accepted;
            }
            int errno = LibCHolder.errno();
            if (errno == Errno.EAGAIN) {
                poll(fd, POLLIN, -1);
            } else if (errno != Errno.EINTR) {
                throw new NativeCallException("accept4", errno);
            }
        }
    }

    /**
     * Creates a connected pair of blocking {@code AF_UNIX} stream sockets with
     * {@code SOCK_CLOEXEC}.
     *
     * @return the two descriptors
     * @throws NativeCallException if {@code socketpair} fails
     */
    public static int[] socketPair() throws NativeCallException {
        int[] pair = new int[2];
        if (LibCHolder.LIBC.socketpair(UnixAddress.AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
            throw new NativeCallException("socketpair", LibCHolder.errno());
        }
        return pair;
    }

    /**
     * Writes all bytes, polling for {@code POLLOUT} whenever the socket buffer is full
     * ({@code MSG_NOSIGNAL}: a closed peer gives {@code EPIPE}, not a signal).
     *
     * @param fd   a connected socket
     * @param data the bytes
     * @param off  index of the first byte
     * @param len  number of bytes
     * @throws NativeCallException if {@code send} or {@code poll} fails
     */
    public static void writeFully(int fd, byte[] data, int off, int len) throws NativeCallException {
        Objects.checkFromIndexSize(off, len, data.length);
        Pointer chunk = Memory.allocateDirect(LibCHolder.RUNTIME, Math.max(1, Math.min(len, MAX_TRANSFER)));
        int done = 0;
        while (done < len) {
            int size = Math.min(len - done, MAX_TRANSFER);
            chunk.put(0, data, off + done, size);
            long sent = LibCHolder.LIBC.send(fd, chunk, size, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (sent >= 0) {
                done += (int) sent;
                continue;
            }
            int errno = LibCHolder.errno();
            if (errno == Errno.EAGAIN) {
                poll(fd, POLLOUT, -1);
            } else if (errno != Errno.EINTR) {
                throw new NativeCallException("send", errno);
            }
        }
        Reference.reachabilityFence(chunk);
    }

    /**
     * Reads up to {@code len} bytes, polling for {@code POLLIN} until some are available.
     *
     * @param fd  a connected socket
     * @param buf destination
     * @param off first index to write
     * @param len room in bytes; at most {@link #MAX_TRANSFER} are read
     * @return the number of bytes read, 0 at end of stream
     * @throws NativeCallException if {@code recv} or {@code poll} fails
     */
    public static int read(int fd, byte[] buf, int off, int len) throws NativeCallException {
        while (true) {
            int read = recv(fd, buf, off, len, MSG_DONTWAIT, "recv");
            if (read >= 0) {
                return read;
            }
            poll(fd, POLLIN, -1);
        }
    }

    /**
     * Sends one byte (value 1) with {@code send(MSG_DONTWAIT | MSG_NOSIGNAL)}, without allocating.
     *
     * @param fd a connected socket
     * @return true when the byte was sent, false when the socket buffer is full ({@code EAGAIN})
     * @throws NativeCallException if {@code send} fails, e.g. {@code EPIPE} once the peer is gone
     */
    public static boolean sendByte(int fd) throws NativeCallException {
        while (true) {
            long sent = LibCHolder.LIBC.send(fd, ONE_BYTE, 1, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (sent >= 0) {
                return true;
            }
            int errno = LibCHolder.errno();
            if (errno == Errno.EAGAIN) {
                return false;
            }
            if (errno != Errno.EINTR) {
                throw new NativeCallException("send", errno);
            }
        }
    }

    /**
     * Reads and discards every byte available now ({@code recv(MSG_DONTWAIT)} until {@code EAGAIN}), without
     * allocating. Descriptors that arrive as {@code SCM_RIGHTS} with those bytes are released by the kernel,
     * since no control buffer is offered.
     *
     * @param fd a connected socket
     * @return true when the end of stream was reached
     * @throws NativeCallException if {@code recv} fails, e.g. {@code ECONNRESET}
     */
    public static boolean discardInput(int fd) throws NativeCallException {
        while (true) {
            long received = LibCHolder.LIBC.recv(fd, DISCARDED, DISCARD_BYTES, MSG_DONTWAIT);
            if (received == 0) {
                return true;
            }
            if (received < 0) {
                int errno = LibCHolder.errno();
                if (errno == Errno.EAGAIN) {
                    return false;
                }
                if (errno != Errno.EINTR) {
                    throw new NativeCallException("recv", errno);
                }
            }
        }
    }

    /**
     * Reads and discards what one {@code recv(MSG_DONTWAIT)} returns (up to 256 bytes), without allocating: for
     * a level-triggered reader, which is told again while bytes remain, one system call per wake-up instead of
     * {@link #discardInput}'s second one that only finds the buffer empty. Descriptors passed with those bytes
     * are released by the kernel.
     *
     * @param fd a connected socket
     * @return true when the end of stream was reached
     * @throws NativeCallException if {@code recv} fails, e.g. {@code ECONNRESET}
     */
    public static boolean discardAvailable(int fd) throws NativeCallException {
        while (true) {
            long received = LibCHolder.LIBC.recv(fd, DISCARDED, DISCARD_BYTES, MSG_DONTWAIT);
            if (received >= 0) {
                return received == 0;
            }
            int errno = LibCHolder.errno();
            if (errno == Errno.EAGAIN) {
                return false;
            }
            if (errno != Errno.EINTR) {
                throw new NativeCallException("recv", errno);
            }
        }
    }

    /**
     * Shuts down the reading side: a thread waiting to read or in {@code poll} on the socket wakes, and reads end of
     * stream.
     *
     * @param fd a connected socket
     * @throws NativeCallException if {@code shutdown} fails
     */
    public static void shutdownInput(int fd) throws NativeCallException {
        if (LibCHolder.LIBC.shutdown(fd, SHUT_RD) != 0) {
            throw new NativeCallException("shutdown", LibCHolder.errno());
        }
    }

    /**
     * Shuts down the writing side: the peer reads end of stream.
     *
     * @param fd a connected socket
     * @throws NativeCallException if {@code shutdown} fails
     */
    public static void shutdownOutput(int fd) throws NativeCallException {
        if (LibCHolder.LIBC.shutdown(fd, SHUT_WR) != 0) {
            throw new NativeCallException("shutdown", LibCHolder.errno());
        }
    }

    /** {@code recv} into native memory and copy out: bytes read, 0 at EOF, -1 on EAGAIN; EINTR retried. */
    private static int recv(int fd, byte[] buf, int off, int len, int flags, String call) throws NativeCallException {
        Objects.checkFromIndexSize(off, len, buf.length);
        int capacity = Math.min(len, MAX_TRANSFER);
        Pointer chunk = Memory.allocateDirect(LibCHolder.RUNTIME, Math.max(1, capacity));
        while (true) {
            long received = LibCHolder.LIBC.recv(fd, chunk, capacity, flags);
            if (received >= 0) {
                chunk.get(0, buf, off, (int) received);
                return (int) received;
            }
            int errno = LibCHolder.errno();
            if (errno == Errno.EAGAIN) {
                return -1;
            }
            if (errno != Errno.EINTR) {
                throw new NativeCallException(call, errno);
            }
        }
    }

    private static void bind(int fd, UnixAddress address) throws NativeCallException {
        int result = LibCHolder.LIBC.bind(fd, address.memory(), address.length());
        Reference.reachabilityFence(address);
        if (result != 0) {
            throw new NativeCallException("bind", LibCHolder.errno());
        }
    }

    private static Pointer oneByte() {
        Pointer p = Memory.allocateDirect(LibCHolder.RUNTIME, 1);
        p.putByte(0, (byte) 1);
        return p;
    }

    /** A native {@code socklen_t} holding {@code value}. */
    private static Pointer lengthCell(int value) {
        Pointer cell = Memory.allocateDirect(LibCHolder.RUNTIME, 4);
        cell.putInt(0, value);
        return cell;
    }
}
