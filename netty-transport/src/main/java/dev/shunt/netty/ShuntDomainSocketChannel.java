package dev.shunt.netty;

import dev.shunt.core.ClientHandshake;
import dev.shunt.core.EmptyWakeBackoff;
import dev.shunt.core.FallbackReason;
import dev.shunt.core.HandshakeResult;
import dev.shunt.core.LentBytes;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntHandshake;
import dev.shunt.core.ShuntStream;
import dev.shunt.nativeio.UnixSockets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.AbstractChannel;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.EventLoop;
import io.netty.channel.FileRegion;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketChannel;
import io.netty.channel.unix.DomainSocketReadMode;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Limits;
import io.netty.channel.unix.PeerCredentials;
import io.netty.channel.unix.PreferredDirectByteBufAllocator;
import io.netty.channel.unix.SocketWritableByteChannel;
import io.netty.channel.unix.UnixChannelUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.internal.StringUtil;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Unix domain stream socket that moves its data onto Shunt's shared-memory rings when the peer runs Shunt
 * too: the drop-in replacement of {@code EpollDomainSocketChannel}, on a {@link ShuntEventLoopGroup}.
 *
 * <p>The handshake runs after connect (client) or accept (server) on a small pool of handshake threads,
 * never on the event loop, and {@code channelActive} fires once it finished, on the fast path or on the
 * kernel socket ({@link #isFastPath()}, {@link #fallbackReason()}). On the kernel socket the channel behaves
 * as {@code EpollDomainSocketChannel}: a peer that does not run Shunt sees exactly the application's bytes.
 * On the fast path, reads hand out read-only {@link ByteBuf}s that point into the inbound ring
 * ({@link ShuntChannelOption#RECEIVE_IN_PLACE}, {@code LentByteBuf}), or, with that option off or when the ring
 * lends nothing, copy into {@link ByteBuf}s of the channel's allocator (sized by its
 * {@link RecvByteBufAllocator}); writes are copied from the outbound {@link ByteBuf}s and {@link FileRegion}s
 * into the outbound ring. The kernel socket stays open beside the rings to notice the peer's death
 * ({@code EPOLLRDHUP}), is the doorbell (in byte mode its input is the peer's wake-up bytes, discarded), and
 * carries {@link FileDescriptor} messages ({@link DomainSocketReadMode#FILE_DESCRIPTORS}), whose order relative
 * to ring bytes is not kept.
 */
public final class ShuntDomainSocketChannel extends AbstractChannel implements DomainSocketChannel {
    private static final Logger LOG = LoggerFactory.getLogger(ShuntDomainSocketChannel.class);
    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);
    private static final String EXPECTED_TYPES = " (expected: " + StringUtil.simpleClassName(ByteBuf.class) + ", "
            + StringUtil.simpleClassName(FileRegion.class) + ", " + StringUtil.simpleClassName(FileDescriptor.class)
            + ')';
    /** A write attempt that moved nothing: stop spinning and wait for space. */
    private static final int WRITE_BLOCKED = Integer.MAX_VALUE;
    /** How long a channel that cannot arm its doorbell (writes waiting, reads off) waits before it retries. */
    private static final long DEFERRED_RETRY_MICROS = 1000;
    private static final int EPOLLIN = EpollIoOps.EPOLLIN.value();
    private static final int EPOLLOUT = EpollIoOps.EPOLLOUT.value();
    private static final int EPOLLERR = EpollIoOps.EPOLLERR.value();
    private static final int EPOLLRDHUP = EpollIoOps.EPOLLRDHUP.value();

    static {
        Epoll.ensureAvailability();
    }

    private final LinuxSocket socket;
    private final ShuntConfig shuntConfig;
    private final ShuntDomainSocketChannelConfig config = new ShuntDomainSocketChannelConfig(this);
    private final boolean accepted;
    private final Runnable flushTask = () -> ((ShuntUnsafe) unsafe()).flush0();
    private final PreferredDirectByteBufAllocator directAllocator = new PreferredDirectByteBufAllocator();
    private volatile boolean open = true;
    private volatile boolean active;
    private volatile DomainSocketAddress local;
    private volatile DomainSocketAddress remote;
    private volatile ShuntStream stream;
    private volatile FallbackReason fallbackReason;

    // Event loop confined state.
    private ShuntIoHandler handler;
    private IoRegistration registration;
    private EpollIoOps ops = EpollIoOps.EPOLLRDHUP;
    private Ring ring;
    private boolean handshakeStarted;
    private boolean handshakeRunning;
    private ClientHandshake clientHandshake;
    private ChannelPromise connectPromise;
    private Future<?> connectTimeout;
    private DomainSocketAddress requestedRemote;
    private boolean receivedRdHup;
    private boolean inputClosedSeenErrorOnRead;
    private boolean ringInputShutdown;
    private boolean ringOutputShutdown;
    private boolean ringWritePending;
    private boolean blockedOnSocket;
    private long moved;
    private ChannelSink sink;

    /** A client channel configured from the {@code shunt.*} system properties. */
    public ShuntDomainSocketChannel() {
        this(ShuntConfig.fromSystemProperties());
    }

    /**
     * A client channel with an explicit configuration.
     *
     * @param shuntConfig the configuration in force
     */
    public ShuntDomainSocketChannel(ShuntConfig shuntConfig) {
        this(null, LinuxSocket.newSocketDomain(), shuntConfig, false);
    }

    ShuntDomainSocketChannel(Channel parent, LinuxSocket socket, ShuntConfig shuntConfig) {
        this(parent, socket, shuntConfig, true);
        local = socket.localDomainSocketAddress();
        remote = socket.remoteDomainSocketAddress();
    }

    private ShuntDomainSocketChannel(Channel parent, LinuxSocket socket, ShuntConfig shuntConfig, boolean accepted) {
        super(parent);
        this.socket = socket;
        this.shuntConfig = Objects.requireNonNull(shuntConfig, "shuntConfig");
        this.accepted = accepted;
    }

    /** @return whether the connection runs on shared memory (false until the handshake finished) */
    public boolean isFastPath() {
        return stream != null;
    }

    /**
     * @return whether the fast path is guarded by a protection key (this process's outbound ring is tagged with
     *     one, see {@code shunt.mpk}); false without a key, on the kernel socket and before the handshake
     */
    public boolean isProtected() {
        ShuntStream s = stream;
        return s != null && s.isProtected();
    }

    /** @return why the connection stays on the kernel socket; null on the fast path or before the handshake */
    public FallbackReason fallbackReason() {
        return fallbackReason;
    }

    /** @return the Shunt configuration of this channel */
    public ShuntConfig shuntConfig() {
        return shuntConfig;
    }

    /**
     * The credentials of the peer process ({@code SO_PEERCRED}), as {@code EpollDomainSocketChannel} reports
     * them.
     *
     * @return the peer's pid, uid and gid
     * @throws IOException when the kernel refuses
     */
    public PeerCredentials peerCredentials() throws IOException {
        dev.shunt.nativeio.PeerCredentials c = UnixSockets.peerCredentials(socket.intValue());
        return PeerCredentialsFactory.create(c.pid(), c.uid(), c.gid());
    }

    /** @return the kernel socket (on the fast path it carries no data, only passed descriptors) */
    @Override
    public FileDescriptor fd() {
        return socket;
    }

    LinuxSocket socket() {
        return socket;
    }

    static Path filesystemPath(DomainSocketAddress address) {
        String path = address.path();
        return path.isEmpty() || path.charAt(0) == '\0' ? null : Path.of(path);
    }

    @Override
    public ShuntDomainSocketChannelConfig config() {
        return config;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return active;
    }

    @Override
    public DomainSocketAddress remoteAddress() {
        return (DomainSocketAddress) super.remoteAddress();
    }

    @Override
    public DomainSocketAddress localAddress() {
        return (DomainSocketAddress) super.localAddress();
    }

    @Override
    protected DomainSocketAddress localAddress0() {
        return local;
    }

    @Override
    protected DomainSocketAddress remoteAddress0() {
        return remote;
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new ShuntUnsafe();
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return loop instanceof IoEventLoop && ((IoEventLoop) loop).isIoType(ShuntIoHandler.class);
    }

    @Override
    protected void doRegister(ChannelPromise promise) {
        ((IoEventLoop) eventLoop()).register((ShuntUnsafe) unsafe()).addListener(f -> {
            if (!f.isSuccess()) {
                promise.setFailure(f.cause());
                return;
            }
            registration = (IoRegistration) f.getNow();
            if (isActive()) {
                submitOps();
                attachRing();
            } else if (accepted && !handshakeStarted) {
                handshakeStarted = true;
                int fd = socket.intValue();
                runHandshake(() -> ShuntHandshake.accept(fd, shuntConfig));
            }
            promise.setSuccess();
        });
    }

    @Override
    protected void doDeregister() {
        detachRing();
        IoRegistration r = registration;
        if (r != null) {
            ops = EpollIoOps.EPOLLRDHUP;
            registration = null;
            r.cancel();
        }
        handler = null;
    }

    @Override
    protected void doBind(SocketAddress localAddress) throws Exception {
        socket.bind(localAddress);
        local = (DomainSocketAddress) localAddress;
    }

    @Override
    protected void doDisconnect() throws Exception {
        doClose();
    }

    @Override
    protected void doClose() throws Exception {
        boolean wasOpen = open;
        active = false;
        open = false;
        inputClosedSeenErrorOnRead = true;
        ChannelPromise promise = connectPromise;
        if (promise != null) {
            promise.tryFailure(new ClosedChannelException());
            connectPromise = null;
        }
        cancelConnectTimeout();
        if (isRegistered() && eventLoop().inEventLoop()) {
            doDeregister();
        }
        if (!wasOpen) {
            return;
        }
        if (handshakeRunning) {
            // The handshake thread still uses the descriptor: wake it; it closes everything when it returns.
            shutdownQuietly();
            return;
        }
        release(stream);
    }

    private void shutdownQuietly() {
        try {
            socket.shutdown();
        } catch (IOException e) {
            LOG.debug("shutdown of {} during its handshake failed: {}", socket, e.toString());
        }
    }

    /** Closes the stream (if the handshake produced one) and the kernel socket. */
    private void release(ShuntStream s) throws IOException {
        try {
            if (s != null) {
                s.close();
            }
        } finally {
            socket.close();
        }
    }

    @Override
    protected void doBeginRead() {
        ((ShuntUnsafe) unsafe()).readPending = true;
        if (ringReads()) {
            if (ring != null) {
                ring.wake();
            }
        } else {
            setFlag(EpollIoOps.EPOLLIN);
        }
    }

    /** @return whether reads come from the ring (fast path, byte mode) rather than the kernel socket */
    private boolean ringReads() {
        return stream != null && config.getReadMode() == DomainSocketReadMode.BYTES;
    }

    /** Called by the configuration when auto-read is switched off. */
    void clearReadInterest() {
        if (!isRegistered()) {
            if (!ringReads()) {
                ops = ops.without(EpollIoOps.EPOLLIN);
            }
            return;
        }
        EventLoop loop = eventLoop();
        ShuntUnsafe unsafe = (ShuntUnsafe) unsafe();
        if (loop.inEventLoop()) {
            unsafe.clearReadInterest0();
        } else {
            loop.execute(() -> {
                if (!unsafe.readPending && !config.isAutoRead()) {
                    unsafe.clearReadInterest0();
                }
            });
        }
    }

    private void setFlag(EpollIoOps flag) {
        if (!ops.contains(flag)) {
            ops = ops.with(flag);
            submitOps();
        }
    }

    private void clearFlag(EpollIoOps flag) {
        if (ops.contains(flag)) {
            ops = ops.without(flag);
            submitOps();
        }
    }

    /**
     * Hands the wanted kernel-socket events to epoll. While the handshake owns the socket, and when nothing
     * is wanted, the socket stays registered edge-triggered without events, so that neither the handshake's
     * own traffic nor a hang-up makes the loop spin (an empty set would remove the registration).
     */
    private void submitOps() {
        IoRegistration r = registration;
        if (r != null && open) {
            r.submit(handshakeRunning || ops.value() == 0 ? EpollIoOps.EPOLLET : ops);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Handshake and activation

    private void runHandshake(Callable<HandshakeResult> handshake) {
        handshakeRunning = true;
        submitOps();
        EventLoop loop = eventLoop();
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
                loop.execute(() -> handshakeDone(r, f));
            } catch (RejectedExecutionException e) {
                // The loop is gone, and with it the channel: release what the handshake produced.
                try {
                    release(r != null && r.isFastPath() ? r.stream() : null);
                } catch (IOException closeFailure) {
                    LOG.debug("closing {} after its loop ended: {}", socket, closeFailure.toString());
                }
            }
        });
    }

    private void handshakeDone(HandshakeResult result, Throwable failure) {
        handshakeRunning = false;
        ShuntStream s = result != null && result.isFastPath() ? result.stream() : null;
        if (!open) {
            try {
                release(s);
            } catch (IOException e) {
                LOG.debug("closing {} after its handshake: {}", socket, e.toString());
            }
            return;
        }
        if (failure != null) {
            ChannelPromise promise = connectPromise;
            if (promise != null) {
                connectPromise = null;
                cancelConnectTimeout();
                promise.tryFailure(((ShuntUnsafe) unsafe()).annotate(failure, requestedRemote));
            } else {
                LOG.warn("Shunt handshake failed on accepted connection {}: {}", this, failure.toString());
            }
            unsafe().close(voidPromise());
            return;
        }
        if (s != null) {
            stream = s;
        } else {
            fallbackReason = result == null ? FallbackReason.DISABLED : result.fallbackReason();
        }
        becomeActive();
    }

    private void becomeActive() {
        active = true;
        submitOps();
        attachRing();
        ChannelPromise promise = connectPromise;
        connectPromise = null;
        cancelConnectTimeout();
        boolean promiseSet = promise == null || promise.trySuccess();
        pipeline().fireChannelActive();
        if (!promiseSet) {
            unsafe().close(voidPromise());
        } else if (accepted) {
            ((ShuntUnsafe) unsafe()).flush0();
        }
    }

    private void cancelConnectTimeout() {
        Future<?> timeout = connectTimeout;
        if (timeout != null) {
            timeout.cancel(false);
            connectTimeout = null;
        }
    }

    private void attachRing() {
        ShuntStream s = stream;
        if (s == null || handler == null || ring != null || !open) {
            return;
        }
        Ring r = new Ring(handler, s);
        ring = r;
        if (ringReads()) {
            // The peer rings the doorbell with a byte on the kernel socket: input there is always wanted.
            setFlag(EpollIoOps.EPOLLIN);
        }
        // Whatever the peer sent before the doorbell was armed is found by the first poll.
        r.wake();
    }

    private void detachRing() {
        Ring r = ring;
        if (r == null) {
            return;
        }
        ring = null;
        r.detached = true;
    }

    // ---------------------------------------------------------------------------------------------------
    // Reading

    private boolean shouldBreakReadReady() {
        return isInputShutdown() && (inputClosedSeenErrorOnRead || !config.isAllowHalfClosure());
    }

    private boolean shouldStopReading() {
        return !((ShuntUnsafe) unsafe()).readPending && !config.isAutoRead();
    }

    /** @return whether the pipeline wants bytes from the ring now */
    private boolean ringReadWanted() {
        return active && ringReads() && !shouldStopReading() && !shouldBreakReadReady();
    }

    /** Reads bytes (ring or kernel socket) into the pipeline, as {@code EpollStreamUnsafe.epollInReady} does. */
    private void readReady() {
        ShuntUnsafe unsafe = (ShuntUnsafe) unsafe();
        if (shouldBreakReadReady()) {
            unsafe.clearReadInterest0();
            return;
        }
        RecvByteBufAllocator.Handle allocHandle = unsafe.recvBufAllocHandle();
        ChannelPipeline pipeline = pipeline();
        directAllocator.updateAllocator(config.getAllocator());
        allocHandle.reset(config);
        ByteBuf byteBuf = null;
        boolean allDataRead = false;
        boolean first = true;
        try {
            do {
                byteBuf = lendFromRing(allocHandle);
                if (byteBuf == null) {
                    byteBuf = allocHandle.allocate(directAllocator);
                    allocHandle.lastBytesRead(readBytes(byteBuf, allocHandle));
                }
                if (allocHandle.lastBytesRead() == 0 && stream != null && first) {
                    // The ring was polled and held nothing: no read happened, so no events either.
                    byteBuf.release();
                    return;
                }
                first = false;
                if (allocHandle.lastBytesRead() <= 0) {
                    byteBuf.release();
                    byteBuf = null;
                    allDataRead = allocHandle.lastBytesRead() < 0;
                    if (allDataRead) {
                        unsafe.readPending = false;
                    }
                    break;
                }
                allocHandle.incMessagesRead(1);
                unsafe.readPending = false;
                pipeline.fireChannelRead(byteBuf);
                byteBuf = null;
                if (shouldBreakReadReady()) {
                    break;
                }
            } while (receivedRdHup || allocHandle.continueReading());
            allocHandle.readComplete();
            pipeline.fireChannelReadComplete();
            if (allDataRead) {
                shutdownInput(true);
            }
        } catch (Throwable t) {
            handleReadException(pipeline, byteBuf, t, allDataRead, allocHandle);
        } finally {
            if (shouldStopReading()) {
                clearReadInterest();
            }
        }
    }

    /**
     * Fast path with {@link ShuntChannelOption#RECEIVE_IN_PLACE}: the next bytes as a buffer into the ring itself.
     *
     * @return the buffer, or null when the bytes must be copied (option off, kernel path, ring empty or at its
     *     end of stream, or half the ring lent out already)
     */
    private ByteBuf lendFromRing(RecvByteBufAllocator.Handle allocHandle) throws IOException {
        ShuntStream s = stream;
        if (s == null || !config.isReceiveInPlace()) {
            return null;
        }
        int wanted = allocHandle.guess();
        LentBytes lent = s.lendNow(wanted);
        if (lent == null) {
            return null;
        }
        allocHandle.attemptedBytesRead(wanted);
        allocHandle.lastBytesRead(lent.length());
        moved += lent.length();
        return new LentByteBuf(config.getAllocator(), lent);
    }

    /** @return bytes read, 0 when nothing is there, -1 at end of stream */
    private int readBytes(ByteBuf byteBuf, RecvByteBufAllocator.Handle allocHandle) throws IOException {
        int writerIndex = byteBuf.writerIndex();
        int writable = byteBuf.writableBytes();
        allocHandle.attemptedBytesRead(writable);
        int n;
        ShuntStream s = stream;
        if (s != null) {
            n = s.readNow(byteBuf.internalNioBuffer(writerIndex, writable));
            if (n == 0 && receivedRdHup) {
                // The peer closed its socket or died: nothing more can arrive.
                n = -1;
            }
        } else if (byteBuf.hasMemoryAddress()) {
            n = socket.recvAddress(byteBuf.memoryAddress(), writerIndex, byteBuf.capacity());
        } else {
            ByteBuffer buf = byteBuf.internalNioBuffer(writerIndex, writable);
            n = socket.recv(buf, buf.position(), buf.limit());
        }
        if (n > 0) {
            byteBuf.writerIndex(writerIndex + n);
            moved += n;
        }
        return n;
    }

    private void handleReadException(ChannelPipeline pipeline, ByteBuf byteBuf, Throwable cause, boolean allDataRead,
            RecvByteBufAllocator.Handle allocHandle) {
        if (byteBuf != null) {
            if (byteBuf.isReadable()) {
                ((ShuntUnsafe) unsafe()).readPending = false;
                pipeline.fireChannelRead(byteBuf);
            } else {
                byteBuf.release();
            }
        }
        allocHandle.readComplete();
        pipeline.fireChannelReadComplete();
        pipeline.fireExceptionCaught(cause);
        if (allDataRead || cause instanceof OutOfMemoryError || cause instanceof IOException) {
            shutdownInput(true);
        }
    }

    /** Reads passed descriptors from the kernel socket ({@link DomainSocketReadMode#FILE_DESCRIPTORS}). */
    private void readDescriptors() {
        ShuntUnsafe unsafe = (ShuntUnsafe) unsafe();
        if (socket.isInputShutdown()) {
            unsafe.clearReadInterest0();
            return;
        }
        RecvByteBufAllocator.Handle allocHandle = unsafe.recvBufAllocHandle();
        ChannelPipeline pipeline = pipeline();
        allocHandle.reset(config);
        try {
            readLoop:
            do {
                allocHandle.lastBytesRead(socket.recvFd());
                switch (allocHandle.lastBytesRead()) {
                    case 0:
                        break readLoop;
                    case -1:
                        unsafe.close(unsafe.voidPromise());
                        return;
                    default:
                        allocHandle.incMessagesRead(1);
                        unsafe.readPending = false;
                        pipeline.fireChannelRead(new FileDescriptor(allocHandle.lastBytesRead()));
                        break;
                }
            } while (allocHandle.continueReading());
            allocHandle.readComplete();
            pipeline.fireChannelReadComplete();
        } catch (Throwable t) {
            allocHandle.readComplete();
            pipeline.fireChannelReadComplete();
            pipeline.fireExceptionCaught(t);
        } finally {
            if (shouldStopReading()) {
                clearReadInterest();
            }
        }
    }

    /**
     * Fast path: input on the kernel socket is the peer's doorbell (or the end of its socket). The bytes are
     * discarded, and the ring is polled again.
     */
    private void doorbellRang() {
        if (stream.drainDoorbell()) {
            // The peer's socket is closed: no doorbell can ring any more, and its end of stream would keep a
            // level-triggered EPOLLIN firing while the pipeline reads nothing. EPOLLRDHUP reports the hang-up.
            clearFlag(EpollIoOps.EPOLLIN);
        }
        Ring r = ring;
        if (r != null) {
            r.rang();
        }
    }

    private void readFromInput() {
        if (config.getReadMode() == DomainSocketReadMode.FILE_DESCRIPTORS) {
            readDescriptors();
        } else {
            readReady();
        }
    }

    /** Ends the input after end of stream or a read failure, as {@code AbstractEpollUnsafe.shutdownInput}. */
    private void shutdownInput(boolean allDataRead) {
        if (!isInputShutdown()) {
            if (config.isAllowHalfClosure()) {
                try {
                    shutdownInputNow();
                } catch (IOException e) {
                    pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
                    unsafe().close(voidPromise());
                    return;
                } catch (NotYetConnectedException ignore) {
                    // The input is effectively shut down already.
                }
                if (shouldStopReading()) {
                    ((ShuntUnsafe) unsafe()).clearReadInterest0();
                }
                pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            } else {
                unsafe().close(voidPromise());
                return;
            }
        }
        if (allDataRead && !inputClosedSeenErrorOnRead) {
            inputClosedSeenErrorOnRead = true;
            pipeline().fireUserEventTriggered(ChannelInputShutdownReadComplete.INSTANCE);
        }
    }

    private void shutdownInputNow() throws IOException {
        ShuntStream s = stream;
        if (s != null) {
            ringInputShutdown = true;
            s.shutdownInput();
        } else {
            socket.shutdown(true, false);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Writing

    @Override
    protected Object filterOutboundMessage(Object msg) {
        if (msg instanceof ByteBuf) {
            ByteBuf buf = (ByteBuf) msg;
            return stream == null && UnixChannelUtil.isBufferCopyNeededForWrite(buf) ? newDirectBuffer(buf) : buf;
        }
        if (msg instanceof FileRegion || msg instanceof FileDescriptor) {
            return msg;
        }
        throw new UnsupportedOperationException(
                "unsupported message type: " + StringUtil.simpleClassName(msg) + EXPECTED_TYPES);
    }

    private ByteBuf newDirectBuffer(ByteBuf buf) {
        int readable = buf.readableBytes();
        if (readable == 0) {
            ReferenceCountUtil.safeRelease(buf);
            return Unpooled.EMPTY_BUFFER;
        }
        ByteBufAllocator alloc = alloc();
        ByteBuf direct = alloc.isDirectBufferPooled() ? null : ByteBufUtil.threadLocalDirectBuffer();
        if (direct == null) {
            direct = alloc.directBuffer(readable);
        }
        direct.writeBytes(buf, buf.readerIndex(), readable);
        ReferenceCountUtil.safeRelease(buf);
        return direct;
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        int writeSpinCount = config.getWriteSpinCount();
        blockedOnSocket = stream == null;
        do {
            Object msg = in.current();
            if (msg == null) {
                writeBlocked(false);
                return;
            }
            if (msg instanceof ByteBuf) {
                writeSpinCount -= writeBuffers(in);
            } else if (msg instanceof FileRegion) {
                writeSpinCount -= writeFileRegion(in, (FileRegion) msg);
            } else {
                writeSpinCount -= writeDescriptor(in, (FileDescriptor) msg);
            }
        } while (writeSpinCount > 0);
        if (writeSpinCount == 0) {
            // Fairness: give other channels a turn, then go on.
            writeBlocked(false);
            eventLoop().execute(flushTask);
        } else {
            writeBlocked(true);
        }
    }

    /**
     * Waits for space before the next flush, or stops waiting: ring space (the loop polls or the doorbell
     * rings) for bytes on the fast path, socket space ({@code EPOLLOUT}) for everything else.
     */
    private void writeBlocked(boolean blocked) {
        if (!blocked) {
            ringWritePending = false;
            clearFlag(EpollIoOps.EPOLLOUT);
        } else if (stream != null && !blockedOnSocket) {
            ringWritePending = true;
            if (ring != null) {
                ring.wake();
            }
        } else {
            setFlag(EpollIoOps.EPOLLOUT);
        }
    }

    private int writeBuffers(ChannelOutboundBuffer in) throws IOException {
        ByteBuffer[] buffers = in.nioBuffers(Limits.IOV_MAX, Limits.SSIZE_MAX);
        int count = in.nioBufferCount();
        if (count == 0) {
            // Only empty buffers: drop them.
            in.removeBytes(0);
            return 0;
        }
        long written;
        ShuntStream s = stream;
        if (s != null) {
            checkPeer();
            written = 0;
            for (int i = 0; i < count; i++) {
                ByteBuffer b = buffers[i];
                int wanted = b.remaining();
                int n = s.writeNow(b);
                written += n;
                if (n < wanted) {
                    break;
                }
            }
        } else {
            written = socket.writev(buffers, 0, count, in.nioBufferSize());
            // writev leaves the buffers as they were, but the outbound buffer caches them between calls.
            long left = written;
            for (int i = 0; i < count && left > 0; i++) {
                ByteBuffer b = buffers[i];
                int n = (int) Math.min(left, b.remaining());
                b.position(b.position() + n);
                left -= n;
            }
        }
        if (written > 0) {
            moved += written;
            in.removeBytes(written);
            return 1;
        }
        return WRITE_BLOCKED;
    }

    private void checkPeer() throws IOException {
        if (receivedRdHup) {
            throw new IOException("Broken pipe: the peer closed the connection");
        }
    }

    private int writeFileRegion(ChannelOutboundBuffer in, FileRegion region) throws Exception {
        long offset = region.transferred();
        if (offset >= region.count()) {
            in.remove();
            return 0;
        }
        if (stream != null) {
            checkPeer();
        }
        if (sink == null) {
            sink = new ChannelSink();
        }
        long flushed = region.transferTo(sink, offset);
        if (flushed > 0) {
            moved += flushed;
            in.progress(flushed);
            if (region.transferred() >= region.count()) {
                in.remove();
            }
            return 1;
        }
        if (region instanceof DefaultFileRegion) {
            validateFileRegion((DefaultFileRegion) region, offset);
        }
        return WRITE_BLOCKED;
    }

    private int writeDescriptor(ChannelOutboundBuffer in, FileDescriptor fd) throws IOException {
        if (socket.sendFd(fd.intValue()) > 0) {
            in.remove();
            return 1;
        }
        blockedOnSocket = true;
        return WRITE_BLOCKED;
    }

    @Override
    protected void doShutdownOutput() throws Exception {
        ShuntStream s = stream;
        if (s != null) {
            ringOutputShutdown = true;
            s.shutdownOutput();
        } else {
            socket.shutdown(false, true);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // DuplexChannel

    @Override
    public boolean isInputShutdown() {
        return stream != null ? ringInputShutdown || !open : socket.isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
        return stream != null ? ringOutputShutdown || !open : socket.isOutputShutdown();
    }

    @Override
    public boolean isShutdown() {
        return isInputShutdown() && isOutputShutdown();
    }

    @Override
    public ChannelFuture shutdownOutput() {
        return shutdownOutput(newPromise());
    }

    @Override
    public ChannelFuture shutdownOutput(ChannelPromise promise) {
        EventLoop loop = eventLoop();
        if (loop.inEventLoop()) {
            ((AbstractUnsafe) unsafe()).shutdownOutput(promise);
        } else {
            loop.execute(() -> ((AbstractUnsafe) unsafe()).shutdownOutput(promise));
        }
        return promise;
    }

    @Override
    public ChannelFuture shutdownInput() {
        return shutdownInput(newPromise());
    }

    @Override
    public ChannelFuture shutdownInput(ChannelPromise promise) {
        EventLoop loop = eventLoop();
        if (loop.inEventLoop()) {
            shutdownInput0(promise);
        } else {
            loop.execute(() -> shutdownInput0(promise));
        }
        return promise;
    }

    private void shutdownInput0(ChannelPromise promise) {
        try {
            shutdownInputNow();
            promise.setSuccess();
        } catch (Throwable cause) {
            promise.setFailure(cause);
        }
    }

    @Override
    public ChannelFuture shutdown() {
        return shutdown(newPromise());
    }

    @Override
    public ChannelFuture shutdown(ChannelPromise promise) {
        shutdownOutput().addListener((ChannelFuture output) -> shutdownInput().addListener((ChannelFuture input) -> {
            Throwable cause = output.cause() != null ? output.cause() : input.cause();
            if (cause != null) {
                promise.setFailure(cause);
            } else {
                promise.setSuccess();
            }
        }));
        return promise;
    }

    // ---------------------------------------------------------------------------------------------------

    /** The channel's {@link io.netty.channel.Channel.Unsafe}, and the epoll handle of its kernel socket. */
    final class ShuntUnsafe extends AbstractUnsafe implements EpollIoHandle {
        boolean readPending;

        void attach(ShuntIoHandler owner) {
            handler = owner;
        }

        @Override
        public FileDescriptor fd() {
            return socket;
        }

        @Override
        public void close() {
            close(voidPromise());
        }

        Throwable annotate(Throwable cause, SocketAddress address) {
            return annotateConnectException(cause, address);
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            if (handshakeRunning) {
                return;
            }
            int events = ((EpollIoEvent) event).ops().value();
            if ((events & (EPOLLERR | EPOLLOUT)) != 0) {
                outReady();
            }
            if ((events & (EPOLLERR | EPOLLIN)) != 0) {
                if (ringReads()) {
                    doorbellRang();
                } else {
                    readFromInput();
                }
            }
            if ((events & EPOLLRDHUP) != 0) {
                rdHupReady();
            }
        }

        private void outReady() {
            if (connectPromise != null && remote == null) {
                finishConnect();
            } else if (!isOutputShutdown()) {
                super.flush0();
            }
        }

        private void rdHupReady() {
            receivedRdHup = true;
            if (isActive()) {
                readFromInput();
                if (ring != null && ringWritePending) {
                    ring.wake();
                }
            } else {
                shutdownInput(false);
            }
            clearFlag(EpollIoOps.EPOLLRDHUP);
        }

        void clearReadInterest0() {
            readPending = false;
            if (!ringReads()) {
                // On the fast path the socket's input is the doorbell, wanted whether the pipeline reads or not.
                clearFlag(EpollIoOps.EPOLLIN);
            }
        }

        @Override
        protected void flush0() {
            // An accepted connection is writable from the start with Epoll: keep what is flushed during the
            // handshake until it finished. While waiting for space, the loop flushes when space is there.
            if ((!accepted || active || !open) && !ringWritePending && !ops.contains(EpollIoOps.EPOLLOUT)) {
                super.flush0();
            }
        }

        /** Flushes now, although the last flush found no space. */
        void forceFlush() {
            super.flush0();
        }

        @Override
        public void connect(SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
            if (promise.isDone() || !ensureOpen(promise)) {
                return;
            }
            try {
                if (connectPromise != null) {
                    throw new ConnectionPendingException();
                }
                if (remote != null) {
                    throw new AlreadyConnectedException();
                }
                DomainSocketAddress target = (DomainSocketAddress) remoteAddress;
                ClientHandshake pending = null;
                if (localAddress != null) {
                    // A socket the application binds itself cannot carry the client marker: no Shunt.
                    doBind(localAddress);
                } else {
                    pending = ShuntHandshake.prepareClient(socket.intValue(), filesystemPath(target), shuntConfig);
                }
                connectPromise = promise;
                requestedRemote = target;
                clientHandshake = pending;
                scheduleConnectTimeout(promise, remoteAddress);
                if (socket.connect(target)) {
                    connected();
                } else {
                    setFlag(EpollIoOps.EPOLLOUT);
                }
            } catch (Throwable t) {
                connectPromise = null;
                cancelConnectTimeout();
                promise.tryFailure(annotateConnectException(t, remoteAddress));
                close(voidPromise());
            }
        }

        private void scheduleConnectTimeout(ChannelPromise promise, SocketAddress remoteAddress) {
            int millis = config.getConnectTimeoutMillis();
            if (millis > 0) {
                connectTimeout = eventLoop().schedule(() -> {
                    ChannelPromise p = connectPromise;
                    if (p != null && !p.isDone() && p.tryFailure(new ConnectTimeoutException(
                            "connection timed out after " + millis + " ms: " + remoteAddress))) {
                        close(voidPromise());
                    }
                }, millis, TimeUnit.MILLISECONDS);
            }
            promise.addListener((ChannelFuture f) -> {
                if (f.isCancelled()) {
                    cancelConnectTimeout();
                    connectPromise = null;
                    close(voidPromise());
                }
            });
        }

        private void finishConnect() {
            try {
                if (socket.finishConnect()) {
                    connected();
                }
            } catch (Throwable t) {
                ChannelPromise p = connectPromise;
                connectPromise = null;
                cancelConnectTimeout();
                if (p != null) {
                    p.tryFailure(annotateConnectException(t, requestedRemote));
                }
                close(voidPromise());
            }
        }

        /** The kernel connection is up: run the client side of the handshake. */
        private void connected() throws IOException {
            clearFlag(EpollIoOps.EPOLLOUT);
            remote = requestedRemote;
            if (local == null) {
                local = socket.localDomainSocketAddress();
            }
            ClientHandshake pending = clientHandshake;
            clientHandshake = null;
            if (pending != null && pending.isAttempting()) {
                runHandshake(pending::complete);
            } else {
                // Nothing to wait for: the client decided on the kernel socket before connecting.
                handshakeDone(pending == null ? null : pending.complete(), null);
            }
        }
    }

    /** The fast-path side of this channel that the loop drives. */
    private final class Ring extends RingEndpoint {
        private final ShuntIoHandler owner;
        private final ShuntStream ringStream;
        boolean detached;
        private boolean sleeping;
        private boolean readSuspected = true;
        private boolean retryScheduled;
        private final EmptyWakeBackoff emptyRings = new EmptyWakeBackoff();
        private boolean deafened;

        Ring(ShuntIoHandler owner, ShuntStream ringStream) {
            this.owner = owner;
            this.ringStream = ringStream;
        }

        @Override
        long poll() {
            if (detached) {
                return 0;
            }
            long before = moved;
            if (ringWritePending) {
                ringWritePending = false;
                ((ShuntUnsafe) unsafe()).forceFlush();
            }
            if (ringReadWanted() && (readSuspected || bytesWaiting())) {
                readSuspected = false;
                readReady();
            }
            return moved - before;
        }

        private boolean bytesWaiting() {
            try {
                return ringStream.available() > 0;
            } catch (IOException e) {
                // The read reports it.
                return true;
            }
        }

        @Override
        boolean wantsPolling() {
            return !detached && open && (ringWritePending || ringReadWanted());
        }

        @Override
        int trySleep() {
            if (!ringReadWanted()) {
                // Writes wait for space while the pipeline reads nothing: the doorbell cannot be armed for
                // space alone (prepareDoorbellSleep also re-checks inbound bytes), so retry on a timer.
                if (!retryScheduled) {
                    retryScheduled = true;
                    eventLoop().schedule(this::retry, DEFERRED_RETRY_MICROS, TimeUnit.MICROSECONDS);
                }
                return DEFERRED;
            }
            if (armDoorbell(ringWritePending)) {
                return SLEPT;
            }
            readSuspected = true;
            return BUSY;
        }

        @Override
        boolean peerOnThisCpu() {
            return ringStream.peerOnThisCpu();
        }

        @Override
        boolean tookPeerWake() {
            return ringStream.takePeerWoken();
        }

        @Override
        void idle() {
            if (detached || !active || sleeping || !ringReads() || shouldBreakReadReady()) {
                return;
            }
            // The pipeline reads nothing now; like epoll's EPOLLRDHUP, the end of the peer's output must still
            // be noticed. Arm the doorbell while the ring is empty; an end of stream found with no bytes before
            // it is read now. Bytes waiting unread keep the doorbell unarmed until the pipeline reads again.
            if (!armDoorbell(false) && !bytesWaiting()) {
                readReady();
            }
        }

        private boolean armDoorbell(boolean wantSpace) {
            try {
                sleeping = ringStream.prepareDoorbellSleep(wantSpace);
                return sleeping;
            } catch (IOException e) {
                // The next read reports it.
                LOG.debug("prepareDoorbellSleep: {}", e.toString());
                return false;
            }
        }

        private void retry() {
            retryScheduled = false;
            if (!detached && ringWritePending) {
                owner.schedule(this);
            }
        }

        /** The peer rang the doorbell: bytes or space arrived, or the peer closed. */
        void rang() {
            if (detached) {
                return;
            }
            // A ring that brought nothing (late, or a peer that floods the doorbell) re-arms at once, since arming
            // checks the ring again, and the loop goes back to sleep instead of spinning. Many in a row: the
            // doorbell is not listened to for a while (EmptyWakeBackoff), so that a flood cannot keep the loop busy;
            // the armed ring is checked again when listening resumes.
            if (sleeping && armDoorbell(ringWritePending)) {
                long pause = emptyRings.emptyWake();
                if (pause > 0 && !deafened) {
                    deafened = true;
                    clearFlag(EpollIoOps.EPOLLIN);
                    eventLoop().schedule(this::listenAgain, pause, TimeUnit.NANOSECONDS);
                }
                return;
            }
            emptyRings.progress();
            owner.doorbellRang();
            wake();
        }

        private void listenAgain() {
            deafened = false;
            if (!detached && open) {
                // Level-triggered: a ring that came meanwhile fires at once.
                setFlag(EpollIoOps.EPOLLIN);
            }
        }

        /** Leaves the doorbell sleep (if any) and joins the polled set. */
        void wake() {
            readSuspected = true;
            if (sleeping) {
                sleeping = false;
                try {
                    ringStream.cancelDoorbellSleep();
                } catch (IOException e) {
                    // The next read or write reports it.
                    LOG.debug("cancelDoorbellSleep: {}", e.toString());
                }
            }
            owner.schedule(this);
        }
    }

    /** Where {@link FileRegion}s write: the ring on the fast path, the kernel socket otherwise. */
    private final class ChannelSink extends SocketWritableByteChannel {
        ChannelSink() {
            super(socket);
        }

        @Override
        protected int write(ByteBuffer buf, int pos, int limit) throws IOException {
            ShuntStream s = stream;
            if (s == null) {
                return socket.send(buf, pos, limit);
            }
            ByteBuffer slice = buf.duplicate();
            slice.limit(limit).position(pos);
            return s.writeNow(slice);
        }

        @Override
        protected ByteBufAllocator alloc() {
            return ShuntDomainSocketChannel.this.alloc();
        }
    }

    /** Builds Netty's {@link PeerCredentials}, whose constructor is package-private, once per process. */
    private static final class PeerCredentialsFactory {
        private static final Constructor<PeerCredentials> CONSTRUCTOR = constructor();

        private static Constructor<PeerCredentials> constructor() {
            try {
                Constructor<PeerCredentials> c = PeerCredentials.class.getDeclaredConstructor(int.class, int.class,
                        int[].class);
                c.setAccessible(true);
                return c;
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.debug("Netty's PeerCredentials cannot be built here: {}", e.toString());
                return null;
            }
        }

        static PeerCredentials create(int pid, int uid, int gid) throws IOException {
            if (CONSTRUCTOR == null) {
                throw new IOException("Netty's PeerCredentials constructor is not accessible (module system?)");
            }
            try {
                return CONSTRUCTOR.newInstance(pid, uid, new int[] {gid});
            } catch (ReflectiveOperationException e) {
                throw new IOException("could not build PeerCredentials", e);
            }
        }
    }
}
