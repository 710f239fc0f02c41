package dev.shunt.junixsocket;

import dev.shunt.core.StreamCounters;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.util.Objects;
import org.newsclub.net.unix.AFUNIXSocket;

/**
 * The kernel path: junixsocket's streams of the kernel socket, with the three {@code java.net.Socket} rules that
 * junixsocket does not keep in front of them: a read after {@code shutdownInput()} returns end of stream (junixsocket
 * returns bytes still queued), a reader blocked while another thread closes the socket gets a
 * {@link SocketException} (junixsocket returns end of stream), and a write after {@code shutdownOutput()} fails
 * with a {@link SocketException}. This path keeps the close and shutdown state those rules need.
 */
final class KernelPath implements DataPath {
    private final AFUNIXSocket kernel;
    private volatile boolean closed;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;

    KernelPath(AFUNIXSocket kernel) {
        this.kernel = kernel;
    }

    @Override
    public InputStream newInputStream() throws IOException {
        return new KernelInputStream(kernel.getInputStream());
    }

    @Override
    public OutputStream newOutputStream() throws IOException {
        return new KernelOutputStream(kernel.getOutputStream());
    }

    @Override
    public int available() throws IOException {
        ensureOpen();
        return inputShutdown ? 0 : kernel.getInputStream().available();
    }

    @Override
    public void shutdownInput() throws IOException {
        inputShutdown = true;
        // Through the channel: AFUNIXSocket.shutdownInput() fails with "Socket is not connected" on JDK 25,
        // where java.net.Socket checks a connected flag that junixsocket never sets.
        kernel.getChannel().shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        outputShutdown = true;
        kernel.getChannel().shutdownOutput();
    }

    @Override
    public int sendBufferSize() throws SocketException {
        return kernel.getSendBufferSize();
    }

    @Override
    public int receiveBufferSize() throws SocketException {
        return kernel.getReceiveBufferSize();
    }

    @Override
    public boolean isFastPath() {
        return false;
    }

    @Override
    public StreamCounters counters() {
        return StreamCounters.NONE;
    }

    @Override
    public boolean isProtected() {
        return false;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        kernel.close();
    }

    private void ensureOpen() throws SocketException {
        if (closed) {
            throw new SocketException("Socket closed");
        }
    }

    /** junixsocket's input stream with the {@code java.net.Socket} rules for shutdown and close in front. */
    private final class KernelInputStream extends InputStream {
        private final InputStream kernelIn;

        KernelInputStream(InputStream kernelIn) {
            this.kernelIn = kernelIn;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            ensureOpen();
            if (inputShutdown) {
                return -1;
            }
            int n = kernelIn.read(b, off, len);
            if (n < 0) {
                // junixsocket reports end of stream to a reader whose socket another thread closed.
                ensureOpen();
            }
            return n;
        }

        @Override
        public int available() throws IOException {
            return KernelPath.this.available();
        }

        @Override
        public void close() throws IOException {
            KernelPath.this.close();
        }
    }

    /** junixsocket's output stream, refusing writes after {@code shutdownOutput()} as {@code java.net.Socket}. */
    private final class KernelOutputStream extends OutputStream {
        private final OutputStream kernelOut;

        KernelOutputStream(OutputStream kernelOut) {
            this.kernelOut = kernelOut;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            ensureOpen();
            if (outputShutdown) {
                throw new SocketException("Socket output is shutdown");
            }
            kernelOut.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            KernelPath.this.close();
        }
    }
}
