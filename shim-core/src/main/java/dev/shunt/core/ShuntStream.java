package dev.shunt.core;

import static dev.shunt.core.SharedRegionLayout.AWAKE;
import static dev.shunt.core.SharedRegionLayout.CONSUMER_SLEEP;
import static dev.shunt.core.SharedRegionLayout.PARKED_DOORBELL;
import static dev.shunt.core.SharedRegionLayout.PARKED_FUTEX;
import static dev.shunt.core.SharedRegionLayout.PRODUCER_SLEEP;

import dev.shunt.nativeio.Futex;
import dev.shunt.nativeio.NativeCallException;
import dev.shunt.nativeio.UnixSockets;
import java.io.Closeable;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection on the fast path: a byte stream in each direction through shared memory, with the kernel
 * socket kept open beside it as the liveness channel.
 *
 * <p>Socket semantics: any write size (larger than the ring too), partial reads, order kept, no framing.
 * Blocking calls may come from one reading and one writing thread at a time (further threads queue on a
 * lock); {@link #close()} may come from any thread and unblocks both. Non-blocking calls ({@code *Now}) and
 * {@link #prepareDoorbellSleep(boolean)} are for an event loop that waits for input on {@link #socketFd()}.
 *
 * <p>Waiting: a blocked side spins for {@code shunt.spinNanos}, then announces in shared memory that it
 * sleeps, checks once more and parks on a futex word; the peer signals only when it sees that announcement.
 * An event loop (or a virtual thread, through the {@link VirtualThreadWaker}) sleeps in {@code epoll} instead:
 * its doorbell is the kernel socket, on which the peer sends one byte, so a fast-path connection holds no
 * descriptor beyond the socket it replaces.
 * While parked, the kernel socket is polled for hang-up every {@value #LIVENESS_SLICE_MILLIS} ms, so the
 * death of the peer process is noticed within that bound.
 */
public final class ShuntStream implements Closeable {
    static final long LIVENESS_SLICE_MILLIS = 100;
    private static final long LIVENESS_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(LIVENESS_SLICE_MILLIS);
    private static final long SPURIOUS_WAKE_BACKOFF_NANOS = 50_000;
    private static final int MAX_BACKOFF_SHIFT = 11;
    private static final int HANG_UP = UnixSockets.POLLRDHUP | UnixSockets.POLLHUP | UnixSockets.POLLERR
            | UnixSockets.POLLNVAL;
    private static final Logger LOG = LoggerFactory.getLogger(ShuntStream.class);

    private final Role role;
    private final int socketFd;
    private final SharedRegion region;
    private final ControlBlock inControl;
    private final ControlBlock outControl;
    private final RingConsumer in;
    private final RingProducer out;
    private final AccessWindow window;
    private final long spinNanos;
    private final ShuntMetrics metrics = ShuntMetrics.get();
    private final Runnable wakeProducer;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Object closeLock = new Object();

    private volatile boolean closed;
    /** Set once {@link #close()} no longer touches shared memory itself: from then on the memory may go. */
    private volatile boolean releaseWanted;
    /** Guarded by both locks: the shared memory was handed to {@link RingConsumer#closeWhenReturned}. */
    private boolean released;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;
    private volatile boolean peerGone;
    private volatile ShuntProtocolException failure;
    private volatile VirtualThreadWaker.Waiters waiters;
    /** Futex wake-ups in a row that brought nothing: guarded by the read or the write lock respectively. */
    private int emptyReadWakes;
    private int emptyWriteWakes;

    ShuntStream(Role role, int socketFd, SharedRegion region, AccessWindow window, long spinNanos) {
        this.role = role;
        this.socketFd = socketFd;
        this.region = region;
        this.window = window;
        this.spinNanos = spinNanos;
        int inbound = SharedRegionLayout.inboundControl(role);
        int outbound = SharedRegionLayout.outboundControl(role);
        this.inControl = region.control(inbound);
        this.outControl = region.control(outbound);
        this.in = new RingConsumer(inControl, region.data(inbound));
        this.out = new RingProducer(outControl, region.data(outbound));
        this.wakeProducer = () -> wakeQuietly(inControl, PRODUCER_SLEEP);
        metrics.fastPathOpened();
    }

    /**
     * Reads at least one byte, blocking until some arrive, the stream ends or the timeout passes.
     *
     * @param dst destination
     * @param off offset in {@code dst}
     * @param len maximum bytes to read
     * @param timeoutNanos 0 to wait without bound
     * @return bytes read, or -1 at end of stream
     * @throws SocketTimeoutException when nothing arrived in time (the stream stays usable)
     * @throws SocketException when the stream is closed; {@link ShuntProtocolException} when the peer broke
     *     the protocol
     */
    public int read(byte[] dst, int off, int len, long timeoutNanos) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, dst.length);
        if (len == 0) {
            return 0;
        }
        long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
        readLock.lock();
        try {
            while (true) {
                int n = readLocked(dst, off, len);
                if (n != 0) {
                    return n;
                }
                awaitInbound(deadline);
            }
        } finally {
            unlockRead();
        }
    }

    /**
     * Reads what is there without blocking.
     *
     * @return bytes read, 0 when nothing is available yet, -1 at end of stream
     */
    public int readNow(byte[] dst, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, dst.length);
        readLock.lock();
        try {
            return len == 0 ? 0 : readLocked(dst, off, len);
        } finally {
            unlockRead();
        }
    }

    /**
     * Reads what is there into {@code dst} without blocking.
     *
     * @return bytes read, 0 when nothing is available yet or {@code dst} is full, -1 at end of stream
     */
    public int readNow(ByteBuffer dst) throws IOException {
        readLock.lock();
        try {
            if (!dst.hasRemaining()) {
                return 0;
            }
            ensureOpen();
            if (inputShutdown) {
                return -1;
            }
            int n = in.read(dst);
            if (n > 0) {
                afterRead(n);
                return n;
            }
            return inboundFinished() ? finishRead(dst) : 0;
        } catch (ShuntProtocolException e) {
            throw fail(e);
        } finally {
            unlockRead();
        }
    }

    /**
     * Lends the next inbound bytes in place instead of copying them: a read-only view into the ring, valid until
     * {@link LentBytes#giveBack()}, which must follow (from any thread) once the bytes are no longer needed. Until
     * then the producer cannot reuse that part of the ring. Lending is refused while half the ring is lent out; the
     * caller then copies with {@link #readNow(ByteBuffer)}, which also reports the end of stream.
     *
     * <p>The bytes stay in shared memory: a peer that breaks the protocol can change them while they are lent.
     *
     * @param maxBytes bytes wanted at most
     * @return the lent bytes (at most up to the ring's end), or null when nothing can be lent now
     * @throws SocketException when the stream is closed; {@link ShuntProtocolException} when the peer broke the
     *     protocol
     */
    public LentBytes lendNow(int maxBytes) throws IOException {
        readLock.lock();
        try {
            ensureOpen();
            if (inputShutdown || maxBytes <= 0) {
                return null;
            }
            long start = in.position();
            int n = in.lend(maxBytes);
            if (n == 0) {
                return null;
            }
            emptyReadWakes = 0;
            metrics.bytesIn(n);
            return new LentBytes(this, start, in.view(start, n));
        } catch (ShuntProtocolException e) {
            throw fail(e);
        } finally {
            unlockRead();
        }
    }

    /** Takes back lent bytes; the producer is woken if it waits for the space they free. */
    void giveBack(long start) {
        in.giveBack(start, wakeProducer);
    }

    private int finishRead(ByteBuffer dst) throws ShuntProtocolException {
        int n = in.read(dst);
        if (n > 0) {
            afterRead(n);
            return n;
        }
        return -1;
    }

    private int readLocked(byte[] dst, int off, int len) throws IOException {
        ensureOpen();
        if (inputShutdown) {
            return -1;
        }
        try {
            int n = in.read(dst, off, len);
            if (n > 0) {
                afterRead(n);
                return n;
            }
            if (inboundFinished()) {
                // The close flag is published after the last byte: read once more before reporting the end.
                n = in.read(dst, off, len);
                if (n > 0) {
                    afterRead(n);
                    return n;
                }
                return -1;
            }
            return 0;
        } catch (ShuntProtocolException e) {
            throw fail(e);
        }
    }

    private void afterRead(int n) throws ShuntProtocolException {
        emptyReadWakes = 0;
        metrics.bytesIn(n);
        wakeIfParked(inControl, PRODUCER_SLEEP);
    }

    private boolean inboundFinished() throws ShuntProtocolException {
        return in.producerClosed() || peerGone;
    }

    /**
     * @return bytes that can be read without blocking; 0 while another thread is inside a read (it will take
     *     whatever arrives)
     */
    public int available() throws IOException {
        if (!readLock.tryLock()) {
            return 0;
        }
        try {
            ensureOpen();
            return inputShutdown ? 0 : in.available(Integer.MAX_VALUE);
        } catch (ShuntProtocolException e) {
            throw fail(e);
        } finally {
            unlockRead();
        }
    }

    /**
     * Writes every byte, blocking while the ring is full.
     *
     * @throws SocketException when the stream is closed, output was shut down or the peer is gone
     *     ("Broken pipe"); {@link ShuntProtocolException} when the peer broke the protocol
     */
    public void write(byte[] src, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, src.length);
        writeLock.lock();
        try {
            while (len > 0) {
                int n = writeLocked(src, off, len);
                if (n == 0) {
                    awaitOutbound();
                }
                off += n;
                len -= n;
            }
        } finally {
            unlockWrite();
        }
    }

    /**
     * Writes what fits without blocking.
     *
     * @return bytes written, 0 when the ring is full
     */
    public int writeNow(byte[] src, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, src.length);
        writeLock.lock();
        try {
            return len == 0 ? 0 : writeLocked(src, off, len);
        } finally {
            unlockWrite();
        }
    }

    /**
     * Writes what fits of {@code src} without blocking.
     *
     * @return bytes written, 0 when the ring is full or {@code src} is empty
     */
    public int writeNow(ByteBuffer src) throws IOException {
        writeLock.lock();
        try {
            if (!src.hasRemaining()) {
                return 0;
            }
            checkWritable();
            int n = out.write(src, window);
            if (n > 0) {
                afterWrite(n);
            }
            return n;
        } catch (ShuntProtocolException e) {
            throw fail(e);
        } finally {
            unlockWrite();
        }
    }

    private int writeLocked(byte[] src, int off, int len) throws IOException {
        try {
            checkWritable();
            int n = out.write(src, off, len, window);
            if (n > 0) {
                afterWrite(n);
            }
            return n;
        } catch (ShuntProtocolException e) {
            throw fail(e);
        }
    }

    private void checkWritable() throws IOException {
        ensureOpen();
        if (outputShutdown) {
            throw new SocketException("Socket output is shutdown");
        }
        if (peerGone || out.consumerClosed()) {
            throw new SocketException("Broken pipe");
        }
    }

    private void afterWrite(int n) throws ShuntProtocolException {
        emptyWriteWakes = 0;
        metrics.bytesOut(n);
        wakeIfParked(outControl, CONSUMER_SLEEP);
    }

    private void awaitInbound(long deadline) throws IOException {
        long spinEnd = System.nanoTime() + spinNanos;
        do {
            if (inboundReady()) {
                return;
            }
            Thread.onSpinWait();
        } while (System.nanoTime() - spinEnd < 0);
        park(true, deadline);
        checkInterrupt();
        if (deadline != 0 && System.nanoTime() - deadline >= 0 && !inboundReady()) {
            throw new SocketTimeoutException("Read timed out");
        }
    }

    private void awaitOutbound() throws IOException {
        long spinEnd = System.nanoTime() + spinNanos;
        do {
            if (outboundReady()) {
                return;
            }
            Thread.onSpinWait();
        } while (System.nanoTime() - spinEnd < 0);
        park(false, 0);
        checkInterrupt();
    }

    /**
     * A virtual thread interrupted while it waits gives up the operation and closes the stream, as the JDK's own
     * sockets do for virtual threads ("Closed by interrupt"; the interrupt status stays set). Platform threads,
     * like theirs on a {@code java.net.Socket}, are not interruptible.
     */
    private void checkInterrupt() throws SocketException {
        if (Thread.currentThread().isInterrupted() && VirtualThreads.current()) {
            close();
            throw new SocketException("Closed by interrupt");
        }
    }

    private boolean inboundReady() throws IOException {
        try {
            return closed || inputShutdown || peerGone || in.available(1) > 0 || in.producerClosed();
        } catch (ShuntProtocolException e) {
            throw fail(e);
        }
    }

    private boolean outboundReady() throws IOException {
        try {
            return closed || outputShutdown || peerGone || out.free(1) > 0 || out.consumerClosed();
        } catch (ShuntProtocolException e) {
            throw fail(e);
        }
    }

    /**
     * Parks the calling thread once: announce, re-check, then wait for at most one liveness slice: on the
     * futex word itself for a platform thread, or, for a virtual thread (which a futex call would pin to its
     * carrier), behind a doorbell announcement with the {@link VirtualThreadWaker} standing by.
     */
    private void park(boolean inbound, long deadline) throws IOException {
        ControlBlock control = inbound ? inControl : outControl;
        int word = inbound ? CONSUMER_SLEEP : PRODUCER_SLEEP;
        long wait = LIVENESS_SLICE_NANOS;
        if (deadline != 0) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return;
            }
            wait = Math.min(wait, remaining);
        }
        boolean virtual = VirtualThreads.current();
        VirtualThreadWaker.Waiters parked = virtual ? waitersFor(inbound) : null;
        int how = virtual ? PARKED_DOORBELL : PARKED_FUTEX;
        control.announceSleep(word, how);
        int result = Futex.WOKEN;
        try {
            if (inbound ? inboundReady() : outboundReady()) {
                return;
            }
            metrics.parked();
            if (virtual) {
                long parkedAt = System.nanoTime();
                LockSupport.parkNanos(this, wait);
                // Woken before the slice ended: a doorbell (or a stray permit), as a changed futex word would be.
                result = System.nanoTime() - parkedAt < wait ? Futex.VALUE_CHANGED : Futex.TIMED_OUT;
            } else {
                result = Futex.await(control.address(word), PARKED_FUTEX, wait);
            }
        } finally {
            if (parked != null) {
                if (inbound) {
                    parked.reader = null;
                } else {
                    parked.writer = null;
                }
            }
            int was = control.clearSleep(word);
            if (was != AWAKE && was != how) {
                throw fail(new ShuntProtocolException("impossible sleep word " + was + " in shared memory"));
            }
        }
        if (result == Futex.TIMED_OUT) {
            if (!(inbound ? inboundReady() : outboundReady())) {
                checkPeerAlive();
            }
        } else if (result == Futex.VALUE_CHANGED && !(inbound ? inboundReady() : outboundReady())) {
            // Only a broken or hostile peer changes the word, or rings the doorbell of a virtual thread, without
            // making progress: back off exponentially, up to one liveness slice, so that it cannot keep this thread
            // busy.
            checkPeerAlive();
            int empty = inbound ? ++emptyReadWakes : ++emptyWriteWakes;
            LockSupport.parkNanos(Math.min(LIVENESS_SLICE_NANOS,
                    SPURIOUS_WAKE_BACKOFF_NANOS << Math.min(empty - 1, MAX_BACKOFF_SHIFT)));
        }
    }

    /** Registers the calling virtual thread as this stream's waiting reader or writer. */
    private VirtualThreadWaker.Waiters waitersFor(boolean inbound) throws NativeCallException {
        VirtualThreadWaker.Waiters w = waiters;
        if (w == null) {
            synchronized (closeLock) {
                w = waiters;
                if (w == null) {
                    w = VirtualThreadWaker.get().register(socketFd);
                    waiters = w;
                }
            }
        }
        if (inbound) {
            w.reader = Thread.currentThread();
        } else {
            w.writer = Thread.currentThread();
        }
        return w;
    }

    private void checkPeerAlive() throws NativeCallException {
        if (!peerGone && (UnixSockets.poll(socketFd, UnixSockets.POLLRDHUP, 0) & HANG_UP) != 0) {
            peerGone = true;
        }
    }

    /**
     * Wakes the peer if it announced that it sleeps on the given word, in the way it announced.
     */
    private void wakeIfParked(ControlBlock control, int word) throws ShuntProtocolException {
        if (control.sleepState(word) == AWAKE) {
            return;
        }
        int was = control.clearSleep(word);
        if (was == PARKED_FUTEX) {
            try {
                Futex.wake(control.address(word), Integer.MAX_VALUE);
            } catch (NativeCallException e) {
                throw new ShuntProtocolException("could not wake the peer: " + e.getMessage());
            }
        } else if (was == PARKED_DOORBELL) {
            ringPeerDoorbell();
        } else if (was != AWAKE) {
            throw new ShuntProtocolException("impossible sleep word " + was + " in shared memory");
        } else {
            return;
        }
        metrics.signalSent();
    }

    /**
     * Rings the peer's doorbell: one byte on the kernel socket, which its event loop or virtual-thread waker
     * watches. A full socket buffer already holds a ring; a failure means the peer is gone.
     */
    void ringPeerDoorbell() {
        try {
            UnixSockets.sendByte(socketFd);
        } catch (NativeCallException e) {
            peerGone = true;
        }
    }

    /** @return whether the peer announced that it sleeps until data arrives (its reader parked or its loop armed) */
    boolean peerReaderAsleep() {
        return outControl.sleepState(CONSUMER_SLEEP) != AWAKE;
    }

    /**
     * Wakes a thread of this process that sleeps on one of its own words (close and shutdown do this): a
     * platform thread on the futex, a virtual thread through its waiter registration. An event loop that sleeps
     * on its own word is the caller itself.
     */
    private void wakeLocal(ControlBlock control, int word) {
        if (control.sleepState(word) == AWAKE) {
            return;
        }
        int was = control.clearSleep(word);
        if (was == PARKED_FUTEX) {
            try {
                Futex.wake(control.address(word), Integer.MAX_VALUE);
            } catch (NativeCallException e) {
                LOG.debug("Waking a local waiter: {}", e.getMessage());
            }
        }
        VirtualThreadWaker.Waiters w = waiters;
        if (w != null) {
            w.unparkAll();
        }
    }

    /**
     * For an event loop about to wait for input on {@link #socketFd()}: announces in shared memory that the peer must
     * ring the doorbell when data arrives (and, with {@code wantSpace}, when ring space frees up), then checks
     * once more.
     *
     * @param wantSpace whether a write is waiting for space
     * @return true when the loop may sleep; false when there is already something to do (the announcement is
     *     withdrawn)
     */
    public boolean prepareDoorbellSleep(boolean wantSpace) throws IOException {
        readLock.lock();
        try {
            ensureOpen();
            inControl.announceSleep(CONSUMER_SLEEP, PARKED_DOORBELL);
            if (wantSpace) {
                outControl.announceSleep(PRODUCER_SLEEP, PARKED_DOORBELL);
            }
            if (inboundReady() || (wantSpace && outboundReady())) {
                clearDoorbellSleep();
                return false;
            }
            metrics.parked();
            return true;
        } finally {
            unlockRead();
        }
    }

    /**
     * Withdraws a {@link #prepareDoorbellSleep(boolean)} announcement after the loop woke up. The doorbell bytes
     * are drained separately ({@link #drainDoorbell()}), by whoever reads the socket.
     */
    public void cancelDoorbellSleep() throws IOException {
        readLock.lock();
        try {
            ensureOpen();
            clearDoorbellSleep();
        } finally {
            unlockRead();
        }
    }

    private void clearDoorbellSleep() throws IOException {
        int inbound = inControl.clearSleep(CONSUMER_SLEEP);
        int outbound = outControl.clearSleep(PRODUCER_SLEEP);
        if ((inbound != AWAKE && inbound != PARKED_DOORBELL) || (outbound != AWAKE && outbound != PARKED_DOORBELL)) {
            throw fail(new ShuntProtocolException("impossible sleep word in shared memory"));
        }
    }

    /**
     * For an event loop whose socket reported input: discards the doorbell bytes the peer sent. An end of stream
     * there means the peer closed its socket or died.
     *
     * @return true when the peer's socket is closed
     */
    public boolean drainDoorbell() {
        try {
            if (UnixSockets.discardInput(socketFd)) {
                peerGone = true;
            }
        } catch (NativeCallException e) {
            peerGone = true;
        }
        return peerGone;
    }

    /** @return the kernel socket kept open beside the rings: liveness channel and doorbell */
    public int socketFd() {
        return socketFd;
    }

    /** @return this side of the connection */
    public Role role() {
        return role;
    }

    /** @return whether the outbound ring's data pages are guarded by a protection key in this process */
    public boolean isProtected() {
        return window.key() >= 0;
    }

    /** @return ring capacity per direction in bytes */
    public int ringCapacity() {
        return region.capacity();
    }

    /**
     * Ends this side's output: the peer reads every byte written so far, then end of stream. A writer blocked
     * on a full ring in another thread fails with "Socket output is shutdown", as on a kernel socket.
     */
    public void shutdownOutput() throws IOException {
        synchronized (closeLock) {
            ensureOpen();
            if (outputShutdown) {
                return;
            }
            outputShutdown = true;
            wakeLocal(outControl, PRODUCER_SLEEP);
        }
        // The end-of-stream flag goes out after any write in progress has published its bytes.
        writeLock.lock();
        try {
            ensureOpen();
            outControl.closeProducer();
            wakeIfParked(outControl, CONSUMER_SLEEP);
        } catch (ShuntProtocolException e) {
            throw fail(e);
        } finally {
            unlockWrite();
        }
    }

    /**
     * Ends this side's input: reads return end of stream (a reader blocked in another thread returns it too)
     * and the peer's writes fail with "Broken pipe", as with {@code shutdown(SHUT_RD)} on a Unix socket.
     */
    public void shutdownInput() throws IOException {
        synchronized (closeLock) {
            ensureOpen();
            if (inputShutdown) {
                return;
            }
            inputShutdown = true;
            inControl.closeConsumer();
            wakeQuietly(inControl, PRODUCER_SLEEP);
            wakeLocal(inControl, CONSUMER_SLEEP);
        }
    }

    /** @return whether {@link #shutdownInput()} was called */
    public boolean isInputShutdown() {
        return inputShutdown;
    }

    /** @return whether {@link #shutdownOutput()} was called */
    public boolean isOutputShutdown() {
        return outputShutdown;
    }

    /** @return whether {@link #close()} ran (or a protocol error closed the stream) */
    public boolean isClosed() {
        return closed;
    }

    private void ensureOpen() throws SocketException {
        if (closed) {
            ShuntProtocolException cause = failure;
            if (cause != null) {
                throw cause;
            }
            throw new SocketException("Socket closed");
        }
    }

    private ShuntProtocolException fail(ShuntProtocolException e) {
        synchronized (closeLock) {
            if (failure != null || closed) {
                return failure != null ? failure : e;
            }
            failure = e;
        }
        metrics.protocolError();
        LOG.warn("Closing Shunt connection (fd {}): {}", socketFd, e.getMessage());
        close();
        return e;
    }

    /**
     * Closes the fast path: tells the peer (end of stream after every byte written, and no more reading),
     * unblocks local readers and writers, and unmaps the shared memory once they have left and every lent run
     * came back. The kernel socket
     * is not closed here; its owner closes it after this. Idempotent.
     */
    @Override
    public void close() {
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        outControl.closeProducer();
        inControl.closeConsumer();
        wakeQuietly(outControl, CONSUMER_SLEEP);
        wakeQuietly(inControl, PRODUCER_SLEEP);
        wakeLocal(inControl, CONSUMER_SLEEP);
        wakeLocal(outControl, PRODUCER_SLEEP);
        releaseWanted = true;
        releaseWhenIdle();
        metrics.fastPathClosed();
    }

    /**
     * After close: unmaps the shared memory and stops the virtual-thread watch once no reader or writer is inside
     * the stream (and, through the ring, once every lent run came back). A thread that closes the stream from
     * inside a read or write of its own (a protocol failure) leaves the release to its outermost unlock.
     */
    private void releaseWhenIdle() {
        if (readLock.isHeldByCurrentThread() || writeLock.isHeldByCurrentThread()) {
            return;
        }
        readLock.lock();
        writeLock.lock();
        try {
            if (!released) {
                released = true;
                VirtualThreadWaker.Waiters w = waiters;
                if (w != null) {
                    VirtualThreadWaker.release(w);
                }
                in.closeWhenReturned(region::close);
            }
        } finally {
            writeLock.unlock();
            readLock.unlock();
        }
    }

    private void unlockRead() {
        readLock.unlock();
        if (releaseWanted) {
            releaseWhenIdle();
        }
    }

    private void unlockWrite() {
        writeLock.unlock();
        if (releaseWanted) {
            releaseWhenIdle();
        }
    }

    private void wakeQuietly(ControlBlock control, int word) {
        try {
            wakeIfParked(control, word);
        } catch (ShuntProtocolException e) {
            LOG.debug("While closing: {}", e.getMessage());
        }
    }
}
