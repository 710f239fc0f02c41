package dev.shunt.jdk;

import dev.shunt.core.ClientHandshake;
import dev.shunt.core.FallbackReason;
import dev.shunt.core.HandshakeResult;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ServerHandshakes;
import dev.shunt.core.ShuntHandshake;
import dev.shunt.core.ShuntStream;
import dev.shunt.core.StreamCounters;
import dev.shunt.nativeio.UnixSockets;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.nio.ch.Net;
import sun.nio.ch.SelChImpl;
import sun.nio.ch.SelectionKeyImpl;

/**
 * A Unix-domain {@link SocketChannel} on Shunt's fast path when the peer runs Shunt, and exactly the JDK's own channel
 * (which it wraps) when not. {@link ShuntSelectorProvider} hands it out for {@code SocketChannel.open(UNIX)} and for
 * accepted connections; applications do not name it.
 *
 * <p>{@code connect} and {@code accept} return what the JDK's return, when they would: the handshake runs beside them, a
 * client's on the {@link HandshakePool}, a server's on its listening channel's {@link ServerHandshakes} (at most 64 per
 * listening channel; further Shunt clients are declined at once and stay on the kernel socket), since a server may
 * accept long after the client connected, as on a kernel socket, and a client may connect and accept on one thread.
 * Until it settles, reads move nothing (blocking ones wait for it), and writes are taken into {@link EarlyBytes}, as a
 * kernel socket takes them into its send buffer before the server accepts; once it settles those bytes go first, into
 * the ring or onto the socket. The application never sees a handshake byte, and
 * on the kernel path every byte and exception is the JDK channel's.
 *
 * <p>Selectors: the channel implements the JDK's {@code SelChImpl}, so the JDK's own selector takes it. On the kernel
 * path it watches the socket exactly as the JDK's channel does; where the fast path is or may be in play, a
 * {@link PollSet} instead, whose readiness {@link RingReadiness} keeps. Closing follows the JDK: while registered, the
 * socket is shut down for output at once and closed when the selector lets go ({@link #kill()}).
 */
public final class ShuntSocketChannel extends SocketChannel implements SelChImpl {
    private static final Logger LOG = LoggerFactory.getLogger(ShuntSocketChannel.class);

    private final SocketChannel kernel;
    private final SelChImpl kernelSelectable;
    private final int socketFd;
    private final ShuntConfig config;
    private final Object stateLock = new Object();
    private final CountDownLatch settled = new CountDownLatch(1);

    private volatile Route route;
    private volatile RingIo ringIo;
    /** Client: {@code connect} returned false and {@code finishConnect} has not yet returned true. */
    private volatile boolean finishPending;
    private ShuntStream stream;
    private IOException failure;
    private FallbackReason fallbackReason;
    private PollSet pollSet;
    private volatile RingReadiness readiness;
    private int keyInterest;
    private boolean boundByApp;
    private boolean handshaking;
    /** A client's handshake while it runs ({@link #handshaking}), null otherwise; guarded by {@link #stateLock}. */
    private ClientHandshake clientHandshake;
    /** What the application wrote while the handshake ran, until it is out; null when it wrote nothing then. */
    private EarlyBytes early;
    /** The handshake settled and {@link #early} is on its way out: it takes no more. */
    private boolean flushing;
    /** {@code shutdownOutput} came while the handshake ran: done when it settles, after the early bytes. */
    private boolean outputShutdownPending;
    private boolean closing;
    private boolean killed;
    private boolean released;

    private ShuntSocketChannel(SelectorProvider provider, SocketChannel kernel, ShuntConfig config, Route route) {
        super(provider);
        this.kernel = kernel;
        this.kernelSelectable = (SelChImpl) kernel;
        this.socketFd = kernelSelectable.getFDVal();
        this.config = config;
        this.route = route;
    }

    /**
     * @param kernel an unconnected JDK Unix-domain channel
     * @return a client channel, whose route {@code connect} decides
     */
    static ShuntSocketChannel client(SelectorProvider provider, SocketChannel kernel, ShuntConfig config) {
        return new ShuntSocketChannel(provider, kernel, config, Route.UNDECIDED);
    }

