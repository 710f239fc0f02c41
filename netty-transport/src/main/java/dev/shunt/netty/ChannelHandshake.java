package dev.shunt.netty;

import dev.shunt.core.ClientHandshake;
import dev.shunt.core.HandshakeResult;
import dev.shunt.core.ServerHandshake;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntHandshake;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ShuntDomainSocketChannel} from connect (client) or registration (accepted) to {@code channelActive}: the
 * kernel connect, the Shunt handshake, the choice of the channel's {@link DataPath}, and the connect promise and
 * timeout, which cover the handshake. It does what {@code AbstractEpollUnsafe.connect}, {@code finishConnect} and
 * {@code fulfillConnectPromise} do for Epoll, with the handshake between connect and activation.
 *
 * <p>No thread waits on the peer. The handshake's steps (the core's calls) run on the event loop, and only when they
 * will not wait on the peer: each is a few system calls (a region created or mapped, one message sent or read), as
 * Epoll's accept and socket set-up are; handing them to other threads cost four thread hand-offs per connection on
 * the server and two on the client. Between steps, the channel waits for the peer's next handshake message in
 * epoll, with an interest of its own ({@link #interest()}) that the application's read interest (auto-read,
 * {@code read()}) does not touch, and a timer at {@code shunt.handshakeTimeoutMillis}. A server: {@code beginAccept}
 * (the OFFER, or the fallback); the client's answer awaited in epoll; {@code complete}. A client: connect; the
 * server's first message awaited in epoll; {@code complete}. A peer that stays silent costs a registration and a
 * timer, not a thread. Event loop confined.
 */
final class ChannelHandshake {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelHandshake.class);
    /** What the socket reports while the handshake waits for the peer; edge-triggered: a partial message fires once. */
    private static final EpollIoOps AWAIT_PEER = EpollIoOps.EPOLLET.with(EpollIoOps.EPOLLIN)
            .with(EpollIoOps.EPOLLRDHUP);
    private static final int HANGUP = EpollIoOps.EPOLLRDHUP.value() | EpollIoOps.EPOLLERR.value();

    private final ShuntDomainSocketChannel channel;
    private final LinuxSocket socket;
    private final boolean accepted;
    private boolean started;
    /** The handshake waits in epoll for the peer's next message. */
    private PeerWait awaited;
    private Future<?> awaitTimeout;
    private ClientHandshake client;
    private ChannelPromise connectPromise;
    private Future<?> connectTimeout;
    private DomainSocketAddress requestedRemote;

    ChannelHandshake(ShuntDomainSocketChannel channel, LinuxSocket socket, boolean accepted) {
        this.channel = channel;
        this.socket = socket;
        this.accepted = accepted;
    }

    /** @return whether the handshake owns the kernel socket: its events are the handshake's ({@link #epollReady}) */
    boolean ownsSocket() {
        return awaited != null;
    }

    /** @return the events the handshake wants from the socket while it owns it: the peer's message */
    EpollIoOps interest() {
        return AWAIT_PEER;
    }

    /** @return whether a connect is in progress in the kernel ({@code EPOLLOUT} finishes it) */
    boolean isConnecting() {
        return connectPromise != null && channel.remoteAddress0() == null;
    }

    /**
     * @return whether flushes are held: an accepted channel is writable from the start with Epoll, so what is
     *     flushed during its handshake is kept until it is active
     */
    boolean holdsFlush() {
        return accepted && !channel.isActive() && channel.isOpen();
    }

    /** The channel was registered and is not active: an accepted channel starts the server side. */
    void registered() {
        if (accepted && !started) {
            started = true;
            int fd = socket.intValue();
            ShuntConfig config = channel.shuntConfig();
            run(() -> {
                if (!Handshakes.tryOffer()) {
                    return new Step(ShuntHandshake.acceptWithoutWaiting(fd, config), null);
                }
                boolean waits = false;
                try {
                    ServerHandshake server = ShuntHandshake.beginAccept(fd, config);
                    // A peer that is not a Shunt client (or a DECLINE) is decided already; an answer rarely is.
                    if (server.canCompleteNow()) {
                        return new Step(server.complete(), null);
                    }
                    waits = true;
                    return new Step(null, wait(server));
                } finally {
                    if (!waits) {
                        Handshakes.offerEnded();
                    }
                }
            });
        }
    }

    /** {@code Unsafe.connect}, after Netty's checks of the promise and of the channel being open. */
    void connect(SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
        try {
            if (connectPromise != null) {
                throw new ConnectionPendingException();
            }
            if (channel.remoteAddress0() != null) {
                throw new AlreadyConnectedException();
            }
            DomainSocketAddress target = (DomainSocketAddress) remoteAddress;
            ClientHandshake pending = null;
            if (localAddress != null) {
                // A socket the application binds itself cannot carry the client marker (the core's rule).
                channel.doBind(localAddress);
                pending = ShuntHandshake.prepareBoundClient(socket.intValue(), channel.shuntConfig());
            } else {
                pending = ShuntHandshake.prepareClient(socket.intValue(),
                        ShuntDomainSocketChannel.filesystemPath(target), channel.shuntConfig());
            }
            connectPromise = promise;
            requestedRemote = target;
            client = pending;
            scheduleConnectTimeout(promise, remoteAddress);
            if (socket.connect(target)) {
                connected();
            } else {
                channel.awaitConnect(true);
            }
        } catch (Throwable t) {
            connectPromise = null;
            cancelConnectTimeout();
            promise.tryFailure(channel.annotateConnectException(t, remoteAddress));
            channel.closeNow();
        }
    }

    private void scheduleConnectTimeout(ChannelPromise promise, SocketAddress remoteAddress) {
        int millis = channel.config().getConnectTimeoutMillis();
        if (millis > 0) {
            connectTimeout = channel.eventLoop().schedule(() -> {
                ChannelPromise p = connectPromise;
                if (p != null && !p.isDone() && p.tryFailure(new ConnectTimeoutException(
                        "connection timed out after " + millis + " ms: " + remoteAddress))) {
                    channel.closeNow();
                }
            }, millis, TimeUnit.MILLISECONDS);
        }
        promise.addListener((ChannelFuture f) -> {
            if (f.isCancelled()) {
                cancelConnectTimeout();
                connectPromise = null;
                channel.closeNow();
            }
        });
    }

    /** {@code EPOLLOUT} during a connect in progress. */
    void finishConnect() {
        try {
            if (socket.finishConnect()) {
                connected();
            }
        } catch (Throwable t) {
            ChannelPromise p = connectPromise;
            connectPromise = null;
            cancelConnectTimeout();
            if (p != null) {
                p.tryFailure(channel.annotateConnectException(t, requestedRemote));
            }
            channel.closeNow();
        }
    }

    /** The kernel connection is up: the client side of the handshake waits for the server's first message. */
    private void connected() throws IOException {
        channel.awaitConnect(false);
        channel.connected(requestedRemote);
        ClientHandshake pending = client;
        client = null;
        if (pending != null && pending.isAttempting()) {
            await(wait(pending));
        } else {
            // Nothing to wait for: the client decided on the kernel socket before connecting.
            done(pending == null ? null : pending.complete(), null);
        }
    }

    /** Waits in epoll until the peer's message is there (or the time limit passes), then completes on the pool. */
    private void await(PeerWait wait) {
        awaited = wait;
        channel.submitOps();
        if (wait.ready()) {
            complete(wait);
            return;
        }
        // Past the limit the core's complete fails at once (its own deadline started no later than this wait).
        awaitTimeout = channel.eventLoop().schedule(() -> {
            if (awaited == wait) {
                complete(wait);
            }
        }, channel.shuntConfig().handshakeTimeoutMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The socket reported events while the handshake owns it.
     *
     * @param events the epoll events
     */
    void epollReady(int events) {
        PeerWait wait = awaited;
        // A hang-up or an error: complete reads what is there and fails without waiting.
        if (wait != null && ((events & HANGUP) != 0 || wait.ready())) {
            complete(wait);
        }
    }

    private void complete(PeerWait wait) {
        awaited = null;
        cancelAwaitTimeout();
        run(() -> new Step(wait.complete(), null));
    }

    /** Runs a step, then goes on with its outcome: the wait for the peer's next message, or the result. */
    private void run(Callable<Step> step) {
        Step outcome;
        try {
            outcome = step.call();
        } catch (Throwable t) {
            done(null, t);
            return;
        }
        if (outcome.wait != null) {
            await(outcome.wait);
        } else {
            done(outcome.result, null);
        }
    }

    private void done(HandshakeResult result, Throwable failure) {
        if (failure != null) {
            ChannelPromise promise = connectPromise;
            if (promise != null) {
                connectPromise = null;
                cancelConnectTimeout();
                promise.tryFailure(channel.annotateConnectException(failure, requestedRemote));
            } else {
                LOG.warn("Shunt handshake failed on accepted connection {}: {}", channel, failure.toString());
            }
            channel.closeNow();
            return;
        }
        channel.choosePath(result);
        becomeActive();
    }

    private void becomeActive() {
        channel.activate();
        ChannelPromise promise = connectPromise;
        connectPromise = null;
        cancelConnectTimeout();
        boolean promiseSet = promise == null || promise.trySuccess();
        channel.pipeline().fireChannelActive();
        if (!promiseSet) {
            channel.closeNow();
        } else if (accepted) {
            channel.flushHeld();
        }
    }

    /** The channel closes: a pending connect fails, a wait for the peer ends. */
    void close() {
        ChannelPromise promise = connectPromise;
        if (promise != null) {
            promise.tryFailure(new ClosedChannelException());
            connectPromise = null;
        }
        cancelConnectTimeout();
        PeerWait wait = awaited;
        if (wait != null) {
            awaited = null;
            cancelAwaitTimeout();
            wait.abandon();
        }
    }

    private void cancelConnectTimeout() {
        Future<?> timeout = connectTimeout;
        if (timeout != null) {
            timeout.cancel(false);
            connectTimeout = null;
        }
    }

    private void cancelAwaitTimeout() {
        Future<?> timeout = awaitTimeout;
        if (timeout != null) {
            timeout.cancel(false);
            awaitTimeout = null;
        }
    }

    /** The wait of a server that offered: it holds a place of {@link Handshakes#OFFERS} until it ends. */
    private static PeerWait wait(ServerHandshake server) {
        return new PeerWait() {
            @Override
            boolean canCompleteNow() throws IOException {
                return server.canCompleteNow();
            }

            @Override
            HandshakeResult complete() throws IOException {
                try {
                    return server.complete();
                } finally {
                    Handshakes.offerEnded();
                }
            }

            @Override
            void abandon() {
                server.close();
                Handshakes.offerEnded();
            }
        };
    }

    private static PeerWait wait(ClientHandshake client) {
        return new PeerWait() {
            @Override
            boolean canCompleteNow() throws IOException {
                return client.canCompleteNow();
            }

            @Override
            HandshakeResult complete() throws IOException {
                return client.complete();
            }

            @Override
            void abandon() {
                // The client holds nothing beyond the socket.
            }
        };
    }

    /** A handshake that waits for its peer's next message: a server's for the answer, a client's for the offer. */
    private abstract static class PeerWait {
        abstract boolean canCompleteNow() throws IOException;

        abstract HandshakeResult complete() throws IOException;

        abstract void abandon();

        /** @return whether {@link #complete()} will not wait (an unreadable socket: complete reports it) */
        final boolean ready() {
            try {
                return canCompleteNow();
            } catch (IOException e) {
                return true;
            }
        }
    }

    /** What a step on the pool produced: the handshake's result, or the wait for the peer that comes next. */
    private static final class Step {
        final HandshakeResult result;
        final PeerWait wait;

        Step(HandshakeResult result, PeerWait wait) {
            this.result = result;
            this.wait = wait;
        }
    }
}
