package dev.shunt.junixsocket;

import dev.shunt.core.ShuntConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.file.Path;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * A Unix-domain server socket whose accepted connections run on Shunt's shared-memory fast path when the client
 * runs Shunt too, and otherwise behave as junixsocket's {@link AFUNIXServerSocket}, on which it is built.
 *
 * <p>Configured from the system properties ({@code shunt.*}, see {@link ShuntConfig}) when it is created. With
 * Shunt enabled, binding to a socket file publishes the Shunt advertisement {@code <socket file>.shunt} beside
 * it, and closing withdraws it. {@link #accept()} returns a {@link ShuntSocket} whose handshake already ran. A
 * connection already waiting is accepted on the calling thread; otherwise a thread of this server socket (started by
 * the first {@code accept()}) takes the next one; handshakes that wait on Shunt clients run on up to 64 threads that
 * end when idle, so a slow client delays no other.
 *
 * <pre>{@code
 * try (ShuntServerSocket server = ShuntServerSocket.bindOn(AFUNIXSocketAddress.of(Path.of("/run/app.sock")))) {
 *     while (true) {
 *         ShuntSocket client = server.accept();
 *         ...
 *     }
 * }
 * }</pre>
 */
public final class ShuntServerSocket extends ServerSocket {
    private final ShuntServerSocketImpl impl;

    private ShuntServerSocket(ShuntServerSocketImpl impl) {
        super(impl);
        this.impl = impl;
    }

    /**
     * Creates an unbound server socket configured from the system properties.
     *
     * @return the new server socket
     * @throws IOException if it cannot be created
     * @throws IllegalArgumentException if a {@code shunt.*} system property is malformed
     */
    public static ShuntServerSocket newInstance() throws IOException {
        return newInstance(ShuntConfig.fromSystemProperties());
    }

    /** With an explicit configuration: for tests, which run sockets of different configurations in one JVM. */
    static ShuntServerSocket newInstance(ShuntConfig config) throws IOException {
        return new ShuntServerSocket(new ShuntServerSocketImpl(config));
    }

    /**
     * Creates a server socket bound to the given address; as with {@link AFUNIXServerSocket#bindOn(
     * AFUNIXSocketAddress)}, its socket file is deleted when it closes.
     *
     * @param address where to listen
     * @return the bound server socket
     * @throws IOException if binding fails
     */
    public static ShuntServerSocket bindOn(AFUNIXSocketAddress address) throws IOException {
        return bindOn(address, true);
    }

    /**
     * Creates a server socket bound to the given address.
     *
     * @param address where to listen
     * @param deleteOnClose whether {@link #close()} deletes the socket file
     * @return the bound server socket
     * @throws IOException if binding fails
     */
    public static ShuntServerSocket bindOn(AFUNIXSocketAddress address, boolean deleteOnClose) throws IOException {
        ShuntServerSocket server = newInstance();
        server.impl.kernel().setDeleteOnClose(deleteOnClose);
        server.bind(address);
        return server;
    }

    /**
     * Creates a server socket bound to the given socket file.
     *
     * @param path where to listen
     * @param deleteOnClose whether {@link #close()} deletes the socket file
     * @return the bound server socket
     * @throws IOException if binding fails
     */
    public static ShuntServerSocket bindOn(Path path, boolean deleteOnClose) throws IOException {
        return bindOn(AFUNIXSocketAddress.of(path), deleteOnClose);
    }

    /**
     * Binds to a junixsocket address (or anything junixsocket maps to one), listens, and advertises Shunt beside
     * the socket file when Shunt is enabled.
     *
     * @param endpoint where to listen
     * @param backlog the listen backlog
     * @throws IOException if the socket is closed or already bound, or binding fails
     */
    @Override
    public void bind(SocketAddress endpoint, int backlog) throws IOException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        if (isBound()) {
            throw new SocketException("Already bound");
        }
        impl.bind(endpoint, backlog);
    }

    /**
     * Returns the next connection whose Shunt server handshake has finished. Handshakes run off the calling
     * thread, so a client that marked itself as a Shunt client and then stalls holds up only itself: other
     * connections are returned while its handshake waits (at most {@code shunt.handshakeTimeoutMillis}). A
     * connection whose handshake fails is closed and logged, and never returned. At most 64 handshakes of this
     * server socket wait on their clients at once; a Shunt client beyond that is served on the kernel socket at
     * once (fallback reason {@link dev.shunt.core.FallbackReason#HANDSHAKE_LIMIT}).
     *
     * <p>As with {@link ServerSocket#accept()}: the call blocks; {@code SO_TIMEOUT} bounds it; {@link #close()}
     * from another thread ends it with a {@link SocketException}; on a virtual thread it parks without holding
     * its carrier, and an interrupt closes this server socket ({@code SocketException}, interrupt status kept),
     * while a platform thread's interrupt does not end it. Connections are taken from the kernel's listen backlog
     * only while a caller waits in this method.
     *
     * @return the connection, on the fast path or on the kernel socket
     * @throws IOException if the server socket is closed, not bound, or accepting fails
     * @throws java.net.SocketTimeoutException if {@code SO_TIMEOUT} passes before a connection is ready
     */
    @Override
    public ShuntSocket accept() throws IOException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        if (!isBound()) {
            throw new SocketException("Socket is not bound yet");
        }
        ShuntSocket socket = ShuntSocket.toAccept(impl.config());
        implAccept(socket);
        return socket;
    }

    /** @return whether the server socket is bound (and listening) */
    @Override
    public boolean isBound() {
        return impl.kernel().isBound();
    }

    /** @return the bound socket address, or null when not bound */
    @Override
    public AFUNIXSocketAddress getLocalSocketAddress() {
        return impl.kernel().getLocalSocketAddress();
    }

    /**
     * Withdraws the Shunt advertisement and closes the listening socket, deleting its socket file if set to (the
     * default of {@link #bindOn(AFUNIXSocketAddress)}). Connections already returned by {@link #accept()} stay
     * open; those not yet returned (handshake finished or still under way) are closed, as the kernel drops the
     * connections left in a closed socket's backlog.
     */
    @Override
    public void close() throws IOException {
        try {
            super.close();
        } finally {
            impl.close();
        }
    }
}