    /**
     * The server's side of an accepted connection. A client that did not mark itself is answered at once (it stays on
     * the kernel path); a marked one gets its offer from a thread of the server channel's {@link ServerHandshakes}, or
     * at once a decline when that many handshakes already wait on their clients.
     *
     * @param kernel the JDK channel the server's {@code accept} returned
     * @param handshakes the listening channel's server handshakes
     * @throws IOException when the peer's address cannot be read
     */
    static ShuntSocketChannel accepted(SelectorProvider provider, SocketChannel kernel, ShuntConfig config,
            ServerHandshakes handshakes) throws IOException {
        int fd = ((SelChImpl) kernel).getFDVal();
        String peer = UnixSockets.peerAbstractName(fd);
        boolean marked = ShuntHandshake.isMarkedClient(peer);
        ShuntSocketChannel channel = new ShuntSocketChannel(provider, kernel, config,
                marked ? Route.HANDSHAKING : Route.KERNEL);
        if (marked) {
            channel.pollSet = PollSet.open(fd);
            channel.handshaking = true;
        }
        // A plain client's outcome comes on this thread, before start returns.
        handshakes.start(peer, () -> fd, channel::settleWith);
        return channel;
    }

    /** @return whether the bytes of this connection move through shared memory */
    public boolean isFastPath() {
        return route == Route.FAST;
    }

    /** @return whether this process's outbound ring is guarded by a protection key (false off the fast path) */
    public boolean isProtected() {
        synchronized (stateLock) {
            return route == Route.FAST && stream.isProtected();
        }
    }

    /**
     * What this connection did on Shunt's rings, counted by this side: bytes sent and received, parks (a thread or a
     * selector slept waiting for the peer) and signals (wakes sent to a sleeping peer). Still readable after close.
     *
     * @return this connection's counters; {@link StreamCounters#NONE} on the kernel socket and before the handshake
     */
    public StreamCounters counters() {
        synchronized (stateLock) {
            return stream == null ? StreamCounters.NONE : stream.counters();
        }
    }

    /** @return why the connection stays on the kernel socket, or null (fast path, or not settled yet) */
    public FallbackReason fallbackReason() {
        synchronized (stateLock) {
            return fallbackReason;
        }
    }

    // ---- connecting

