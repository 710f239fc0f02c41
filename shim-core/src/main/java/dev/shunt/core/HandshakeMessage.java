package dev.shunt.core;

import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.NativeCallException;
import dev.shunt.nativeio.UnixSockets;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One in-band handshake message and its wire codec (see {@code docs/protocol.md}).
 *
 * <pre>
 *  0   magic "SHUNT-HS" (8 bytes; the same in every protocol version)
 *  8   u16 protocol version     10  u16 type     12  u32 body length (at most 64)
 *  16  body, big-endian, offsets from the body's start:
 *      OFFER   (server to client)  0 u64 region bytes   8 u32 ring capacity   12 u32 0;   fds: memfd
 *      DECLINE (server to client)  0 u32 reason code
 *      ACCEPT  (client to server)  0 u32 0
 *      REJECT  (client to server)  0 u32 reason code
 * </pre>
 * Each body is encoded and decoded here only ({@link Offer}, {@link #reason()}, {@link #accept()}). Messages are
 * read exactly, never past their end: what follows belongs to the application.
 */
final class HandshakeMessage {
    static final byte[] MAGIC = "SHUNT-HS".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 3;
    static final int HEADER_BYTES = 16;
    static final int MAX_BODY_BYTES = 64;
    static final int MAX_FDS = 4;

    static final int OFFER = 1;
    static final int DECLINE = 2;
    static final int ACCEPT = 3;
    static final int REJECT = 4;

    private static final long PARTIAL_PEEK_BACKOFF_NANOS = 100_000;

    final int version;
    final int type;
    final ByteBuffer body;
    final int[] fds;

    private HandshakeMessage(int version, int type, ByteBuffer body, int[] fds) {
        this.version = version;
        this.type = type;
        this.body = body;
        this.fds = fds;
    }

    /** Where the header holds the body's length. */
    private static final int LENGTH_OFFSET = 12;
    private static final int REASON_OFFSET = 0;
    private static final int REASON_BODY_BYTES = 4;
    private static final int ACCEPT_BODY_BYTES = 4;

    /**
     * The body of an OFFER: the size of the region in the memfd it carries, and each ring's capacity.
     *
     * @param regionBytes the memfd's size
     * @param capacity each ring's capacity
     */
    record Offer(long regionBytes, int capacity) {
        private static final int REGION_BYTES_OFFSET = 0;
        private static final int CAPACITY_OFFSET = 8;
        static final int BODY_BYTES = 16;

        /** @return the whole message, header included */
        byte[] encode() {
            ByteBuffer body = ByteBuffer.allocate(BODY_BYTES);
            body.putLong(REGION_BYTES_OFFSET, regionBytes).putInt(CAPACITY_OFFSET, capacity);
            return HandshakeMessage.encode(OFFER, body);
        }

        /**
         * @param offer a received OFFER
         * @return its body; sizes are validated against the memfd by {@link SharedRegion#attach}
         * @throws FallbackException with {@link FallbackReason#INVALID_OFFER} when the body is short or the
         *     memfd is missing
         */
        static Offer decode(HandshakeMessage offer) throws FallbackException {
            if (offer.body.capacity() < BODY_BYTES || offer.fdCount() != 1) {
                throw new FallbackException(FallbackReason.INVALID_OFFER, "offer carries a " + offer.body.capacity()
                        + "-byte body and " + offer.fdCount() + " descriptors; expected " + BODY_BYTES
                        + " bytes and a memfd");
            }
            return new Offer(offer.body.getLong(REGION_BYTES_OFFSET), offer.body.getInt(CAPACITY_OFFSET));
        }
    }

    /** Sends a DECLINE or REJECT naming the reason of a fallback. */
    static void sendReason(int fd, int type, FallbackReason reason, long deadline) throws IOException {
        ByteBuffer body = ByteBuffer.allocate(REASON_BODY_BYTES).putInt(REASON_OFFSET, reason.code());
        send(fd, encode(type, body), new int[0], deadline);
    }

    static byte[] accept() {
        return encode(ACCEPT, ByteBuffer.allocate(ACCEPT_BODY_BYTES));
    }

    /** @param body the whole body, written with absolute puts */
    private static byte[] encode(int type, ByteBuffer body) {
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + body.capacity());
        out.put(MAGIC).putShort((short) VERSION).putShort((short) type).putInt(body.capacity()).put(body.rewind());
        return out.array();
    }

    /** @return the reason a DECLINE or REJECT carries */
    FallbackReason reason() throws ShuntHandshakeException {
        if (body.capacity() < REASON_BODY_BYTES) {
            throw new ShuntHandshakeException("handshake message of type " + type + " has a " + body.capacity()
                    + "-byte body, " + REASON_BODY_BYTES + " needed");
        }
        return FallbackReason.ofCode(body.getInt(REASON_OFFSET));
    }

    /** Closes every descriptor that came with the message and was not taken. */
    void closeFds() {
        for (int i = 0; i < fds.length; i++) {
            Descriptors.close(fds[i]);
            fds[i] = -1;
        }
    }

    /** @return how many descriptors came with the message */
    int fdCount() {
        int n = 0;
        for (int fd : fds) {
            if (fd >= 0) {
                n++;
            }
        }
        return n;
    }

    /** Sends a whole message, with descriptors attached to its first byte. */
    static void send(int fd, byte[] message, int[] fds, long deadline) throws IOException {
        int off = 0;
        int[] attach = fds;
        while (off < message.length) {
            int n = UnixSockets.send(fd, message, off, message.length - off, attach);
            if (n > 0) {
                off += n;
                attach = new int[0];
            } else {
                awaitReady(fd, UnixSockets.POLLOUT, deadline, "send the handshake");
            }
        }
    }

    /**
     * Waits until the first bytes on the socket either start a handshake message or cannot. Reads nothing.
     *
     * @return true when a message starts there; false when other bytes, or the end of stream, come first
     */
    static boolean peekIsMessage(int fd, long deadline) throws IOException {
        byte[] head = new byte[MAGIC.length];
        while (true) {
            int n = UnixSockets.peek(fd, head, 0, head.length);
            if (n == 0) {
                return false;
            }
            if (n > 0) {
                if (!Arrays.equals(head, 0, n, MAGIC, 0, n)) {
                    return false;
                }
                if (n == head.length) {
                    return true;
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw new ShuntHandshakeException("handshake message cut short after " + n + " bytes");
                }
                LockSupport.parkNanos(PARTIAL_PEEK_BACKOFF_NANOS);
            } else {
                awaitReady(fd, UnixSockets.POLLIN, deadline, "receive the handshake");
            }
        }
    }

    /**
     * Whether reading the next message would not wait: the whole message is there, or bytes that cannot start one,
     * or the end of stream. Reads nothing and never blocks, so that an event loop can wait for the message in
     * {@code epoll} and hand the read to a thread only when it will not wait on the peer.
     */
    static boolean isQueued(int fd) throws IOException {
        byte[] head = new byte[HEADER_BYTES + MAX_BODY_BYTES];
        int n = UnixSockets.peek(fd, head, 0, head.length);
        if (n <= 0) {
            return n == 0;
        }
        int magic = Math.min(n, MAGIC.length);
        if (!Arrays.equals(head, 0, magic, MAGIC, 0, magic)) {
            return true;
        }
        if (n < HEADER_BYTES) {
            return false;
        }
        int length = ByteBuffer.wrap(head).getInt(LENGTH_OFFSET);
        return length < 0 || length > MAX_BODY_BYTES || n >= HEADER_BYTES + length;
    }

    /**
     * Reads exactly one message. Descriptors that arrive beyond the first chunk are closed and make the
     * message malformed.
     */
    static HandshakeMessage receive(int fd, long deadline) throws IOException {
        int[] fds = new int[MAX_FDS];
        Arrays.fill(fds, -1);
        byte[] header = new byte[HEADER_BYTES];
        try {
            readExactly(fd, header, fds, deadline);
            if (!Arrays.equals(header, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
                throw new ShuntHandshakeException("peer sent bytes that are not a Shunt handshake message");
            }
            ByteBuffer h = ByteBuffer.wrap(header);
            int version = Short.toUnsignedInt(h.getShort(8));
            int type = Short.toUnsignedInt(h.getShort(10));
            int length = h.getInt(LENGTH_OFFSET);
            if (length < 0 || length > MAX_BODY_BYTES) {
                throw new ShuntHandshakeException("handshake body length " + Integer.toUnsignedString(length)
                        + " exceeds " + MAX_BODY_BYTES);
            }
            byte[] body = new byte[length];
            readExactly(fd, body, null, deadline);
            return new HandshakeMessage(version, type, ByteBuffer.wrap(body), fds);
        } catch (IOException | RuntimeException e) {
            for (int d : fds) {
                Descriptors.close(d);
            }
            throw e;
        }
    }

    private static void readExactly(int fd, byte[] buf, int[] fdsOut, long deadline) throws IOException {
        int off = 0;
        int[] extra = new int[MAX_FDS];
        while (off < buf.length) {
            boolean first = off == 0 && fdsOut != null;
            int[] into = first ? fdsOut : extra;
            Arrays.fill(extra, -1);
            int n = UnixSockets.receive(fd, buf, off, buf.length - off, into);
            if (!first && closeAll(extra)) {
                throw new ShuntHandshakeException("descriptors arrived in the middle of a handshake message");
            }
            if (n == 0) {
                throw new ShuntHandshakeException("peer closed the connection during the handshake");
            }
            if (n > 0) {
                off += n;
            } else {
                awaitReady(fd, UnixSockets.POLLIN, deadline, "receive the handshake");
            }
        }
    }

    private static boolean closeAll(int[] fds) {
        boolean any = false;
        for (int fd : fds) {
            if (fd >= 0) {
                Descriptors.close(fd);
                any = true;
            }
        }
        return any;
    }

    private static void awaitReady(int fd, int events, long deadline, String what) throws IOException {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            throw new ShuntHandshakeException("timed out waiting to " + what + " (shunt.handshakeTimeoutMillis)");
        }
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(remaining)));
        try {
            UnixSockets.poll(fd, events, millis);
        } catch (NativeCallException e) {
            throw new ShuntHandshakeException("poll failed while waiting to " + what + ": " + e.getMessage());
        }
    }
}
