package dev.shunt.junixsocket;

import dev.shunt.core.StreamCounters;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;

/**
 * How the bytes of a {@link ShuntSocketImpl} travel: through the kernel socket ({@link KernelPath}) or through
 * Shunt's rings ({@link RingPath}), chosen once per connection when the handshake decides. Everything that differs
 * between the two sits behind this interface (the streams, {@code available()}, the half-closes and their state,
 * the buffer sizes, close); what both share (connect, the other options, addresses, credentials) stays in the
 * impl. Before the handshake a socket is on the kernel path of its unconnected kernel socket.
 */
interface DataPath extends Closeable {
    /** @return a new input stream of this path (the impl asks once per socket) */
    InputStream newInputStream() throws IOException;

    /** @return a new output stream of this path (the impl asks once per socket) */
    OutputStream newOutputStream() throws IOException;

    /** @return bytes a read can return without blocking; 0 after {@link #shutdownInput()} */
    int available() throws IOException;

    /** Ends input: reads return end of stream, and the peer's writes fail. */
    void shutdownInput() throws IOException;

    /** Ends output: the peer reads every byte written so far, then end of stream; writes here fail. */
    void shutdownOutput() throws IOException;

    /** @return what {@code SO_SNDBUF} reports */
    int sendBufferSize() throws SocketException;

    /** @return what {@code SO_RCVBUF} reports */
    int receiveBufferSize() throws SocketException;

    /** @return whether the bytes travel through shared memory */
    boolean isFastPath();

    /** @return what this connection did on the rings; {@link StreamCounters#NONE} on the kernel path */
    StreamCounters counters();

    /** @return whether this side's outbound ring is guarded by a protection key */
    boolean isProtected();

    /** @return whether {@link #close()} ran (on the ring path also: whether a protocol error closed the stream) */
    boolean isClosed();

    /** Closes the connection: its stream (on the ring path) and its kernel socket. Idempotent. */
    @Override
    void close() throws IOException;
}
