package dev.shunt.bench;

import java.nio.ByteBuffer;

/**
 * What the client says first on every benchmark connection, and the markers of the streaming scenario.
 *
 * <pre>
 * header: u32 mode (ECHO or SINK), u32 size (message or write size), big-endian
 * ECHO:   the server sends every byte back as it arrives
 * SINK:   the client writes size-byte chunks; the first byte of each is 0, or LAST for the last chunk of a
 *         round, after which the server answers one ACK byte
 * </pre>
 */
final class Wire {
    static final int HEADER_BYTES = 8;
    static final int ECHO = 1;
    static final int SINK = 2;
    /** First byte of the last chunk of a streaming round. */
    static final byte LAST = 1;
    /** The server's answer to a streaming round. */
    static final byte ACK = 6;

    private Wire() {
    }

    static byte[] header(int mode, int size) {
        return ByteBuffer.allocate(HEADER_BYTES).putInt(mode).putInt(size).array();
    }

    static int mode(byte[] header) {
        return ByteBuffer.wrap(header).getInt(0);
    }

    static int size(byte[] header) {
        return ByteBuffer.wrap(header).getInt(4);
    }
}
