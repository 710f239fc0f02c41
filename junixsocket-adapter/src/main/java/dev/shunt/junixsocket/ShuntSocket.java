package dev.shunt.junixsocket;

import dev.shunt.core.FallbackReason;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.StreamCounters;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import org.newsclub.net.unix.AFSocketAddress;
import org.newsclub.net.unix.AFSocketAddressFromHostname;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketCredentials;

/**
 * A Unix-domain stream socket that moves its data path onto Shunt's shared-memory rings when the peer runs
 * Shunt too, and otherwise behaves as junixsocket's {@link AFUNIXSocket}, on which it is built.
 *
 * <p>Whether the fast path is tried is read from the system properties ({@code shunt.*}, see
 * {@link ShuntConfig}) when the socket is created; with {@code shunt.enabled} unset or false every byte goes
 * through the kernel socket. Either way the socket keeps the semantics of {@code java.net.Socket}:
 * {@code SO_TIMEOUT}, {@code available()}, half-close, end of stream, close from another thread, stream identity
 * and closing either stream closing the socket. See {@code docs/junixsocket.md}.
 *
 * <pre>{@code
 * try (ShuntSocket socket = ShuntSocket.connectTo(AFUNIXSocketAddress.of(Path.of("/run/app.sock")))) {
 *     socket.getOutputStream().write(request);
 *     int n = socket.getInputStream().read(response);
 * }
 * }</pre>
 */
public final class ShuntSocket extends Socket {
    private final ShuntSocketImpl impl;

    private ShuntSocket(ShuntSocketImpl impl) throws IOException {
        super(impl);
        this.impl = impl;
    }

    /**
     * Creates an unconnected socket configured from the system properties.
     *
     * @return the new socket
     * @throws IOException if the socket cannot be created
     * @throws IllegalArgumentException if a {@code shunt.*} system property is malformed
     */
    public static ShuntSocket newInstance() throws IOException {
        return newInstance(ShuntConfig.fromSystemProperties());
    }

    /**
     * Creates a socket and connects it, running the Shunt handshake if the server advertises Shunt.
     *
     * @param address the server's socket
     * @return the connected socket
     * @throws IOException if the connection or a started handshake fails
     * @throws IllegalArgumentException if a {@code shunt.*} system property is malformed
     */
    public static ShuntSocket connectTo(AFUNIXSocketAddress address) throws IOException {
        ShuntSocket socket = newInstance();
        socket.connect(address);
        return socket;
    }

    /** With an explicit configuration: for {@link ShuntServerSocket} and for tests, which run sockets of
     * different configurations in one JVM. */
    static ShuntSocket newInstance(ShuntConfig config) throws IOException {
        return new ShuntSocket(new ShuntSocketImpl(config, null));
    }

    /** For {@link ShuntServerSocket#accept()}: a socket whose connection the server socket attaches. */
    static ShuntSocket toAccept(ShuntConfig config) throws IOException {
        return new ShuntSocket(ShuntSocketImpl.toAccept(config));
    }

    /** For {@link ShuntSocketFactory}: host names given to {@code connect} are mapped by the factory. */
    static ShuntSocket newInstance(ShuntConfig config, AFSocketAddressFromHostname<AFUNIXSocketAddress> hostnames)
            throws IOException {
        return new ShuntSocket(new ShuntSocketImpl(config, hostnames));
    }

