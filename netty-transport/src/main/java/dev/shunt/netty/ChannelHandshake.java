package dev.shunt.netty;

import dev.shunt.core.ClientHandshake;
import dev.shunt.core.HandshakeResult;
import dev.shunt.core.ShuntHandshake;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ShuntDomainSocketChannel} from connect (client) or registration (accepted) to {@code channelActive}: the
 * kernel connect, the Shunt handshake on the {@link Handshakes} pool, the choice of the channel's {@link DataPath},
 * and the connect promise and timeout, which cover the handshake. It does what {@code AbstractEpollUnsafe.connect},
 * {@code finishConnect} and {@code fulfillConnectPromise} do for Epoll, with the handshake between connect and
 * activation. Event loop confined, except the handshake calls it hands to the pool.
 */
final class ChannelHandshake {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelHandshake.class);

    private final ShuntDomainSocketChannel channel;
    private final LinuxSocket socket;
    private final boolean accepted;
    private boolean started;
    /** A handshake call runs on the pool: it owns the kernel socket. */
    private boolean running;
    private ClientHandshake client;
    private ChannelPromise connectPromise;
    private Future<?> connectTimeout;
    private DomainSocketAddress requestedRemote;

    ChannelHandshake(ShuntDomainSocketChannel channel, LinuxSocket socket, boolean accepted) {
        this.channel = channel;
        this.socket = socket;
        this.accepted = accepted;
    }

    /** @return whether a handshake call owns the kernel socket: the loop must leave it alone */
    boolean ownsSocket() {
        return running;
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
            run(() -> ShuntHandshake.accept(fd, channel.shuntConfig()));
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
                // A socket the application binds itself cannot carry the client marker: no Shunt.
                channel.doBind(localAddress);
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

    /** The kernel connection is up: run the client side of the handshake. */
    private void connected() throws IOException {
        channel.awaitConnect(false);
        channel.connected(requestedRemote);
        ClientHandshake pending = client;
        client = null;
        if (pending != null && pending.isAttempting()) {
            run(pending::complete);
        } else {
            // Nothing to wait for: the client decided on the kernel socket before connecting.
            done(pending == null ? null : pending.complete(), null);
        }
    }

    private void run(Callable<HandshakeResult> handshake) {
        running = true;
        channel.submitOps();
        EventLoop loop = channel.eventLoop();
        Handshakes.executor().execute(() -> {
            HandshakeResult result = null;
            Throwable failure = null;
            try {
                result = handshake.call();
            } catch (Throwable t) {
                failure = t;
            }
            HandshakeResult r = result;
            Throwable f = failure;
            try {
                loop.execute(() -> done(r, f));
            } catch (RejectedExecutionException e) {
                // The loop is gone, and with it the channel: release what the handshake produced.
                release(r);
            }
        });
    }

    private void done(HandshakeResult result, Throwable failure) {
        running = false;
        if (!channel.isOpen()) {
            release(result);
            return;
        }
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

    private void release(HandshakeResult result) {
        try {
            channel.release(channel.pathFor(result));
        } catch (IOException e) {
            LOG.debug("closing {} after its handshake: {}", socket, e.toString());
        }
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

    /**
     * The channel closes: a pending connect fails.
     *
     * @return whether a handshake call still uses the kernel socket (it releases everything when it returns)
     */
    boolean close() {
        ChannelPromise promise = connectPromise;
        if (promise != null) {
            promise.tryFailure(new ClosedChannelException());
            connectPromise = null;
        }
        cancelConnectTimeout();
        return running;
    }

    private void cancelConnectTimeout() {
        Future<?> timeout = connectTimeout;
        if (timeout != null) {
            timeout.cancel(false);
            connectTimeout = null;
        }
    }
}
