package dev.shunt.netty;

import dev.shunt.core.FallbackReason;
import dev.shunt.core.HandshakeResult;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.StreamCounters;
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
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.EventLoop;
import io.netty.channel.FileRegion;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoEvent;
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
import io.netty.util.ReferenceCountUtil;
import io.netty.util.internal.StringUtil;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.NotYetConnectedException;
import java.nio.file.Path;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Unix domain stream socket that moves its data onto Shunt's shared-memory rings when the peer runs Shunt
 * too: the drop-in replacement of {@code EpollDomainSocketChannel}, on a {@link ShuntEventLoopGroup}.
 *
 * <p>The handshake runs after connect (client) or accept (server): its steps on a small bounded pool of handshake
 * threads, its waits for the peer in the loop's epoll, never blocking the event loop nor holding a thread while
 * the peer is silent; {@code channelActive} fires once it finished, on the fast path or on the kernel socket
 * ({@link #isFastPath()}, {@link #fallbackReason()}). On the kernel socket the channel behaves
 * as {@code EpollDomainSocketChannel}: a peer that does not run Shunt sees exactly the application's bytes.
 * On the fast path, reads hand out read-only {@link ByteBuf}s that point into the inbound ring
 * ({@link ShuntChannelOption#RECEIVE_IN_PLACE}, {@code LentByteBuf}), or, with that option off or when the ring
 * lends nothing, copy into {@link ByteBuf}s of the channel's allocator (sized by its
 * {@link RecvByteBufAllocator}); writes are copied from the outbound {@link ByteBuf}s and {@link FileRegion}s
 * into the outbound ring. The kernel socket stays open beside the rings to notice the peer's death
 * ({@code EPOLLRDHUP}), is the doorbell (in byte mode its input is the peer's wake-up bytes, discarded), and
 * carries {@link FileDescriptor} messages ({@link DomainSocketReadMode#FILE_DESCRIPTORS}), whose order relative
 * to ring bytes is not kept.
 *
 * <p>Its parts follow the seams of Netty's Epoll channels, whose hook names they keep: this class is
 * {@code AbstractEpollChannel} (socket, epoll flags, registration), {@code AbstractEpollStreamChannel} (writes,
 * shutdown) and {@code EpollDomainSocketChannel} (descriptors) in one, its {@code ShuntUnsafe} the three unsafes
 * ({@code epollInReady}, {@code epollOutReady}, {@code epollRdHupReady}, {@code clearEpollIn0}, ...). Connect,
 * handshake and activation are a {@link ChannelHandshake}; the bytes go through a {@link DataPath} the handshake
 * chooses once ({@link KernelPath} or {@link RingPath}); on the fast path a {@link RingDriver} plays epoll's part
 * for the rings.
 */
public final class ShuntDomainSocketChannel extends AbstractChannel implements DomainSocketChannel {
    private static final Logger LOG = LoggerFactory.getLogger(ShuntDomainSocketChannel.class);
    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);
    private static final String EXPECTED_TYPES = " (expected: " + StringUtil.simpleClassName(ByteBuf.class) + ", "
            + StringUtil.simpleClassName(FileRegion.class) + ", " + StringUtil.simpleClassName(FileDescriptor.class)
            + ')';
    /** A write attempt that moved nothing: stop spinning and wait for space. */
    private static final int WRITE_BLOCKED = Integer.MAX_VALUE;
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
    private final ChannelHandshake handshake;
    private final KernelPath kernelPath;
    private final Runnable flushTask = () -> ((ShuntUnsafe) unsafe()).flush0();
    private final PreferredDirectByteBufAllocator directAllocator = new PreferredDirectByteBufAllocator();
    private volatile boolean open = true;
    private volatile boolean active;
    private volatile DomainSocketAddress local;
    private volatile DomainSocketAddress remote;
    /** The kernel socket until the handshake chose; then for good. */
    private volatile DataPath path;
    private volatile FallbackReason fallbackReason;
    /** What the handshake chose, for {@link #toString()}; null until it did. */
    private volatile String pathDescription;

    // Event loop confined state.
    private ShuntIoHandler handler;
    private IoRegistration registration;
    private EpollIoOps ops = EpollIoOps.EPOLLRDHUP;
    private boolean receivedRdHup;
    private boolean inputClosedSeenErrorOnRead;
    /** The write in progress waits for socket space (a descriptor), not for ring space. */
    private boolean blockedOnSocket;
    private SocketWritableByteChannel sink;

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
        this.handshake = new ChannelHandshake(this, socket, accepted);
        this.kernelPath = new KernelPath(socket);
        this.path = kernelPath;
    }

    /** @return whether the connection runs on shared memory (false until the handshake finished) */
    public boolean isFastPath() {
        return path.isFastPath();
    }

    /**
     * @return whether the fast path is guarded by a protection key (this process's outbound ring is tagged with
     *     one, see {@code shunt.mpk}); false without a key, on the kernel socket and before the handshake
     */
    public boolean isProtected() {
        return path.isProtected();
    }

    /** @return why the connection stays on the kernel socket; null on the fast path or before the handshake */
    public FallbackReason fallbackReason() {
        return fallbackReason;
    }

    /**
     * What this connection did on Shunt's rings, counted by this side: bytes sent and received, parks (the event loop
     * slept with this channel's doorbell armed) and signals (wakes sent to a sleeping peer). Still readable after
     * close.
     *
     * @return this connection's counters; {@link StreamCounters#NONE} on the kernel socket and before the handshake
     */
    public StreamCounters counters() {
        return path.counters();
    }

    /**
     * @return Netty's description (id, addresses) followed by the path the handshake chose: "fast path with
     *     protection keys", "fast path without protection keys", or "fallback: " and why
     */
    @Override
    public String toString() {
        String chosen = pathDescription;
        return super.toString() + " shunt: " + (chosen == null ? "handshake pending" : chosen);
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
                attachPath();
            } else {
                handshake.registered();
            }
            promise.setSuccess();
        });
    }

    @Override
    protected void doDeregister() {
        path.detach();
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
        handshake.close();
        if (isRegistered() && eventLoop().inEventLoop()) {
            doDeregister();
        }
        if (!wasOpen) {
            return;
        }
        release(path);
    }

    /** Closes the data path and the kernel socket, in the core's order. */
    void release(DataPath p) throws IOException {
        p.close(socket::close);
    }

    @Override
    protected void doBeginRead() {
        ((ShuntUnsafe) unsafe()).readPending = true;
        if (path.readsRing()) {
            path.readRequested();
        } else {
            setFlag(EpollIoOps.EPOLLIN);
        }
    }

    /** Called by the configuration when auto-read is switched off, as {@code AbstractEpollChannel.clearEpollIn}. */
    void clearEpollIn() {
        if (!isRegistered()) {
            if (!path.readsRing()) {
                ops = ops.without(EpollIoOps.EPOLLIN);
            }
            return;
        }
        EventLoop loop = eventLoop();
        ShuntUnsafe unsafe = (ShuntUnsafe) unsafe();
        if (loop.inEventLoop()) {
            unsafe.clearEpollIn0();
        } else {
            loop.execute(() -> {
                if (!unsafe.readPending && !config.isAutoRead()) {
                    unsafe.clearEpollIn0();
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
     * Hands the wanted kernel-socket events to epoll: the handshake's while it owns the socket (they never depend on
     * the application's read interest), else the channel's. When nothing is wanted, the socket stays registered
     * edge-triggered without events, so that a hang-up does not make the loop spin (an empty set would remove the
     * registration).
     */
    void submitOps() {
        IoRegistration r = registration;
        if (r != null && open) {
            r.submit(handshake.ownsSocket() ? handshake.interest() : ops.value() == 0 ? EpollIoOps.EPOLLET : ops);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Hooks of the ChannelHandshake

    /** @return the connection's data path: the kernel path until a handshake chooses the ring path */
    DataPath dataPath() {
        return path;
    }

    /** @return the data path a handshake result stands for (the kernel path for a fallback or no result) */
    private DataPath pathFor(HandshakeResult result) {
        return result != null && result.isFastPath()
                ? new RingPath(result, (ShuntUnsafe) unsafe(), config) : kernelPath;
    }

    /** The handshake decided: the connection's path, for good. */
    void choosePath(HandshakeResult result) {
        path = pathFor(result);
        if (!path.isFastPath()) {
            fallbackReason = result == null ? FallbackReason.DISABLED : result.fallbackReason();
        }
        pathDescription = result == null ? "fallback: " + FallbackReason.DISABLED.description() : result.toString();
    }

    /** Activation, before the promise and {@code channelActive}: the socket's events go to epoll, the rings run. */
    void activate() {
        active = true;
        submitOps();
        attachPath();
    }

    private void attachPath() {
        if (handler != null && open) {
            path.attach(handler);
        }
    }

    /** The kernel connect finished. */
    void connected(DomainSocketAddress requested) {
        remote = requested;
        if (local == null) {
            local = socket.localDomainSocketAddress();
        }
    }

    /** Waits for the kernel connect to finish ({@code EPOLLOUT}), or stops. */
    void awaitConnect(boolean wait) {
        if (wait) {
            setFlag(EpollIoOps.EPOLLOUT);
        } else {
            clearFlag(EpollIoOps.EPOLLOUT);
        }
    }

    Throwable annotateConnectException(Throwable cause, SocketAddress address) {
        return ((ShuntUnsafe) unsafe()).annotate(cause, address);
    }

    /** Sends what was flushed while the handshake held flushes. */
    void flushHeld() {
        ((ShuntUnsafe) unsafe()).flush0();
    }

    void closeNow() {
        unsafe().close(voidPromise());
    }

    // ---------------------------------------------------------------------------------------------------
    // Writing, as AbstractEpollStreamChannel and EpollDomainSocketChannel

    @Override
    protected Object filterOutboundMessage(Object msg) {
        if (msg instanceof ByteBuf) {
            ByteBuf buf = (ByteBuf) msg;
            return path.needsDirectBuffer(buf) ? newDirectBuffer(buf) : buf;
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
        blockedOnSocket = false;
        do {
            Object msg = in.current();
            if (msg == null) {
                writeComplete();
                return;
            }
            if (msg instanceof ByteBuf) {
                writeSpinCount -= writeBytesMultiple(in);
            } else if (msg instanceof FileRegion) {
                writeSpinCount -= writeFileRegion(in, (FileRegion) msg);
            } else {
                writeSpinCount -= writeDescriptor(in, (FileDescriptor) msg);
            }
        } while (writeSpinCount > 0);
        if (writeSpinCount == 0) {
            // Fairness: give other channels a turn, then go on.
            writeComplete();
            eventLoop().execute(flushTask);
        } else {
            writeIncomplete();
        }
    }

    /** Nothing waits for space ({@code clearFlag(EPOLLOUT)} in Epoll's {@code doWrite}). */
    private void writeComplete() {
        path.stopAwaitingSpace();
        clearFlag(EpollIoOps.EPOLLOUT);
    }

    /**
     * Waits for space before the next flush ({@code setFlag(EPOLLOUT)} in Epoll's {@code doWrite}): ring space for
     * bytes on the fast path (the loop polls or the doorbell rings), socket space for everything else.
     */
    private void writeIncomplete() {
        if (blockedOnSocket || !path.awaitSpace()) {
            setFlag(EpollIoOps.EPOLLOUT);
        }
    }

    private int writeBytesMultiple(ChannelOutboundBuffer in) throws IOException {
        ByteBuffer[] buffers = in.nioBuffers(Limits.IOV_MAX, Limits.SSIZE_MAX);
        int count = in.nioBufferCount();
        if (count == 0) {
            // Only empty buffers: drop them.
            in.removeBytes(0);
            return 0;
        }
        long written = path.write(buffers, count, in.nioBufferSize());
        if (written > 0) {
            in.removeBytes(written);
            return 1;
        }
        return WRITE_BLOCKED;
    }

    private int writeFileRegion(ChannelOutboundBuffer in, FileRegion region) throws Exception {
        long offset = region.transferred();
        if (offset >= region.count()) {
            in.remove();
            return 0;
        }
        if (sink == null) {
            sink = new PathSink();
        }
        long flushed = region.transferTo(sink, offset);
        if (flushed > 0) {
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
        if (handler != null) {
            handler.socketEventsWanted();
        }
        return WRITE_BLOCKED;
    }

    @Override
    protected void doShutdownOutput() throws Exception {
        path.shutdownOutput();
    }

    // ---------------------------------------------------------------------------------------------------
    // DuplexChannel

    @Override
    public boolean isInputShutdown() {
        return path.isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
        return path.isOutputShutdown();
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
            path.shutdownInput();
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

    /**
     * The channel's {@link io.netty.channel.Channel.Unsafe}, the epoll handle of its kernel socket, and the channel
     * its ring driver sees: {@code AbstractEpollUnsafe}, {@code EpollStreamUnsafe} and {@code EpollDomainUnsafe} in
     * one, with their hooks' names.
     */
    final class ShuntUnsafe extends AbstractUnsafe implements RingIoHandle, RingChannel {
        boolean readPending;

        @Override
        public void attach(ShuntIoHandler owner) {
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
            int events = ((EpollIoEvent) event).ops().value();
            if (handshake.ownsSocket()) {
                handshake.epollReady(events);
                return;
            }
            if ((events & (EPOLLERR | EPOLLOUT)) != 0) {
                epollOutReady();
            }
            if ((events & (EPOLLERR | EPOLLIN)) != 0) {
                if (path.readsRing()) {
                    path.doorbellRang();
                } else {
                    epollInReady();
                }
            }
            if ((events & EPOLLRDHUP) != 0) {
                epollRdHupReady();
            }
        }

        private void epollOutReady() {
            if (handshake.isConnecting()) {
                handshake.finishConnect();
            } else if (!isOutputShutdown()) {
                super.flush0();
            }
        }

        /** Reads the kernel socket's input, by read mode, as {@code EpollDomainUnsafe.epollInReady}. */
        private void epollInReady() {
            if (config.getReadMode() == DomainSocketReadMode.FILE_DESCRIPTORS) {
                epollInReadFd();
            } else {
                epollInReadBytes();
            }
        }

        private void epollRdHupReady() {
            receivedRdHup = true;
            if (isActive()) {
                epollInReady();
                path.peerHungUp();
            } else {
                shutdownInput(false);
            }
            clearFlag(EpollIoOps.EPOLLRDHUP);
        }

        private boolean shouldBreakEpollInReady() {
            return isInputShutdown() && (inputClosedSeenErrorOnRead || !config.isAllowHalfClosure());
        }

        private boolean shouldStopReading() {
            return !readPending && !config.isAutoRead();
        }

        void clearEpollIn0() {
            readPending = false;
            if (!path.readsRing()) {
                // On the fast path the socket's input is the doorbell, wanted whether the pipeline reads or not.
                clearFlag(EpollIoOps.EPOLLIN);
            }
        }

        /**
         * Reads bytes (ring or kernel socket) into the pipeline, as {@code EpollStreamUnsafe.epollInReady} does;
         * also what the ring driver calls where epoll would report {@code EPOLLIN}.
         */
        @Override
        public void epollInReadBytes() {
            if (shouldBreakEpollInReady()) {
                clearEpollIn0();
                return;
            }
            RecvByteBufAllocator.Handle allocHandle = recvBufAllocHandle();
            ChannelPipeline pipeline = pipeline();
            directAllocator.updateAllocator(config.getAllocator());
            allocHandle.reset(config);
            ByteBuf byteBuf = null;
            boolean allDataRead = false;
            boolean first = true;
            try {
                do {
                    byteBuf = path.lend(allocHandle, config.getAllocator());
                    if (byteBuf == null) {
                        byteBuf = allocHandle.allocate(directAllocator);
                        allocHandle.lastBytesRead(doReadBytes(byteBuf, allocHandle));
                    }
                    if (allocHandle.lastBytesRead() == 0 && first && path.isPolled()) {
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
                            readPending = false;
                        }
                        break;
                    }
                    allocHandle.incMessagesRead(1);
                    readPending = false;
                    pipeline.fireChannelRead(byteBuf);
                    byteBuf = null;
                    if (shouldBreakEpollInReady()) {
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
                    clearEpollIn();
                }
            }
        }

        /** @return bytes read, 0 when nothing is there, -1 at end of stream */
        private int doReadBytes(ByteBuf byteBuf, RecvByteBufAllocator.Handle allocHandle) throws IOException {
            allocHandle.attemptedBytesRead(byteBuf.writableBytes());
            return path.read(byteBuf);
        }

        private void handleReadException(ChannelPipeline pipeline, ByteBuf byteBuf, Throwable cause,
                boolean allDataRead, RecvByteBufAllocator.Handle allocHandle) {
            if (byteBuf != null) {
                if (byteBuf.isReadable()) {
                    readPending = false;
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
        private void epollInReadFd() {
            if (socket.isInputShutdown()) {
                clearEpollIn0();
                return;
            }
            RecvByteBufAllocator.Handle allocHandle = recvBufAllocHandle();
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
                            close(voidPromise());
                            return;
                        default:
                            allocHandle.incMessagesRead(1);
                            readPending = false;
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
                    clearEpollIn();
                }
            }
        }

        /** Ends the input after end of stream or a read failure, as {@code AbstractEpollUnsafe.shutdownInput}. */
        private void shutdownInput(boolean allDataRead) {
            if (!isInputShutdown()) {
                if (config.isAllowHalfClosure()) {
                    try {
                        path.shutdownInput();
                    } catch (IOException e) {
                        pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
                        close(voidPromise());
                        return;
                    } catch (NotYetConnectedException ignore) {
                        // The input is effectively shut down already.
                    }
                    if (shouldStopReading()) {
                        clearEpollIn0();
                    }
                    pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
                } else {
                    close(voidPromise());
                    return;
                }
            }
            if (allDataRead && !inputClosedSeenErrorOnRead) {
                inputClosedSeenErrorOnRead = true;
                pipeline().fireUserEventTriggered(ChannelInputShutdownReadComplete.INSTANCE);
            }
        }

        @Override
        protected void flush0() {
            // While the handshake holds flushes, or while waiting for space, the loop flushes later.
            if (!handshake.holdsFlush() && !path.isAwaitingSpace() && !ops.contains(EpollIoOps.EPOLLOUT)) {
                super.flush0();
            }
        }

        @Override
        public void forceFlush() {
            super.flush0();
        }

        @Override
        public void connect(SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
            if (promise.isDone() || !ensureOpen(promise)) {
                return;
            }
            handshake.connect(remoteAddress, localAddress, promise);
        }

        // RingChannel

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public EventLoop eventLoop() {
            return ShuntDomainSocketChannel.this.eventLoop();
        }

        @Override
        public boolean receivedRdHup() {
            return receivedRdHup;
        }

        @Override
        public boolean socketWriteBlocked() {
            return blockedOnSocket;
        }

        @Override
        public boolean ringReadWanted() {
            return ringInputOpen() && !shouldStopReading();
        }

        @Override
        public boolean ringInputOpen() {
            return active && path.readsRing() && !shouldBreakEpollInReady();
        }

        @Override
        public void listenToDoorbell(boolean listen) {
            if (listen) {
                setFlag(EpollIoOps.EPOLLIN);
            } else {
                clearFlag(EpollIoOps.EPOLLIN);
            }
        }
    }

    /** Where {@link FileRegion}s write: the channel's data path. */
    private final class PathSink extends SocketWritableByteChannel {
        PathSink() {
            super(socket);
        }

        @Override
        protected int write(ByteBuffer buf, int pos, int limit) throws IOException {
            return path.write(buf, pos, limit);
        }

        @Override
        protected ByteBufAllocator alloc() {
            return ShuntDomainSocketChannel.this.alloc();
        }
    }
}