    /**
     * Connects to a junixsocket address ({@link AFUNIXSocketAddress}), to anything junixsocket maps to one (such
     * as {@code java.net.UnixDomainSocketAddress}), or to a host name that the {@link ShuntSocketFactory} that
     * created this socket maps to a socket file.
     *
     * @param endpoint the server's address
     * @param timeout connect timeout in milliseconds, 0 for none
     * @throws IOException if the connection or a started handshake fails (the socket is then closed)
     * @throws IllegalArgumentException if the address cannot be mapped to a Unix socket address
     */
    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        super.connect(endpoint instanceof InetSocketAddress ? endpoint
                : AFSocketAddress.mapOrFail(endpoint, AFUNIXSocketAddress.class), timeout);
    }

    /**
     * Binds this unconnected socket to a local address of the application's choosing: a junixsocket address
     * ({@link AFUNIXSocketAddress}: a socket file, or a name in the abstract namespace, which must be ASCII) or
     * anything junixsocket maps to one. The connection then stays on the kernel socket
     * ({@link FallbackReason#CLIENT_BOUND}, counted in the metrics): Shunt marks its clients through their bound
     * address, and this one has the application's. The server sees this address as its peer's. An
     * {@code InetSocketAddress} (or null) is ignored, as {@code java.net.Socket} passes it to a Unix socket.
     *
     * @param bindpoint the local address
     * @throws IOException if the socket is closed or bound already, or the bind fails (for example
     *     {@code EADDRINUSE})
     * @throws IllegalArgumentException if the address cannot be mapped to a Unix socket address, or is an abstract
     *     name that is not ASCII
     */
    @Override
    public void bind(SocketAddress bindpoint) throws IOException {
        if (bindpoint == null || bindpoint instanceof InetSocketAddress && !(bindpoint instanceof AFSocketAddress)) {
            super.bind(bindpoint);
            return;
        }
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        if (isBound()) {
            throw new SocketException("Already bound");
        }
        impl.bind(AFSocketAddress.mapOrFail(bindpoint, AFUNIXSocketAddress.class));
    }

    /** @return whether the socket is bound: by {@link #bind(SocketAddress)}, or by connecting */
    @Override
    public boolean isBound() {
        return impl.isBoundByApplication() || super.isBound();
    }

    /**
     * @return whether this connection runs on Shunt's shared-memory fast path; false before connect and when the
     *     connection stays on the kernel socket
     */
    public boolean isFastPath() {
        return impl.isFastPath();
    }

    /**
     * @return whether this connection's fast path is guarded by a protection key (this process's outbound ring
     *     is tagged with one, see {@code shunt.mpk}); false without a key, on the kernel socket and before connect
     */
    public boolean isProtected() {
        return impl.isProtected();
    }

    /**
     * @return why this connected socket stays on the kernel socket, or null on the fast path and before connect
     */
    public FallbackReason getFallbackReason() {
        return impl.fallbackReason();
    }

    /**
     * What this connection did on Shunt's rings, counted by this side: bytes sent and received, parks (a reading or
     * writing thread slept waiting for the peer) and signals (wakes sent to a sleeping peer). Still readable after
     * close.
     *
     * @return this connection's counters; {@link StreamCounters#NONE} on the kernel socket and before connect
     */
    public StreamCounters getCounters() {
        return impl.counters();
    }

    /**
     * Returns the peer's credentials, from the kernel socket ({@code SO_PEERCRED}) on both paths.
     *
     * @return the credentials of the peer process
     * @throws IOException if the socket is not connected or closed
     */
    public AFUNIXSocketCredentials getPeerCredentials() throws IOException {
        return impl.kernel().getPeerCredentials();
    }

    /**
     * @return the server's socket address (on the accepting side: the client's, which is unnamed for plain
     *     clients, Shunt's marker name for Shunt clients and the client's own for a client its application bound),
     *     or null when not connected
     */
    @Override
    public AFUNIXSocketAddress getRemoteSocketAddress() {
        return impl.kernel().getRemoteSocketAddress();
    }

    /**
     * @return the address this socket is bound to, or null: the application's address after
     *     {@link #bind(SocketAddress)}; a Shunt client that attempts the fast path is bound to Shunt's marker name
     *     in the abstract namespace; the accepting side reports the server's socket file
     */
    @Override
    public AFUNIXSocketAddress getLocalSocketAddress() {
        return impl.kernel().getLocalSocketAddress();
    }
}
