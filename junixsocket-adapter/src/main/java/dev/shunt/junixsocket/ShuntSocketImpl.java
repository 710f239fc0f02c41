package dev.shunt.junixsocket;

import dev.shunt.core.ClientHandshake;
import dev.shunt.core.FallbackReason;
import dev.shunt.core.HandshakeResult;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntHandshake;
import dev.shunt.core.ShuntStream;
import dev.shunt.core.StreamCounters;
import dev.shunt.nativeio.UnixSockets;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import org.newsclub.net.unix.AFSocketAddress;
import org.newsclub.net.unix.AFSocketAddressFromHostname;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * The {@link SocketImpl} behind a {@link ShuntSocket}: a junixsocket {@link AFUNIXSocket} is the kernel socket
 * (connect, options, credentials, the liveness channel), and the handshake chooses once, per connection, the
 * {@link DataPath} that carries the bytes: the kernel socket's streams ({@link KernelPath}) or the core's
 * {@link ShuntStream} ({@link RingPath}). Until then the socket is on the kernel path of its unconnected kernel
 * socket. The two paths keep the semantics of {@code java.net.Socket}: a read after {@code shutdownInput()} returns
 * end of stream, a reader blocked when another thread closes the socket gets a {@link SocketException}, and a
 * write after {@code shutdownOutput()} fails with a {@link SocketException}.
 */
final class ShuntSocketImpl extends SocketImpl {
    private final ShuntConfig config;
    private final AFSocketAddressFromHostname<AFUNIXSocketAddress> hostnames;
    private volatile AFUNIXSocket kernel;
    /** Replaced once, by {@link #attach}, under this object's lock, which {@link #close()} holds too. */
    private volatile DataPath path;
    private volatile FallbackReason fallbackReason;
    private volatile boolean boundByApplication;
    private volatile int soTimeoutMillis;
    private InputStream in;
    private OutputStream out;

    /**
     * @param config the configuration for this connection
     * @param hostnames maps host names passed to {@code connect} to socket addresses (a socket factory), or
     *     null
     */
    ShuntSocketImpl(ShuntConfig config, AFSocketAddressFromHostname<AFUNIXSocketAddress> hostnames)
            throws IOException {
        this.config = Objects.requireNonNull(config, "config");
        this.hostnames = hostnames;
        this.kernel = AFUNIXSocket.newInstance();
        this.path = new KernelPath(kernel);
    }

    /** For {@link #toAccept}: the kernel socket and the path come with the accepted connection. */
    private ShuntSocketImpl(ShuntConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.hostnames = null;
    }

    /**
     * An impl for {@link ShuntServerSocket#accept()} to hand to {@code implAccept}, which calls nothing on it
     * before {@link #attachAccepted}: it makes no kernel socket of its own, which the accepted one would replace
     * (an {@code AFUNIXSocket} made and dropped per connection, with the cleaner junixsocket registers for it).
     */
    static ShuntSocketImpl toAccept(ShuntConfig config) {
        return new ShuntSocketImpl(config);
    }

    /**
     * Takes over a connection that {@link ShuntServerSocketImpl} accepted and ran the server handshake on; once,
     * on an impl made {@link #toAccept}.
     */
    synchronized void attachAccepted(AFUNIXSocket accepted, HandshakeResult result) {
        kernel = accepted;
        fallbackReason = result.fallbackReason();
        path = newPath(result);
    }

    /**
     * Puts the connection on the path its handshake chose. A handshake that ended after the socket was closed
     * (from another thread, during connect) has its connection closed at once, in the core's order.
     */
    private synchronized void attach(HandshakeResult result) throws IOException {
        if (path.isClosed()) {
            result.close(kernel);
            throw new SocketException("Socket closed");
        }
        fallbackReason = result.fallbackReason();
        path = newPath(result);
    }

    private DataPath newPath(HandshakeResult result) {
        return result.isFastPath() ? new RingPath(result, kernel, () -> soTimeoutMillis) : new KernelPath(kernel);
    }

    AFUNIXSocket kernel() {
        return kernel;
    }

