package dev.shunt.junixsocket;

import dev.shunt.core.ServerAdvertisement;
import dev.shunt.core.ShuntConfig;
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
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * The {@link SocketImpl} behind a {@link ShuntServerSocket}: a junixsocket {@link AFUNIXServerSocket} listens,
 * the Shunt advertisement is published beside its socket file, and every accepted connection runs the server
 * handshake before {@link ShuntServerSocket#accept()} returns it. A caller takes a connection already waiting in
 * the listen backlog itself; otherwise the {@link Acceptor}'s thread takes the next one; handshakes that wait on
 * their clients run on the {@link HandshakePool}. The caller waits in the {@link AcceptQueue}, where
 * {@code SO_TIMEOUT} bounds its wait and {@link #close()} ends it.
 */
final class ShuntServerSocketImpl extends SocketImpl {
    private final ShuntConfig config;
    private final AFUNIXServerSocket kernel;
    private final AcceptQueue queue = new AcceptQueue();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile ServerAdvertisement advertisement;
    private volatile HandshakePool handshakes;
    private volatile String where;
    private volatile int soTimeoutMillis;
    private Acceptor acceptor;

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
        boolean named = bound != null && bound.hasFilename();
        where = named ? bound.getFile().getPath() : String.valueOf(bound);
        handshakes = new HandshakePool(config, queue, where);
        if (named) {
            advertisement = ServerAdvertisement.publish(bound.getFile().toPath(), config);
        }
    }

    /**
     * Takes the next connection whose handshake finished, waiting at most {@code SO_TIMEOUT}; a connection whose
     * handshake fails is closed and never returned.
     */
    @Override
    protected void accept(SocketImpl target) throws IOException {
        Acceptor running = startAcceptor();
        if (running != null && queue.isEmpty()) {
            running.acceptIfWaiting();
        }
        AcceptQueue.Arrival next = queue.awaitArrival(soTimeoutMillis);
        try {
            ((ShuntSocketImpl) target).attachAccepted(next.connection, next.result);
        } catch (RuntimeException e) {
            next.discard();
            throw e;
        }
    }

    /** @return the acceptor, started by the first call; null once closed */
    private synchronized Acceptor startAcceptor() throws IOException {
        if (acceptor == null && !closed.get()) {
            acceptor = Acceptor.start(kernel, queue, handshakes, where);
        }
        return acceptor;
    }

    private synchronized Acceptor acceptor() {
        return acceptor;
    }

    /**
     * Withdraws the advertisement, fails waiting {@code accept()} calls, closes the connections nobody took and
     * those whose handshake is still under way, then closes the listening socket (deleting its file if set to).
     */
    @Override
    protected void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ServerAdvertisement published = advertisement;
        if (published != null) {
            published.close();
        }
        queue.close();
        Acceptor running = acceptor();
        if (running != null) {
            running.stop();
        }
        HandshakePool pool = handshakes;
        if (pool != null) {
            pool.close();
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
                soTimeoutMillis = (Integer) value;
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
                return soTimeoutMillis;
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