    @Override
    public SocketChannel bind(SocketAddress local) throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            kernel.bind(local);
            boundByApp = true;
        }
        return this;
    }

    @Override
    public boolean connect(SocketAddress remote) throws IOException {
        ClientHandshake handshake = null;
        synchronized (stateLock) {
            ensureOpen();
            if (finishPending) {
                throw new ConnectionPendingException();
            }
            if (route == Route.UNDECIDED && !boundByApp && remote instanceof UnixDomainSocketAddress) {
                handshake = ShuntHandshake.prepareClient(socketFd, serverPath((UnixDomainSocketAddress) remote),
                        config);
            }
        }
        boolean connected;
        try {
            connected = kernel.connect(remote);
        } catch (IOException e) {
            throw afterKernelFailure(e);
        }
        if (handshake == null || !handshake.isAttempting()) {
            if (handshake != null) {
                settle(handshake.complete(), null);
            } else {
                settle(null, null);
            }
            finishPending = !connected;
            return connected;
        }
        ClientHandshake pending = handshake;
        synchronized (stateLock) {
            route = Route.HANDSHAKING;
            handshaking = true;
            clientHandshake = pending;
            finishPending = !connected;
        }
        HandshakePool.run(() -> settleFrom(() -> {
            if (!connected) {
                awaitKernelConnect();
            }
            return pending.complete();
        }));
        return connected;
    }

    private static Path serverPath(UnixDomainSocketAddress address) {
        Path path = address.getPath();
        return path.toString().isEmpty() ? null : path;
    }

    /** On the handshake pool: a non-blocking connect that the kernel could not finish at once. */
    private void awaitKernelConnect() throws IOException {
        UnixSockets.poll(socketFd, UnixSockets.POLLOUT, (int) config.handshakeTimeoutMillis());
        if (!kernel.finishConnect()) {
            throw new SocketTimeoutException("connect timed out");
        }
    }

    @Override
    public boolean finishConnect() throws IOException {
        ensureOpen();
        if (!finishPending) {
            return isConnected() || kernel.finishConnect();
        }
        if (route == Route.HANDSHAKING) {
            if (!isBlocking()) {
                return false;
            }
            awaitSettled();
        }
        switch (route) {
            case FAILED:
                IOException e = failureException();
                closeQuietly();
                throw e;
            case KERNEL:
                if (!kernel.isConnected()) {
                    try {
                        if (!kernel.finishConnect()) {
                            return false;
                        }
                    } catch (IOException f) {
                        throw afterKernelFailure(f);
                    }
                }
                break;
            default:
                break;
        }
        finishPending = false;
        return true;
    }

    @Override
    public boolean isConnected() {
        return !finishPending && kernel.isConnected();
    }

    @Override
    public boolean isConnectionPending() {
        return finishPending;
    }

    // ---- the handshake's outcome

    /** The handshake call a pool thread runs. */
    private interface Handshake {
        HandshakeResult run() throws IOException;
    }

    private void settleFrom(Handshake handshake) {
        try {
            settleWith(handshake.run(), null);
        } catch (IOException | RuntimeException e) {
            settleWith(null, e);
        }
    }

    /** A handshake's outcome, from a pool thread or from {@link ServerHandshakes}: failures reported as I/O errors. */
    private void settleWith(HandshakeResult result, Throwable failure) {
        if (failure == null) {
            settle(result, null);
        } else {
            settle(null, failure instanceof IOException ? (IOException) failure : new IOException(failure));
        }
    }

    /**
     * Sets the route from the handshake's result (null result and error: the kernel path without a handshake; an error
     * after the peer closed: the kernel path, which reports the close). The bytes written meanwhile go out first, from
     * this thread (the handshake's, or the caller's when nothing was written meanwhile), before the route is published:
     * every later write follows them. Wakes blocked callers and, through the poll set, selectors.
     */
    private void settle(HandshakeResult result, IOException error) {
        boolean failed;
        EarlyBytes pending;
        synchronized (stateLock) {
            failed = error != null && (closing || !peerEndedHandshake(error));
            pending = early;
            flushing = true;
            earlyWritability();
        }
        if (pending != null && !failed) {
            sendEarly(pending, result);
        }
        synchronized (stateLock) {
            handshaking = false;
            clientHandshake = null;
            early = null;
            try {
                if (failed) {
                    fail(error);
                } else if (result != null && result.isFastPath()) {
                    stream = result.stream();
                    ringIo = new RingIo(stream);
                    if (closing) {
                        stream.close();
                    } else if (outputShutdownPending) {
                        stream.shutdownOutput();
                    }
                    if (pollSet != null) {
                        readiness = new RingReadiness(stream, pollSet, config.spinNanos());
                    }
                    route = Route.FAST;
                } else {
                    fallbackReason = result == null ? null : result.fallbackReason();
                    if (outputShutdownPending || (closing && pending != null)) {
                        // After the early bytes, as the JDK's channel shuts a closed, registered socket's output.
                        shutdownKernelQuietly(false);
                    }
                    if (pollSet != null) {
                        pollSet.watchSocket(kernelSelectable.translateInterestOps(keyInterest));
                    }
                    route = Route.KERNEL;
                }
            } catch (IOException e) {
                fail(e);
            }
            releaseIfDue();
        }
        settled.countDown();
    }

    /**
     * Sends what the application wrote during the handshake. A peer that is gone by now takes nothing, as a kernel
     * socket's would not: the route reports that from the next operation on.
     */
    private void sendEarly(EarlyBytes pending, HandshakeResult result) {
        try {
            if (result != null && result.isFastPath()) {
                pending.sendTo(result.stream());
            } else {
                pending.sendTo(socketFd);
            }
        } catch (IOException e) {
            LOG.debug("The bytes written during the handshake did not reach the peer: {}", e.toString());
        }
    }

    /**
     * A peer that closed before the handshake ended (a server that accepts and closes, a client that gave up) is no
     * fault: the connection is then the kernel socket, which reports the close as the JDK's channel does (end of
     * stream, "Broken pipe" on a write), once the handshake's own bytes left on it are discarded.
     *
     * @return whether the peer hung up; its handshake bytes are gone then
     */
    private boolean peerEndedHandshake(IOException error) {
        if (!peerHungUp()) {
            return false;
        }
        LOG.debug("Shunt handshake ended by the peer's close: {}", error.toString());
        try {
            UnixSockets.discardInput(socketFd);
        } catch (IOException e) {
            LOG.debug("Discarding the handshake's bytes: {}", e.toString());
        }
        return true;
    }

    private void fail(IOException e) {
        if (closing) {
            LOG.debug("Shunt handshake ended by a close: {}", e.toString());
        } else {
            LOG.warn("Shunt handshake failed; the connection reports it: {}", e.toString());
        }
        failure = e;
        if (stream != null) {
            stream.close();
        }
        route = Route.FAILED;
        if (pollSet != null) {
            try {
                pollSet.signal();
            } catch (IOException f) {
                LOG.debug("Signalling the failed handshake: {}", f.toString());
            }
        }
    }

    private boolean peerHungUp() {
        try {
            return (UnixSockets.poll(socketFd, UnixSockets.POLLRDHUP, 0)
                    & (UnixSockets.POLLRDHUP | UnixSockets.POLLHUP | UnixSockets.POLLERR)) != 0;
        } catch (IOException e) {
            return true;
        }
    }

    private IOException failureException() {
        synchronized (stateLock) {
            SocketException e = new SocketException("Shunt handshake failed: " + failure.getMessage());
            e.initCause(failure);
            return e;
        }
    }

    /** Waits, interruptibly as channel operations are, until the handshake has settled. */
    private void awaitSettled() throws IOException {
        boolean completed = false;
        try {
            begin();
            settled.await();
            completed = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            end(completed);
        }
        if (!isOpen()) {
            throw new AsynchronousCloseException();
        }
    }

    // ---- reading and writing

    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst);
        return (int) read(new ByteBuffer[] {dst}, 0, 1);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        for (int i = offset; i < offset + length; i++) {
            if (dsts[i].isReadOnly()) {
                throw new IllegalArgumentException("Read-only buffer");
            }
        }
        switch (ioRoute()) {
            case FAST:
                return onRings(dsts, offset, length, true);
            case HANDSHAKING:
                return 0;
            default:
                try {
                    return kernel.read(dsts, offset, length);
                } catch (IOException e) {
                    throw afterKernelFailure(e);
                }
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src);
        return (int) write(new ByteBuffer[] {src}, 0, 1);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        if (route == Route.HANDSHAKING) {
            long taken = writeEarly(srcs, offset, length);
            if (taken >= 0) {
                return taken;
            }
        }
        switch (ioRoute()) {
            case FAST:
                if (stream.isOutputShutdown()) {
                    throw new ClosedChannelException();
                }
                return onRings(srcs, offset, length, false);
            case HANDSHAKING:
                return 0;
            default:
                try {
                    return kernel.write(srcs, offset, length);
                } catch (IOException e) {
                    throw afterKernelFailure(e);
                }
        }
    }

    /**
     * A write while the handshake runs: what fits is taken into {@link #early}, as a kernel socket takes it into its
     * send buffer. A blocking write is taken whole or not at all (the rest could not follow at once), so that one
     * write's bytes never straddle the handshake's end.
     *
     * @return the bytes taken; -1 when the write goes its ordinary way: a blocking one waits for the handshake, a
     *     non-blocking one moves nothing until it settles, and once it has, the route takes it
     */
    private long writeEarly(ByteBuffer[] srcs, int offset, int length) throws IOException {
        ensureOpen();
        if (!isConnected()) {
            throw new NotYetConnectedException();
        }
        synchronized (stateLock) {
            if (outputShutdownPending) {
                throw new ClosedChannelException();
            }
            if (route != Route.HANDSHAKING || flushing) {
                return -1;
            }
            long wanted = 0;
            for (int i = offset; i < offset + length; i++) {
                wanted += srcs[i].remaining();
            }
            if (wanted == 0) {
                return 0;
            }
            if (early == null) {
                int sendBuffer = kernel.getOption(StandardSocketOptions.SO_SNDBUF);
                early = new EarlyBytes(Math.min(sendBuffer, config.ringBytes()));
            }
            if (isBlocking() && (wanted > early.room() || Thread.currentThread().isInterrupted())) {
                // An interrupted blocking write closes the channel, as the JDK's does: the wait reports it.
                return -1;
            }
            long taken = early.take(srcs, offset, length);
            earlyWritability();
            return taken;
        }
    }

    /** @return whether a write now would take bytes before the handshake settles (holding the state lock) */
    private boolean earlyWritable() {
        return route == Route.HANDSHAKING && !flushing && !outputShutdownPending && !closing && isConnected()
                && (early == null || early.room() > 0);
    }

    /**
     * While the handshake runs, a selector watching for writes hears the poll set's signal as long as
     * {@link #earlyWritable()} (holding the state lock).
     */
    private void earlyWritability() {
        if (pollSet == null || route != Route.HANDSHAKING) {
            return;
        }
        try {
            if ((keyInterest & SelectionKey.OP_WRITE) != 0 && earlyWritable()) {
                pollSet.signal();
            } else {
                pollSet.unsignal();
            }
        } catch (IOException e) {
            LOG.warn("Updating the poll set of a Shunt channel: {}", e.toString());
        }
    }

    /**
     * @return the route bytes take now; a blocking caller waits for a handshake to settle; {@code UNDECIDED} lets the
     *     kernel channel report what the JDK's reports
     */
    private Route ioRoute() throws IOException {
        ensureOpen();
        Route r = route;
        if (r == Route.HANDSHAKING) {
            if (!isConnected()) {
                throw new NotYetConnectedException();
            }
            if (isBlocking()) {
                awaitSettled();
                r = route;
            }
        }
        if (r == Route.FAILED) {
            throw failureException();
        }
        return r;
    }

    private long onRings(ByteBuffer[] buffers, int offset, int length, boolean read) throws IOException {
        RingIo io = ringIo;
        if (!isBlocking()) {
            try {
                long n = read ? io.read(buffers, offset, length, false) : io.write(buffers, offset, length, false);
                RingReadiness r = readiness;
                if (n == 0 && r != null && anyRemaining(buffers, offset, length)
                        && r.sleepAfterEmptyTransfer(read ? SelectionKey.OP_READ : SelectionKey.OP_WRITE)) {
                    n = read ? io.read(buffers, offset, length, false) : io.write(buffers, offset, length, false);
                }
                return n;
            } catch (IOException e) {
                throw isOpen() ? e : new AsynchronousCloseException();
            }
        }
        boolean completed = false;
        try {
            begin();
            long n = read ? io.read(buffers, offset, length, true) : io.write(buffers, offset, length, true);
            completed = true;
            return n;
        } finally {
            end(completed);
        }
    }

    private static boolean anyRemaining(ByteBuffer[] buffers, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (buffers[i].hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    /** The JDK channel closes itself on some failures (a failed connect, an interrupt): so does this one then. */
    private IOException afterKernelFailure(IOException e) {
        if (!kernel.isOpen() && isOpen()) {
            closeQuietly();
        }
        return e;
    }

    // ---- half-close, addresses, options

    @Override
    public SocketChannel shutdownInput() throws IOException {
        switch (settledRoute()) {
            case FAST:
                stream.shutdownInput();
                break;
            case FAILED:
                throw failureException();
            default:
                kernel.shutdownInput();
        }
        return this;
    }

    @Override
    public SocketChannel shutdownOutput() throws IOException {
        synchronized (stateLock) {
            if (route == Route.HANDSHAKING && isOpen() && isConnected()) {
                // As on a kernel socket, at once: the peer reads what was written, then the end (settle does it).
                outputShutdownPending = true;
                earlyWritability();
                return this;
            }
        }
        switch (settledRoute()) {
            case FAST:
                stream.shutdownOutput();
                break;
            case FAILED:
                throw failureException();
            default:
                kernel.shutdownOutput();
        }
        return this;
    }

    /** @return the route once the handshake settled (waiting for it if it runs), for operations that cannot wait */
    private Route settledRoute() throws IOException {
        ensureOpen();
        if (!isConnected()) {
            throw new NotYetConnectedException();
        }
        if (route == Route.HANDSHAKING) {
            awaitSettled();
        }
        return route;
    }

    /** @throws UnsupportedOperationException as the JDK's Unix-domain channel does */
    @Override
    public Socket socket() {
        return kernel.socket();
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        ensureOpen();
        return kernel.getRemoteAddress();
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        return kernel.getLocalAddress();
    }

    @Override
    public <T> SocketChannel setOption(SocketOption<T> name, T value) throws IOException {
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

    // ---- blocking mode and closing

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        kernel.configureBlocking(block);
        synchronized (stateLock) {
            if (readiness != null && !stream.isClosed()) {
                if (block) {
                    stream.cancelDoorbellSleep();
                } else {
                    readiness.wake();
                }
            }
        }
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        ShuntStream s;
        boolean shakingHands;
        boolean bytesPending;
        ClientHandshake abandoned;
        synchronized (stateLock) {
            closing = true;
            s = stream;
            shakingHands = handshaking;
            abandoned = clientHandshake;
            bytesPending = early != null;
            earlyWritability();
        }
        if (s != null) {
            s.close();
        }
        if (abandoned != null) {
            // A client that closes before the offer arrives (connect returned long before) never reaches the fast
            // path: it still counts as a short connection, or such clients would keep making handshakes.
            abandoned.abandoned();
        }
        if (bytesPending) {
            // As a kernel socket delivers what was written before its close: the handshake (bounded by its timeout)
            // goes on, sends the bytes, then closes; the pool thread lets the socket go when it returns.
            LOG.debug("Closing during the handshake with bytes to send: the handshake sends them first");
        } else if (shakingHands) {
            // Ends the handshake's waits; the pool thread lets the socket go when it returns.
            shutdownKernelQuietly(true);
        } else if (isRegistered() && !isBlocking() && kernel.isConnected()) {
            // As the JDK's channel does: the peer sees the end now, the descriptor goes when the selector lets go.
            shutdownKernelQuietly(false);
        }
        synchronized (stateLock) {
            releaseIfDue();
        }
    }

    private void shutdownKernelQuietly(boolean input) {
        try {
            // Output first: the peer sees the hang-up before its sends start failing.
            kernel.shutdownOutput();
            if (input) {
                kernel.shutdownInput();
            }
        } catch (IOException | NotYetConnectedException e) {
            LOG.debug("Shutting down the socket of a closing channel: {}", e.toString());
        }
    }

    /** Closes the socket and the poll set once the channel is closed, no handshake uses them and no selector does. */
    private void releaseIfDue() {
        if (closing && !handshaking && !released && (killed || !isRegistered())) {
            released = true;
            try {
                kernel.close();
            } catch (IOException e) {
                LOG.debug("Closing the socket: {}", e.toString());
            }
            if (pollSet != null) {
                pollSet.close();
            }
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException e) {
            LOG.debug("Closing after a failure: {}", e.toString());
        }
    }

    // ---- the JDK selector's view (sun.nio.ch.SelChImpl)

    /**
     * The kernel socket on the kernel path, else null: JDK 17's {@code FileChannel.transferTo} sends to a blocking
     * selectable channel's descriptor directly ({@code sendfile}), which on the fast path would put the bytes beside the
     * ring. Without a descriptor it writes through {@link #write(ByteBuffer)}. The JDK's selector uses
     * {@link #getFDVal()} only.
     */
    @Override
    public FileDescriptor getFD() {
        return route == Route.KERNEL ? kernelSelectable.getFD() : null;
    }

    @Override
    public int getFDVal() {
        synchronized (stateLock) {
            if (pollSet == null && route == Route.KERNEL) {
                return socketFd;
            }
            if (pollSet == null) {
                try {
                    pollSet = PollSet.open(socketFd);
                    if (route == Route.FAST) {
                        readiness = new RingReadiness(stream, pollSet, config.spinNanos());
                    } else if (route == Route.FAILED) {
                        pollSet.signal();
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return pollSet.fd();
        }
    }

    @Override
    public int translateInterestOps(int ops) {
        synchronized (stateLock) {
            keyInterest = ops;
            if (pollSet == null) {
                return kernelSelectable.translateInterestOps(ops);
            }
            try {
                if (route == Route.KERNEL) {
                    pollSet.watchSocket(kernelSelectable.translateInterestOps(ops));
                } else if (readiness != null) {
                    readiness.interestChanged(ops);
                } else {
                    earlyWritability();
                }
            } catch (IOException e) {
                LOG.warn("Updating the poll set of a Shunt channel: {}", e.toString());
            }
            return ops == 0 ? 0 : Net.POLLIN;
        }
    }

    @Override
    public boolean translateAndUpdateReadyOps(int ops, SelectionKeyImpl ski) {
        return translateReadyOps(ops, ski.nioReadyOps(), ski);
    }

    @Override
    public boolean translateAndSetReadyOps(int ops, SelectionKeyImpl ski) {
        return translateReadyOps(ops, 0, ski);
    }

    private boolean translateReadyOps(int ops, int initialOps, SelectionKeyImpl ski) {
        int interest = ski.nioInterestOps();
        int oldOps = ski.nioReadyOps();
        int newOps = initialOps;
        RingReadiness rings = null;
        synchronized (stateLock) {
            if (finishPending && route != Route.HANDSHAKING && kernel.isConnected()) {
                // The handshake settled: the connect is ready to finish (finishConnect reports a failure).
                newOps |= interest & SelectionKey.OP_CONNECT;
            } else if (pollSet == null || route == Route.KERNEL) {
                int events = pollSet == null ? ops : pollSocket(pollSet.socketEvents());
                return initialOps == 0 ? kernelSelectable.translateAndSetReadyOps(events, ski)
                        : kernelSelectable.translateAndUpdateReadyOps(events, ski);
            } else if (route == Route.FAST) {
                rings = readiness;
            } else if (route == Route.FAILED) {
                newOps |= interest;
            } else if (earlyWritable()) {
                newOps |= interest & SelectionKey.OP_WRITE;
            }
        }
        if (rings != null) {
            // Outside the state lock: this may spin.
            newOps |= rings.readyOps(interest);
        }
        ski.nioReadyOps(newOps);
        return (newOps & ~oldOps) != 0;
    }

    /** The kernel path behind a poll set: what the socket itself reports now. */
    private int pollSocket(int events) {
        try {
            return UnixSockets.poll(socketFd, events, 0);
        } catch (IOException e) {
            return Net.POLLERR;
        }
    }

    /** The selector let go of the closed channel: the socket may close now. */
    @Override
    public void kill() {
        synchronized (stateLock) {
            killed = true;
            releaseIfDue();
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append('[');
        if (!isOpen()) {
            sb.append("closed");
        } else {
            sb.append(route.name().toLowerCase(java.util.Locale.ROOT));
            RingReadiness rings = readiness;
            if (rings != null) {
                sb.append(" (").append(rings).append(')');
            }
            try {
                sb.append(" local=").append(kernel.getLocalAddress()).append(" remote=")
                        .append(kernel.getRemoteAddress());
            } catch (IOException e) {
                sb.append(" addresses unknown");
            }
        }
        return sb.append(']').toString();
    }
}