    boolean isFastPath() {
        return path.isFastPath();
    }

    boolean isProtected() {
        return path.isProtected();
    }

    StreamCounters counters() {
        return path.counters();
    }

    FallbackReason fallbackReason() {
        return fallbackReason;
    }

    /** @return whether the application bound this socket ({@link #bind(AFUNIXSocketAddress)}) */
    boolean isBoundByApplication() {
        return boundByApplication;
    }

    @Override
    protected void create(boolean isStream) throws IOException {
        if (!isStream) {
            throw new SocketException("Shunt sockets are stream sockets");
        }
    }

    @Override
    protected void connect(String host, int port) throws IOException {
        connect(new InetSocketAddress(host, port), 0);
    }

    @Override
    protected void connect(InetAddress address, int port) throws IOException {
        connect(new InetSocketAddress(address, port), 0);
    }

    /**
     * Connects the kernel socket with the client side of the Shunt handshake around it: prepare on the
     * unconnected socket (for a socket the application bound, the core's rule for bound clients: no Shunt),
     * connect, complete. A handshake that fails closes the socket.
     */
    @Override
    protected void connect(SocketAddress address, int timeoutMillis) throws IOException {
        AFUNIXSocketAddress target = resolve(address);
        try {
            ClientHandshake handshake = boundByApplication ? ShuntHandshake.prepareBoundClient(kernelFd(), config)
                    : ShuntHandshake.prepareClient(this::kernelFd, serverPath(target), config);
            kernel.connect(target, timeoutMillis);
            attach(handshake.complete());
        } catch (IOException | RuntimeException e) {
            try {
                close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    private AFUNIXSocketAddress resolve(SocketAddress address) throws SocketException {
        if (!(address instanceof AFSocketAddress) && hostnames != null && address instanceof InetSocketAddress) {
            InetSocketAddress inet = (InetSocketAddress) address;
            if (hostnames.isHostnameSupported(inet.getHostString())) {
                return AFSocketAddress.mapOrFail(hostnames.addressFromHost(inet.getHostString(), inet.getPort()),
                        AFUNIXSocketAddress.class);
            }
        }
        return AFSocketAddress.mapOrFail(address, AFUNIXSocketAddress.class);
    }

    /** @return the socket file the advertisement sits beside, or null for an abstract address */
    private static Path serverPath(AFUNIXSocketAddress target) throws IOException {
        return target.hasFilename() ? target.getFile().toPath() : null;
    }

    /**
     * The kernel socket's descriptor. junixsocket creates its native socket lazily, on the first call that
     * reaches its {@code SocketImpl}; reading {@code SO_TIMEOUT} is such a call (junixsocket's own
     * {@code AFSocket} creates it that way), so the descriptor exists before bind and connect, as the
     * Shunt client handshake needs.
     */
    private int kernelFd() throws IOException {
        kernel.getSoTimeout();
        return FileDescriptorCast.using(kernel.getFileDescriptor()).as(Integer.class);
    }

    /**
     * Binds the unconnected kernel socket to the application's address: a socket file, or a name in the abstract
     * namespace (ASCII). junixsocket's {@code AFUNIXSocket} checks a client's bind address and drops it, so the
     * bind goes to the descriptor directly, as the client marker's does. The connection then stays on the kernel
     * socket ({@code CLIENT_BOUND}), and the server sees this address as its peer's.
     */
    void bind(AFUNIXSocketAddress local) throws IOException {
        int fd = kernelFd();
        if (local.hasFilename()) {
            UnixSockets.bindPath(fd, local.getFile().getPath());
        } else if (local.isInAbstractNamespace()) {
            byte[] name = local.getPathAsBytes();
            UnixSockets.bindAbstract(fd, new String(name, 1, name.length - 1, StandardCharsets.ISO_8859_1));
        } else {
            throw new SocketException("not an address to bind to: " + local);
        }
        boundByApplication = true;
    }

    /** An IP address means nothing to a Unix socket: ignored, as {@code AFUNIXSocket} ignores a client's bind. */
    @Override
    protected void bind(InetAddress host, int port) {
    }

    @Override
    protected void listen(int backlog) throws IOException {
        throw new SocketException("a ShuntSocket does not listen; use ShuntServerSocket");
    }

    @Override
    protected void accept(SocketImpl s) throws IOException {
        throw new SocketException("a ShuntSocket does not accept; use ShuntServerSocket");
    }

    @Override
    protected synchronized InputStream getInputStream() throws IOException {
        if (in == null) {
            in = path.newInputStream();
        }
        return in;
    }

    @Override
    protected synchronized OutputStream getOutputStream() throws IOException {
        if (out == null) {
            out = path.newOutputStream();
        }
        return out;
    }

    @Override
    protected int available() throws IOException {
        return path.available();
    }

    /** Closes the connection (the stream first on the fast path, see {@link RingPath}). Idempotent. */
    @Override
    protected synchronized void close() throws IOException {
        path.close();
    }

    @Override
    protected void shutdownInput() throws IOException {
        path.shutdownInput();
    }

    @Override
    protected void shutdownOutput() throws IOException {
        path.shutdownOutput();
    }

    @Override
    protected InetAddress getInetAddress() {
        return kernel.getInetAddress();
    }

    @Override
    protected int getPort() {
        return kernel.getPort();
    }

    @Override
    protected int getLocalPort() {
        return kernel.getLocalPort();
    }

    @Override
    protected boolean supportsUrgentData() {
        return false;
    }

    @Override
    protected void sendUrgentData(int data) throws IOException {
        throw new SocketException("Urgent data is not supported on Unix sockets");
    }

    /**
     * Options go to the kernel socket on both paths; {@code SO_TIMEOUT} also bounds ring reads, and the path
     * answers what {@code SO_SNDBUF}/{@code SO_RCVBUF} report (on the fast path the rings', by the core's rule;
     * setting them still sets the kernel socket's buffers).
     */
    @Override
    public void setOption(int optId, Object value) throws SocketException {
        switch (optId) {
            case SO_TIMEOUT:
                int timeout = (Integer) value;
                kernel.setSoTimeout(timeout);
                soTimeoutMillis = timeout;
                break;
            case SO_SNDBUF:
                kernel.setSendBufferSize((Integer) value);
                break;
            case SO_RCVBUF:
                kernel.setReceiveBufferSize((Integer) value);
                break;
            case TCP_NODELAY:
                kernel.setTcpNoDelay((Boolean) value);
                break;
            case SO_KEEPALIVE:
                kernel.setKeepAlive((Boolean) value);
                break;
            case SO_LINGER:
                if (value instanceof Boolean) {
                    kernel.setSoLinger((Boolean) value, 0);
                } else {
                    kernel.setSoLinger(true, (Integer) value);
                }
                break;
            case SO_OOBINLINE:
                kernel.setOOBInline((Boolean) value);
                break;
            case IP_TOS:
                kernel.setTrafficClass((Integer) value);
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
            case SO_SNDBUF:
                return path.sendBufferSize();
            case SO_RCVBUF:
                return path.receiveBufferSize();
            case TCP_NODELAY:
                return kernel.getTcpNoDelay();
            case SO_KEEPALIVE:
                return kernel.getKeepAlive();
            case SO_LINGER:
                int linger = kernel.getSoLinger();
                return linger < 0 ? (Object) Boolean.FALSE : (Object) linger;
            case SO_OOBINLINE:
                return kernel.getOOBInline();
            case IP_TOS:
                return kernel.getTrafficClass();
            case SO_REUSEADDR:
                return kernel.getReuseAddress();
            case SO_BINDADDR:
                return kernel.getLocalAddress();
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
        if (name == StandardSocketOptions.SO_SNDBUF) {
            return name.type().cast(path.sendBufferSize());
        }
        if (name == StandardSocketOptions.SO_RCVBUF) {
            return name.type().cast(path.receiveBufferSize());
        }
        return kernel.getOption(name);
    }

    @Override
    protected Set<SocketOption<?>> supportedOptions() {
        return kernel.supportedOptions();
    }
}
