package dev.shunt.agent.junixsocket;

import dev.shunt.core.ShuntStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * One junixsocket connection on the fast path: what its rewritten stream, impl and channel methods do in place of
 * the kernel socket's I/O. The core's {@link ShuntStream} carries the bytes and keeps the close and shutdown state;
 * the kernel socket stays open beside it as the liveness channel, and is closed by junixsocket after the stream
 * ({@link #close()} runs first in {@code AFSocketImpl.close()}). Half-closes shut only the ring: the peer reads a
 * hang-up on the kernel socket as the death of this side. Public because the advice inlined into junixsocket's
 * classes calls it.
 */
public final class Ring {
    private final ShuntStream stream;
    private final Socket socket;
    private volatile int soTimeoutMillis;
    private boolean inputClosed;
    private boolean outputClosed;

    Ring(ShuntStream stream, Socket socket, int soTimeoutMillis) {
        this.stream = stream;
        this.socket = socket;
        this.soTimeoutMillis = soTimeoutMillis;
    }

    /** The input stream's {@code read(byte[], int, int)}: bounded by {@code SO_TIMEOUT}, as junixsocket's. */
    public int read(byte[] b, int off, int len) throws IOException {
        return stream.read(b, off, len, TimeUnit.MILLISECONDS.toNanos(soTimeoutMillis));
    }

    /** The input stream's {@code read()}. */
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    /** The output stream's {@code write(byte[], int, int)}. */
    public void write(byte[] b, int off, int len) throws IOException {
        stream.write(b, off, len);
    }

    /** The output stream's {@code write(int)}. */
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    /** The channel's read: blocking, without a timeout, as a blocking channel's. */
    public int read(ByteBuffer dst) throws IOException {
        return stream.read(dst, 0);
    }

    /** The channel's write: every byte. */
    public int write(ByteBuffer src) throws IOException {
        int n = src.remaining();
        stream.write(src);
        return n;
    }

    /** @return what a read returns without blocking */
    public int available() throws IOException {
        return stream.available();
    }

    /** {@code Socket.shutdownInput()}: the ring only. */
    public void shutdownInput() throws IOException {
        stream.shutdownInput();
    }

    /** {@code Socket.shutdownOutput()}: the ring only; the peer reads every byte written, then end of stream. */
    public void shutdownOutput() throws IOException {
        stream.shutdownOutput();
    }

    /** Follows {@code setSoTimeout}. */
    public void soTimeout(int millis) {
        soTimeoutMillis = millis;
    }

    /** The input stream's {@code close()}: as junixsocket's, it ends input, and closing both streams closes the socket. */
    public void closeInput() throws IOException {
        stream.shutdownInput();
        boolean both;
        synchronized (this) {
            inputClosed = true;
            both = outputClosed;
        }
        if (both) {
            socket.close();
        }
    }

    /** The output stream's {@code close()}: as junixsocket's, it ends output, and closing both closes the socket. */
    public void closeOutput() throws IOException {
        stream.shutdownOutput();
        boolean both;
        synchronized (this) {
            outputClosed = true;
            both = inputClosed;
        }
        if (both) {
            socket.close();
        }
    }

    /** The stream's close, before junixsocket closes the kernel socket (the core's order). */
    public void close() {
        stream.close();
    }
}
