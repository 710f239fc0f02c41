package dev.shunt.jdk;

import dev.shunt.core.ServerAdvertisement;
import dev.shunt.core.ServerHandshakes;
import dev.shunt.core.ShuntConfig;
import java.io.FileDescriptor;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Path;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.nio.ch.SelChImpl;
import sun.nio.ch.SelectionKeyImpl;

/**
 * A Unix-domain {@link ServerSocketChannel} that wraps the JDK's own: it advertises Shunt beside the socket file after
 * {@code bind} (when Shunt is enabled), withdraws the advertisement on close, and hands out each accepted connection as
 * a {@link ShuntSocketChannel}, which runs the server's side of the handshake before the application sees a byte.
 * Selectors watch the listening socket itself; accepting never waits for a client's handshake.
 */
public final class ShuntServerSocketChannel extends ServerSocketChannel implements SelChImpl {
    private static final Logger LOG = LoggerFactory.getLogger(ShuntServerSocketChannel.class);

    private final ServerSocketChannel kernel;
    private final SelChImpl kernelSelectable;
    private final ShuntConfig config;
    private final Object stateLock = new Object();
    private ServerAdvertisement advertisement;
    /**
     * The handshakes of marked clients, on at most {@link ServerHandshakes#LIMIT} threads; made at {@code bind}. Left
     * running at close: a connection accepted before the close is the application's, and its handshake ends on its
     * own (answer, close or timeout), as a kernel server socket's close leaves its accepted connections alone.
     */
    private volatile ServerHandshakes handshakes;
    private boolean closing;
    private boolean released;

    ShuntServerSocketChannel(SelectorProvider provider, ServerSocketChannel kernel, ShuntConfig config) {
        super(provider);
        this.kernel = kernel;
        this.kernelSelectable = (SelChImpl) kernel;
        this.config = config;
    }

    @Override
    public ServerSocketChannel bind(SocketAddress local, int backlog) throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            kernel.bind(local, backlog);
            Path path = ((UnixDomainSocketAddress) kernel.getLocalAddress()).getPath();
            handshakes = new ServerHandshakes(config, path.toString());
            if (config.enabled() && !path.toString().isEmpty()) {
                advertisement = ServerAdvertisement.publish(path, config);
            }
        }
        return this;
    }

    @Override
    public SocketChannel accept() throws IOException {
        ensureOpen();
        SocketChannel accepted;
        try {
            accepted = kernel.accept();
        } catch (IOException e) {
            // The JDK channel closes itself when an accept is interrupted: so does this one.
            if (!kernel.isOpen() && isOpen()) {
                close();
            }
            throw e;
        }
        if (accepted == null) {
            return null;
        }
        try {
            return ShuntSocketChannel.accepted(provider(), accepted, config, handshakes);
        } catch (IOException | RuntimeException e) {
            accepted.close();
            throw e;
        }
    }

    /** @throws UnsupportedOperationException as the JDK's Unix-domain channel does */
    @Override
    public ServerSocket socket() {
        return kernel.socket();
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        return kernel.getLocalAddress();
    }

    @Override
    public <T> ServerSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        ensureOpen();
        kernel.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        ensureOpen();
        return kernel.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return kernel.supportedOptions();
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        kernel.configureBlocking(block);
    }

    /** Withdraws the advertisement at once; the socket closes now, or when the selector lets go ({@link #kill()}). */
    @Override
    protected void implCloseSelectableChannel() {
        synchronized (stateLock) {
            closing = true;
            if (advertisement != null) {
                advertisement.close();
            }
            releaseIfDue(false);
        }
    }

    private void releaseIfDue(boolean killed) {
        if (closing && !released && (killed || !isRegistered())) {
            released = true;
            try {
                kernel.close();
            } catch (IOException e) {
                LOG.debug("Closing the listening socket: {}", e.toString());
            }
        }
    }

    @Override
    public FileDescriptor getFD() {
        return kernelSelectable.getFD();
    }

    @Override
    public int getFDVal() {
        return kernelSelectable.getFDVal();
    }

    @Override
    public boolean translateAndUpdateReadyOps(int ops, SelectionKeyImpl ski) {
        return kernelSelectable.translateAndUpdateReadyOps(ops, ski);
    }

    @Override
    public boolean translateAndSetReadyOps(int ops, SelectionKeyImpl ski) {
        return kernelSelectable.translateAndSetReadyOps(ops, ski);
    }

    @Override
    public int translateInterestOps(int ops) {
        return kernelSelectable.translateInterestOps(ops);
    }

    @Override
    public void kill() {
        synchronized (stateLock) {
            releaseIfDue(true);
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + kernel + "]";
    }
}
