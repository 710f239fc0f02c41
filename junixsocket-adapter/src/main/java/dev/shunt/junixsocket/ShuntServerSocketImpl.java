package dev.shunt.junixsocket;

import dev.shunt.core.HandshakeResult;
import dev.shunt.core.ServerAdvertisement;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntHandshake;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.FileDescriptorCast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link SocketImpl} behind a {@link ShuntServerSocket}: a junixsocket {@link AFUNIXServerSocket} listens,
 * the Shunt advertisement is published beside its socket file, and every accepted connection runs the server
 * handshake before {@link ShuntServerSocket#accept()} returns it.
 */
final class ShuntServerSocketImpl extends SocketImpl {
    private static final Logger LOG = LoggerFactory.getLogger(ShuntServerSocket.class);

    private final ShuntConfig config;
    private final AFUNIXServerSocket kernel;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile ServerAdvertisement advertisement;

    ShuntServerSocketImpl(ShuntConfig config) throws IOException {
        this.config = Objects.requireNonNull(config, "config");
        this.kernel = AFUNIXServerSocket.newInstance();
    }

    ShuntConfig config() {
        return config;
    }

    AFUNIXServerSocket kernel() {
        return kernel;
    }

    /** Binds and listens through junixsocket, then advertises Shunt beside the socket file (if enabled). */
    void bind(SocketAddress endpoint, int backlog) throws IOException {
        kernel.bind(endpoint, backlog);
        AFUNIXSocketAddress bound = kernel.getLocalSocketAddress();
        if (bound != null && bound.hasFilename()) {
            advertisement = ServerAdvertisement.publish(bound.getFile().toPath(), config);
        }
    }

    /**
     * Accepts the next connection whose handshake finishes: each handshake is bounded by
     * {@code shunt.handshakeTimeoutMillis}, and a connection whose handshake fails is closed and skipped.
     */
    @Override
    protected void accept(SocketImpl target) throws IOException {
        while (true) {
            AFUNIXSocket connection = kernel.accept();
            HandshakeResult result;
            try {
                result = ShuntHandshake.accept(FileDescriptorCast.using(connection.getFileDescriptor())
                        .as(Integer.class), config);
            } catch (IOException e) {
                LOG.warn("Shunt handshake on a connection to {} failed; closing that connection: {}",
                        kernel.getLocalSocketAddress(), e.toString());
                closeQuietly(connection, e);
                continue;
            } catch (RuntimeException e) {
                closeQuietly(connection, e);
                throw e;
            }
            ((ShuntSocketImpl) target).attachAccepted(connection, result);
            return;
        }
    }

    private static void closeQuietly(AFUNIXSocket connection, Exception cause) {
        try {
            connection.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    /** Withdraws the advertisement, then closes the listening socket (deleting its file if set to). */
    @Override
    protected void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ServerAdvertisement published = advertisement;
        if (published != null) {
            published.close();
        }
        kernel.close();
    }

    @Override
    protected void create(boolean stream) throws IOException {
        if (!stream) {
            throw new SocketException("Shunt sockets are stream sockets");
        }
    }

    @Override
    protected void bind(InetAddress host, int port) throws IOException {
        throw new SocketException("a ShuntServerSocket binds to a Unix socket address");
    }

    @Override
    protected void listen(int backlog) throws IOException {
        throw new SocketException("a ShuntServerSocket listens when it binds");
    }

    @Override
    protected void connect(String host, int port) throws IOException {
        throw new SocketException("a server socket does not connect");
    }

    @Override
    protected void connect(InetAddress address, int port) throws IOException {
        throw new SocketException("a server socket does not connect");
    }

    @Override
    protected void connect(SocketAddress address, int timeout) throws IOException {
        throw new SocketException("a server socket does not connect");
    }

    @Override
    protected InputStream getInputStream() throws IOException {
        throw new SocketException("a server socket has no streams");
    }

    @Override
    protected OutputStream getOutputStream() throws IOException {
        throw new SocketException("a server socket has no streams");
    }

    @Override
    protected int available() throws IOException {
        throw new SocketException("a server socket has no streams");
    }

    @Override
    protected void sendUrgentData(int data) throws IOException {
        throw new SocketException("a server socket has no streams");
    }

    @Override
    protected InetAddress getInetAddress() {
        return kernel.getInetAddress();
    }

    @Override
    protected int getLocalPort() {
        return kernel.getLocalPort();
    }

    @Override
    public void setOption(int optId, Object value) throws SocketException {
        switch (optId) {
            case SO_TIMEOUT:
                kernel.setSoTimeout((Integer) value);
                break;
            case SO_RCVBUF:
                kernel.setReceiveBufferSize((Integer) value);
                break;
            case SO_REUSEADDR:
                kernel.setReuseAddress((Boolean) value);
                break;
            default:
                throw new SocketException("Unsupported option: " + optId);
        }
    }

    @Override
    public Object getOption(int optId) throws SocketException {
        switch (optId) {
            case SO_TIMEOUT:
                try {
                    return kernel.getSoTimeout();
                } catch (IOException e) {
                    throw e instanceof SocketException ? (SocketException) e : new SocketException(e.toString());
                }
            case SO_RCVBUF:
                return kernel.getReceiveBufferSize();
            case SO_REUSEADDR:
                return kernel.getReuseAddress();
            default:
                throw new SocketException("Unsupported option: " + optId);
        }
    }

    @Override
    protected <T> void setOption(SocketOption<T> name, T value) throws IOException {
        kernel.setOption(name, value);
    }

    @Override
    protected <T> T getOption(SocketOption<T> name) throws IOException {
        return kernel.getOption(name);
    }

    @Override
    protected Set<SocketOption<?>> supportedOptions() {
        return kernel.supportedOptions();
    }
}
