package dev.shunt.bench;

import java.io.EOFException;
import java.io.IOException;

/** One end of a blocking benchmark connection: an ordered byte stream, as a socket application sees it. */
interface Duplex extends AutoCloseable {
    /** Writes all {@code len} bytes, blocking as needed. */
    void write(byte[] b, int off, int len) throws IOException;

    /** Reads at least one byte, blocking until some arrive; -1 at end of stream. */
    int read(byte[] b, int off, int len) throws IOException;

    /** The path the connection actually took, e.g. "kernel socket" or "fast path, keys" ({@link ShuntPath}). */
    String path();

    @Override
    void close() throws IOException;

    /**
     * Reads exactly {@code len} bytes.
     *
     * @return false at end of stream before the first byte
     * @throws EOFException at end of stream after the first byte
     */
    default boolean readFully(byte[] b, int off, int len) throws IOException {
        int done = 0;
        while (done < len) {
            int n = read(b, off + done, len - done);
            if (n < 0) {
                if (done == 0) {
                    return false;
                }
                throw new EOFException("end of stream after " + done + " of " + len + " bytes");
            }
            done += n;
        }
        return true;
    }
}
