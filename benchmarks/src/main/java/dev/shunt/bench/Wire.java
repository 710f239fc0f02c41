package dev.shunt.bench;

import java.nio.ByteBuffer;

/**
 * What the client says first on every benchmark connection, and the markers of the streaming and RPC scenarios.
 *
 * <pre>
 * header: u32 mode (ECHO, SINK or RPC), u32 size (message, write or request size), big-endian
 * ECHO:   the server sends every byte back as it arrives
 * SINK:   the client writes size-byte chunks; the first byte of each is 0, or LAST for the last chunk of a
 *         round, after which the server answers one ACK byte
 * RPC:    the client sends size-byte requests, one at a time; the server's reading thread hands each to an
 *         executor thread, which sends it back as the reply. A blocking client ends with a request whose
 *         first byte is LAST: its reply tells the client's reading thread to stop
 * </pre>
 */
final class Wire {
    static final int HEADER_BYTES = 8;
    static final int ECHO = 1;
    static final int SINK = 2;
    static final int RPC = 3;
    /** First byte of the last chunk of a streaming round, or of the last RPC request. */
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
