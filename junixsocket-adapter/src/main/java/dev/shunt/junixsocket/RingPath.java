package dev.shunt.junixsocket;

import dev.shunt.core.HandshakeResult;
import dev.shunt.core.ShuntStream;
import dev.shunt.core.StreamCounters;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.newsclub.net.unix.AFUNIXSocket;

/**
 * The fast path: the core's {@link ShuntStream} carries the bytes, and keeps the close and shutdown state itself;
 * the kernel socket stays open beside it as the liveness channel and is closed after the stream
 * ({@link HandshakeResult#close}). Half-closes shut only the ring: the kernel socket stays whole, because the peer
 * reads a hang-up there as the death of this side. Buffer sizes are the rings' ({@link ShuntStream#sendBufferSize()}).
 */
final class RingPath implements DataPath {
    private final HandshakeResult result;
    private final ShuntStream stream;
    private final AFUNIXSocket kernel;
    private final IntSupplier soTimeoutMillis;

    /**
     * @param result a fast-path handshake result
     * @param kernel the connection's kernel socket
     * @param soTimeoutMillis the socket's {@code SO_TIMEOUT}, which bounds ring reads
     */
    RingPath(HandshakeResult result, AFUNIXSocket kernel, IntSupplier soTimeoutMillis) {
        this.result = result;
        this.stream = result.stream();
        this.kernel = kernel;
        this.soTimeoutMillis = soTimeoutMillis;
    }

    @Override
    public InputStream newInputStream() {
        return new RingInputStream();
    }

    @Override
    public OutputStream newOutputStream() {
        return new RingOutputStream();
    }

    @Override
    public int available() throws IOException {
        return stream.available();
    }

    @Override
    public void shutdownInput() throws IOException {
        stream.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        stream.shutdownOutput();
    }

    @Override
    public int sendBufferSize() {
        return stream.sendBufferSize();
    }

    @Override
    public int receiveBufferSize() {
        return stream.receiveBufferSize();
    }

    @Override
    public boolean isFastPath() {
        return true;
    }

    @Override
    public StreamCounters counters() {
        return stream.counters();
    }

    @Override
    public boolean isProtected() {
        return stream.isProtected();
    }

    @Override
    public boolean isClosed() {
        return stream.isClosed();
    }

    @Override
    public void close() throws IOException {
        result.close(kernel);
    }

    /** Reads from the ring, bounded by {@code SO_TIMEOUT}. */
    private final class RingInputStream extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return stream.read(b, off, len, TimeUnit.MILLISECONDS.toNanos(soTimeoutMillis.getAsInt()));
        }

        @Override
        public int available() throws IOException {
            return stream.available();
        }

        @Override
        public void close() throws IOException {
            RingPath.this.close();
        }
    }

    /** Writes into the ring. */
    private final class RingOutputStream extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            stream.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            RingPath.this.close();
        }
    }
}
