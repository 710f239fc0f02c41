package dev.shunt.core;

import static dev.shunt.core.SharedRegionLayout.CONSUMER_SLEEP;
import static dev.shunt.core.SharedRegionLayout.PARKED_DOORBELL;
import static dev.shunt.core.SharedRegionLayout.PARKED_FUTEX;
import static dev.shunt.core.SharedRegionLayout.PRODUCER_SLEEP;

import dev.shunt.nativeio.Cpus;
import dev.shunt.nativeio.Futex;
import dev.shunt.nativeio.FutexSet;
import dev.shunt.nativeio.NativeCallException;
import java.io.Closeable;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection on the fast path: a byte stream in each direction through shared memory, with the kernel
 * socket kept open beside it as the liveness channel.
 *
 * <p>Socket semantics: any write size (larger than the ring too), partial reads, order kept, no framing.
 * Blocking calls may come from one reading and one writing thread at a time (further threads queue on a
 * lock); {@link #close()} may come from any thread and unblocks both. Non-blocking calls ({@code *Now}) and
 * {@link #prepareDoorbellSleep(boolean)} are for an event loop that waits for input on {@link #socketFd()}; a
 * direction is driven either by blocking calls or by the loop, not both.
 *
 * <p>Waiting: each direction ({@link Direction}) has a {@link WaitPolicy} that says how long a blocked call spins
 * before it sleeps; it then announces in shared memory that it sleeps, checks once more and parks on a futex word;
 * the peer signals only when it sees that announcement. An event loop (or a virtual thread, through the
 * {@link VirtualThreadWaker}) that sleeps in {@code epoll} announces a doorbell instead: the kernel socket, on which
 * the peer sends one byte, so a fast-path connection holds no descriptor beyond the socket it replaces. A loop that
 * sleeps on its channels' words ({@code futex_waitv}) announces a futex sleep, as a blocked thread does. The death of
 * the peer process is noticed within {@value #LIVENESS_SLICE_MILLIS} ms: a platform thread's first park lasts at most
 * that long and then polls the kernel socket for hang-up; if the peer is still there but quiet, the stream joins
 * the {@link LivenessWatch}, which polls it for the thread, and the thread's later parks need no such slice (an
 * idle blocked reader then costs no wake-ups, as on a kernel socket). Virtual threads have the waker watch for
 * hang-up from their first park. Close, failure and the release of the memory live in {@link StreamLifecycle},
 * the peer's liveness in {@link PeerLiveness}.
 */
public final class ShuntStream implements Closeable {
    static final long LIVENESS_SLICE_MILLIS = 100;
    private static final long LIVENESS_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(LIVENESS_SLICE_MILLIS);
    /**
     * The longest park of a thread whose socket is watched for hang-up by another thread: a bound in case that
     * watch misses it, never reached otherwise.
     */
    static final long WATCHED_SLICE_MILLIS = 10_000;
    private static final long WATCHED_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(WATCHED_SLICE_MILLIS);
    private static final Logger LOG = LoggerFactory.getLogger(ShuntStream.class);

    private final Role role;
    private final int socketFd;
    private final SharedRegion region;
    /** This side's CPU word: the consumer word of the ring it reads. */
    private final ControlBlock inControl;
    /** The peer's CPU word: the consumer word of the ring this side writes. */
    private final ControlBlock outControl;
    private final RingConsumer in;
    private final RingProducer out;
    private final AccessWindow window;
    private final ShuntMetrics metrics = ShuntMetrics.get();
    private final Direction input;
    private final Direction output;
    private final StreamLifecycle lifecycle;
    private final PeerLiveness liveness;
    private final Runnable wakeProducer;
    /**
     * Guarded by the input lock: how an event loop's sleep is announced ({@code PARKED_DOORBELL} or
     * {@code PARKED_FUTEX}), {@code AWAKE} when it announced none; and on which words.
     */
    private int loopSleep = SharedRegionLayout.AWAKE;
    private boolean loopWantsInput;
    private boolean loopWantsSpace;
    /** The loop's backstop found its announced sleep taken by the peer, the signal not yet arrived. */
    private boolean loopSleepTakenAtCheck;
    /**
     * The thread that last signalled the peer, until its next wait takes it: that thread should not spin, since the
     * peer it woke may be placed on its CPU. A hint for the wait policy; a plain field, as a stale value costs at
     * most one spin.
     */
    private Thread peerWaker;
    private volatile VirtualThreadWaker.Waiters waiters;
    /** Whether the {@link LivenessWatch} watches this stream's socket; set once, by a platform thread's long wait. */
    private volatile boolean livenessWatched;
    /** How long the outbound ring must stay unwritten and read empty before its pages go back; 0 never. */
    private final long quietNanos;
    /** Guarded by the output lock, used by {@link QuietRelease}: the producer position at its last visit. */
    private long quietPosition;
    /** Guarded by the output lock: when {@link #quietPosition} was first seen. */
    private long quietSince;
    /** Guarded by the output lock: the producer position when the ring's pages last went back (none touched yet). */
    private long discardedAt;
    /** The client's record of its connections to this server, told how this one went at release; null on a server. */
    private final ShortConnections history;
    /** When this stream was made, on {@link #history}'s clock. */
    private final long startedNanos;

    /**
     * @param history the client's record of its connections to this server, or null (a server, or the rule off)
     */
    ShuntStream(Role role, int socketFd, SharedRegion region, AccessWindow window, ShuntConfig config,
            ShortConnections history) {
        this.role = role;
        this.history = history;
        this.startedNanos = history == null ? 0 : history.now();
        this.socketFd = socketFd;
        this.region = region;
        this.window = window;
        int inbound = SharedRegionLayout.inboundControl(role);
        int outbound = SharedRegionLayout.outboundControl(role);
        this.inControl = region.control(inbound);
        this.outControl = region.control(outbound);
        this.in = new RingConsumer(inControl, region.data(inbound));
        this.out = new RingProducer(outControl, region.data(outbound));
        this.liveness = new PeerLiveness(socketFd);
        this.input = new Direction(new SleepWord(inControl, CONSUMER_SLEEP), new SleepWord(inControl, PRODUCER_SLEEP),
                config.spinNanos(), this::inboundReady);
        this.output = new Direction(new SleepWord(outControl, PRODUCER_SLEEP),
                new SleepWord(outControl, CONSUMER_SLEEP), config.spinNanos(), this::outboundReady);
        this.lifecycle = new StreamLifecycle(input, output, this::release);
        this.wakeProducer = () -> wakeQuietly(input);
        this.quietNanos = TimeUnit.MILLISECONDS.toNanos(config.quietReleaseMillis());
        this.quietSince = System.nanoTime();
        publishThisCpu();
        metrics.fastPathOpened();
        if (quietNanos > 0) {
            QuietRelease.watch(this);
        }
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
        Objects.checkFromIndexSize(off, len, dst.length);
        if (len == 0) {
            return 0;
        }
        long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
        input.lock.lock();
        try {
            int n = readLocked(dst, off, len);
            while (n == 0) {
                await(input, deadline);
                n = readLocked(dst, off, len);
            }
            return n;
        } finally {
            lifecycle.unlock(input);
        }
    }

    /**
     * Reads what is there without blocking.
     *
     * @return bytes read, 0 when nothing is available yet, -1 at end of stream
     */
    public int readNow(byte[] dst, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, dst.length);
        input.lock.lock();
        try {
            return len == 0 ? 0 : readLocked(dst, off, len);
        } finally {
            lifecycle.unlock(input);
        }
    }

    /**
     * Reads what is there into {@code dst} without blocking.
     *
     * @return bytes read, 0 when nothing is available yet or {@code dst} is full, -1 at end of stream
     */
    public int readNow(ByteBuffer dst) throws IOException {
        input.lock.lock();
        try {
            return dst.hasRemaining() ? readLocked(dst) : 0;
        } finally {
            lifecycle.unlock(input);
        }
    }

    /**
     * {@link #read(byte[], int, int, long)} into a buffer (a direct one is copied into straight from the ring).
     *
     * @param dst destination, filled from its position
     * @param timeoutNanos 0 to wait without bound
     * @return bytes read (0 only when {@code dst} is full), or -1 at end of stream
     * @throws SocketTimeoutException when nothing arrived in time (the stream stays usable)
     */
    public int read(ByteBuffer dst, long timeoutNanos) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
        input.lock.lock();
        try {
            int n = readLocked(dst);
            while (n == 0) {
                await(input, deadline);
                n = readLocked(dst);
            }
            return n;
        } finally {
            lifecycle.unlock(input);
        }
    }

    private int readLocked(ByteBuffer dst) throws IOException {
        try {
            lifecycle.ensureOpen();
            if (input.shutdown) {
                return -1;
            }
            int n = in.read(dst);
            if (n == 0 && inboundFinished()) {
                // The close flag is published after the last byte: read once more before reporting the end.
                n = in.read(dst);
                if (n == 0) {
                    return -1;
                }
            }
            if (n > 0) {
                afterRead(n);
            }
            return n;
        } catch (ShuntProtocolException e) {
            throw fail(e);
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
        input.lock.lock();
        try {
            lifecycle.ensureOpen();
            if (input.shutdown || maxBytes <= 0) {
                return null;
            }
            long start = in.position();
            int n = in.lend(maxBytes);
            if (n == 0) {
                return null;
            }
            input.emptyWakes.progress();
            input.countBytes(n);
            metrics.bytesIn(n);
            return new LentBytes(this, start, in.view(start, n));
        } catch (ShuntProtocolException e) {
            throw fail(e);
        } finally {
            lifecycle.unlock(input);
        }
    }

    /** Takes back lent bytes; the producer is woken if it waits for the space they free. */
    void giveBack(long start) {
        in.giveBack(start, wakeProducer);
    }

    private int readLocked(byte[] dst, int off, int len) throws IOException {
        lifecycle.ensureOpen();
        if (input.shutdown) {
            return -1;
        }
        try {
            int n = in.read(dst, off, len);
            if (n == 0 && inboundFinished()) {
                // The close flag is published after the last byte: read once more before reporting the end.
                n = in.read(dst, off, len);
                if (n == 0) {
                    return -1;
                }
            }
            if (n > 0) {
                afterRead(n);
            }
            return n;
        } catch (ShuntProtocolException e) {
            throw fail(e);
        }
    }

    private void afterRead(int n) throws ShuntProtocolException {
        input.emptyWakes.progress();
        input.countBytes(n);
        metrics.bytesIn(n);
        wakePeer(input);
    }

    private boolean inboundFinished() throws ShuntProtocolException {
        return in.producerClosed() || liveness.gone();
    }

    /**
     * @return bytes that can be read without blocking; 0 while another thread is inside a read (it will take
     *     whatever arrives)
     */
    public int available() throws IOException {
        if (!input.lock.tryLock()) {
            return 0;
        }
        try {
            lifecycle.ensureOpen();
            return input.shutdown ? 0 : in.available(Integer.MAX_VALUE);
        } catch (ShuntProtocolException e) {
            throw fail(e);
        } finally {
            lifecycle.unlock(input);
        }
    }

    /**
     * Whether a read would not block now: bytes wait, or it would report the end of the stream (the peer shut down its
     * output or is gone, this side shut down its input) or fail (closed). For a selector that reports readiness.
     *
     * @return whether a read returns at once
     * @throws ShuntProtocolException when the peer broke the protocol
     */
    public boolean isReadable() throws IOException {
        input.lock.lock();
        try {
            return inboundReady();
        } finally {
            lifecycle.unlock(input);
        }
    }

    /**
     * Whether a write would not block now: the ring has space, or the write would fail (output shut down, closed,
     * the peer stopped reading or is gone). For a selector that reports readiness.
     *
     * @return whether a write returns at once
     * @throws ShuntProtocolException when the peer broke the protocol
     */
    public boolean isWritable() throws IOException {
        output.lock.lock();
        try {
            return outboundReady();
        } finally {
            lifecycle.unlock(output);
        }
    }

    /**
     * Writes every byte, blocking while the ring is full.
     *
     * @throws SocketException when the stream is closed, output was shut down or the peer is gone
     *     ("Broken pipe"); {@link ShuntProtocolException} when the peer broke the protocol
     */
    public void write(byte[] src, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, src.length);
        output.lock.lock();
        try {
            while (len > 0) {
                int n = writeLocked(src, off, len);
                if (n == 0) {
                    await(output, 0);
                }
                off += n;
                len -= n;
            }
        } finally {
            lifecycle.unlock(output);
        }
    }

    /**
     * Writes what fits without blocking.
     *
     * @return bytes written, 0 when the ring is full
     */
    public int writeNow(byte[] src, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, src.length);
        output.lock.lock();
        try {
            return len == 0 ? 0 : writeLocked(src, off, len);
        } finally {
            lifecycle.unlock(output);
        }
    }

    /**
     * Writes what fits of {@code src} without blocking.
     *
     * @return bytes written, 0 when the ring is full or {@code src} is empty
     */
    public int writeNow(ByteBuffer src) throws IOException {
        output.lock.lock();
        try {
            return src.hasRemaining() ? writeLocked(src) : 0;
        } finally {
            lifecycle.unlock(output);
        }
    }

    /**
     * {@link #write(byte[], int, int)} from a buffer (a direct one is copied from straight into the ring): writes every
     * remaining byte, blocking while the ring is full.
     */
    public void write(ByteBuffer src) throws IOException {
        output.lock.lock();
        try {
            while (src.hasRemaining()) {
                if (writeLocked(src) == 0) {
                    await(output, 0);
                }
            }
        } finally {
            lifecycle.unlock(output);
        }
    }

    private int writeLocked(ByteBuffer src) throws IOException {
        try {
            checkWritable();
            int n = out.write(src, window);
            if (n > 0) {
                afterWrite(n);
            }
            return n;
        } catch (ShuntProtocolException e) {
            throw fail(e);
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
        lifecycle.ensureOpen();
        if (output.shutdown) {
            throw new SocketException("Socket output is shutdown");
        }
        if (liveness.gone() || out.consumerClosed()) {
            throw new SocketException("Broken pipe");
        }
    }

    private void afterWrite(int n) throws ShuntProtocolException {
        output.emptyWakes.progress();
        output.countBytes(n);
        metrics.bytesOut(n);
        wakePeer(output);
    }

    private boolean inboundReady() throws IOException {
        try {
            return lifecycle.isClosed() || input.shutdown || liveness.gone() || in.available(1) > 0
                    || in.producerClosed();
        } catch (ShuntProtocolException e) {
            throw fail(e);
        }
    }

    private boolean outboundReady() throws IOException {
        try {
            return lifecycle.isClosed() || output.shutdown || liveness.gone() || out.free(1) > 0
                    || out.consumerClosed();
        } catch (ShuntProtocolException e) {
            throw fail(e);
        }
    }

    /**
     * Waits, holding the direction's lock, until it is ready: spins for what the direction's policy allows, then
     * parks one liveness slice at a time. The policy learns how long the wait took.
     *
     * @throws SocketTimeoutException when the deadline (0: none) passed first
     */
    private void await(Direction direction, long deadline) throws IOException {
        long start = System.nanoTime();
        long spinEnd = start + beginWait(direction.policy, start);
        do {
            if (direction.ready()) {
                direction.policy.answeredWhileSpinning();
                return;
            }
            Thread.onSpinWait();
        } while (System.nanoTime() - spinEnd < 0);
        while (!park(direction, deadline)) {
            checkInterrupt();
            if (deadline != 0 && System.nanoTime() - deadline >= 0) {
                throw new SocketTimeoutException("Read timed out");
            }
        }
        direction.policy.answeredAfterSleep(System.nanoTime() - start);
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

    /**
     * Parks the calling thread once: announce, re-check, then wait for at most one liveness slice (or up to the
     * deadline): on the futex word itself for a platform thread, or, for a virtual thread (which a futex call would
     * pin to its carrier), behind a doorbell announcement with the {@link VirtualThreadWaker} standing by.
     *
     * <p>A wake-up that finds nothing to do is late, or comes from a broken or hostile peer: a futex wake without
     * taking the word, a changed word, a doorbell byte. It costs a pause from the direction's
     * {@link EmptyWakeBackoff}, so that no peer can keep this thread busy.
     *
     * @return whether the direction is ready
     */
    private boolean park(Direction direction, long deadline) throws IOException {
        boolean virtual = VirtualThreads.current();
        long wait = virtual || livenessWatched ? WATCHED_SLICE_NANOS : LIVENESS_SLICE_NANOS;
        if (deadline != 0) {
            wait = Math.min(wait, deadline - System.nanoTime());
            if (wait <= 0) {
                return direction.ready();
            }
        }
        int how = virtual ? PARKED_DOORBELL : PARKED_FUTEX;
        if (virtual) {
            watchForVirtualThreads();
            direction.parkedVirtual = Thread.currentThread();
        }
        direction.parkWord.announce(how);
        boolean timedOut;
        try {
            if (direction.ready()) {
                return true;
            }
            direction.countPark();
            metrics.parked();
            if (virtual) {
                long parkedAt = System.nanoTime();
                LockSupport.parkNanos(this, wait);
                timedOut = System.nanoTime() - parkedAt >= wait;
            } else {
                timedOut = Futex.await(direction.parkWord.address(), PARKED_FUTEX, wait) == Futex.TIMED_OUT;
            }
        } finally {
            direction.parkedVirtual = null;
            try {
                direction.parkWord.withdraw(how);
            } catch (ShuntProtocolException e) {
                throw fail(e);
            }
        }
        publishThisCpu();
        if (direction.ready()) {
            return true;
        }
        liveness.check();
        if (timedOut && !virtual && !livenessWatched && !liveness.gone()) {
            livenessWatched = true;
            LivenessWatch.watch(this);
        }
        if (!timedOut) {
            long pause = direction.emptyWakes.emptyWake();
            if (pause > 0) {
                LockSupport.parkNanos(this, pause);
            }
        }
        return direction.ready();
    }

    /**
     * For the {@link LivenessWatch}: the peer hung up. Wakes this process's parked threads to see it, unless the
     * stream is closed (then close woke them, and the memory of their sleep words may be going).
     */
    void peerHungUp() {
        liveness.hungUp();
        synchronized (lifecycle.lock()) {
            if (!lifecycle.isClosed()) {
                wakeLocal(input);
                wakeLocal(output);
            }
        }
    }

    /** Has the virtual-thread waker watch this stream's socket for doorbells and hang-up, once. */
    private void watchForVirtualThreads() throws NativeCallException {
        if (waiters == null) {
            synchronized (lifecycle.lock()) {
                if (waiters == null) {
                    waiters = VirtualThreadWaker.get().register(socketFd, this::unparkVirtualThreads);
                }
            }
        }
    }

    private void unparkVirtualThreads() {
        unparkVirtual(input);
        unparkVirtual(output);
    }

    private static void unparkVirtual(Direction direction) {
        Thread parked = direction.parkedVirtual;
        if (parked != null) {
            LockSupport.unpark(parked);
        }
    }

    /**
     * Publishes the CPU this side runs on now, for the peer's wait policy: after each wake-up from a park, whenever
     * an event loop arms or re-arms its doorbell (which it does right after a doorbell woke it), and after the
     * reading thread or event loop moved off the peer's CPU ({@link WaitPolicy#moveOffPeerCpu}).
     */
    public void publishThisCpu() {
        inControl.publishConsumerCpu(Cpus.current());
    }

    /**
     * Begins a wait of a party that waits on this stream alone (a blocking call, a selector's channel) under its
     * policy: first moves the calling thread off the peer's CPU when the policy says so ({@link
     * WaitPolicy#moveOffPeerCpu}) and tells the peer where it went, then asks how long to spin ({@link
     * WaitPolicy#begin}). An event loop over many streams decides once for all of them.
     *
     * @param policy the waiting party's policy
     * @param nowNanos the wait's start, on {@link System#nanoTime()}'s scale
     * @return how long to spin before sleeping, in nanoseconds (0: sleep at once)
     */
    public long beginWait(WaitPolicy policy, long nowNanos) {
        boolean peerHere = peerOnThisCpu();
        if (peerHere && policy.moveOffPeerCpu(nowNanos)) {
            publishThisCpu();
            peerHere = false;
        }
        return policy.begin(peerHere, takePeerWoken());
    }

    /**
     * Whether the peer last woke up on the CPU this side last woke up on: then a spin here would most likely keep
     * the peer off the CPU it needs. Two loads from shared memory, no system call; a hint only.
     *
     * @return whether the peer probably shares this side's CPU
     */
    public boolean peerOnThisCpu() {
        int mine = inControl.consumerCpu();
        return mine >= 0 && mine == outControl.consumerCpu();
    }

    /**
     * Wakes the peer if it announced that it sleeps on the direction's peer word, in the way it announced. On the hot
     * path the peer is awake and this costs one load.
     */
    private void wakePeer(Direction direction) throws ShuntProtocolException {
        SleepWord word = direction.peerWord;
        if (!word.sleeping()) {
            return;
        }
        int how = word.take();
        if (how == PARKED_FUTEX) {
            try {
                Futex.wake(word.address(), Integer.MAX_VALUE);
            } catch (NativeCallException e) {
                throw new ShuntProtocolException("could not wake the peer: " + e.getMessage());
            }
        } else if (how == PARKED_DOORBELL) {
            liveness.ringDoorbell();
            metrics.doorbellRung();
        } else {
            return;
        }
        peerWaker = Thread.currentThread();
        direction.countSignal();
        metrics.signalSent();
    }

    /**
     * Whether the calling thread woke the peer (futex or doorbell) since its last call; the call clears it. A hint
     * for a wait policy: right after a wake the peer still has to be scheduled, most likely on the waker's CPU.
     *
     * @return whether this thread sent a signal since it last asked
     */
    public boolean takePeerWoken() {
        if (peerWaker != Thread.currentThread()) {
            return false;
        }
        peerWaker = null;
        return true;
    }

    /** @return whether the peer announced that it sleeps until data arrives (its reader parked or its loop armed) */
    boolean peerReaderAsleep() {
        return output.peerWord.sleeping();
    }

    /** @return whether the peer announced that it sleeps until ring space frees up */
    boolean peerWriterAsleep() {
        return input.peerWord.sleeping();
    }

    /**
     * Wakes a thread of this process that sleeps in the given direction (close, the shutdowns and the liveness watch
     * do this): a platform thread on the futex, a virtual thread directly. An event loop that sleeps there is the
     * caller itself. The futex is woken whatever the word says: a peer killed between taking the word and its own
     * {@code FUTEX_WAKE} leaves a thread parked on a word that says awake.
     */
    private static void wakeLocal(Direction direction) {
        try {
            if (direction.parkWord.sleeping()) {
                direction.parkWord.take();
            }
            Futex.wake(direction.parkWord.address(), Integer.MAX_VALUE);
        } catch (ShuntProtocolException | NativeCallException e) {
            LOG.debug("Waking a local waiter: {}", e.getMessage());
        }
        unparkVirtual(direction);
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
        return prepareLoopSleep(true, wantSpace, false);
    }

    /**
     * {@link #prepareDoorbellSleep(boolean)} for a loop that may not want input: with {@code wantInput} false only
     * ring space is announced and re-checked, so bytes waiting in the inbound ring that nobody reads now do not keep
     * the loop awake (a selector key interested in writes only).
     *
     * @param wantInput whether a read is waiting for bytes
     * @param wantSpace whether a write is waiting for space
     * @return true when the loop may sleep; false when there is already something to do (the announcement is
     *     withdrawn)
     */
    public boolean prepareDoorbellSleep(boolean wantInput, boolean wantSpace) throws IOException {
        return prepareLoopSleep(wantInput, wantSpace, false);
    }

    /**
     * For an event loop about to sleep: announces in shared memory how the peer must wake it when data arrives (with
     * {@code wantInput}) or ring space frees up (with {@code wantSpace}), then checks once more. With
     * {@code onFutex} the peer wakes the announced words with {@code FUTEX_WAKE} (a loop that sleeps on them with
     * {@code futex_waitv}, {@link #addLoopSleepWords}), else it rings the doorbell on {@link #socketFd()}.
     *
     * @return true when the loop may sleep; false when there is already something to do (the announcement is
     *     withdrawn)
     */
    public boolean prepareLoopSleep(boolean wantInput, boolean wantSpace, boolean onFutex) throws IOException {
        int how = onFutex ? PARKED_FUTEX : PARKED_DOORBELL;
        input.lock.lock();
        try {
            lifecycle.ensureOpen();
            // Armed again while the last announcement stands (a doorbell that brought nothing, a selector's new
            // interest): that one goes first, or the producer word, still holding it, would refuse this one below.
            withdrawLoopSleep();
            publishThisCpu();
            loopSleep = how;
            loopSleepTakenAtCheck = false;
            loopWantsInput = wantInput;
            if (wantInput) {
                input.parkWord.announce(how);
            }
            // A blocked writing thread of this process may sleep on the producer word: its announcement stays.
            loopWantsSpace = wantSpace && output.parkWord.announceIfAwake(how);
            if ((wantInput && input.ready()) || (wantSpace && output.ready())) {
                withdrawLoopSleep();
                return false;
            }
            input.countPark();
            metrics.parked();
            return true;
        } finally {
            lifecycle.unlock(input);
        }
    }

    /**
     * Changes how the loop's announced sleep is to be woken (a loop that moves between sleeping in {@code epoll} and
     * on futex words). A word the peer took meanwhile stays taken: its signal went out the old way.
     *
     * @return true when every announced word now asks for {@code onFutex}'s signal; false when the peer took one (the
     *     loop should look at the ring, and withdraw the rest with {@link #cancelDoorbellSleep()})
     */
    public boolean moveLoopSleep(boolean onFutex) throws IOException {
        int how = onFutex ? PARKED_FUTEX : PARKED_DOORBELL;
        input.lock.lock();
        try {
            lifecycle.ensureOpen();
            if (loopSleep == SharedRegionLayout.AWAKE || loopSleep == how) {
                return true;
            }
            if (loopWantsInput && !input.parkWord.move(loopSleep, how)) {
                return false;
            }
            int was = loopSleep;
            loopSleep = how;
            return !loopWantsSpace || output.parkWord.move(was, how);
        } finally {
            lifecycle.unlock(input);
        }
    }

    /**
     * Adds the words of the loop's futex sleep ({@link #prepareLoopSleep} with {@code onFutex}) to the set the loop
     * will sleep on.
     *
     * @return false when the set is full
     */
    public boolean addLoopSleepWords(FutexSet set) {
        return (!loopWantsInput || set.add(input.parkWord.address(), PARKED_FUTEX))
                && (!loopWantsSpace || set.add(output.parkWord.address(), PARKED_FUTEX));
    }

    /** @return whether the peer took a word of the loop's announced sleep (it signalled: data, space or close) */
    public boolean loopSleepTaken() {
        return loopSleep != SharedRegionLayout.AWAKE
                && ((loopWantsInput && !input.parkWord.holds(loopSleep))
                        || (loopWantsSpace && !output.parkWord.holds(loopSleep)));
    }

    /**
     * For an event loop's backstop, once per period, about a sleep that lasted since its previous call: whether the
     * sleep has work that no wake-up brought. Either a ring is ready while the announcement is still there (the peer
     * published without looking at it), or the peer took the announcement and its signal still had not arrived at
     * the previous call (a signal taken at this call may be on its way, and is looked at again next time). Such a
     * wake-up was lost or withheld; it is counted ({@link ShuntMetricsMXBean#getMissedWakeups()}), and the loop
     * wakes the channel as if signalled.
     *
     * @return whether the loop should look at the rings although nothing woke it
     */
    public boolean loopSleepMissed() throws IOException {
        input.lock.lock();
        try {
            lifecycle.ensureOpen();
            boolean missed;
            if (loopSleepTaken()) {
                missed = loopSleepTakenAtCheck;
                loopSleepTakenAtCheck = true;
            } else {
                missed = (loopWantsInput && input.ready()) || (loopWantsSpace && output.ready());
            }
            if (missed) {
                metrics.missedWakeup();
            }
            return missed;
        } finally {
            lifecycle.unlock(input);
        }
    }

    /**
     * Withdraws the loop's announced sleep ({@link #prepareLoopSleep}, doorbell or futex) after the loop woke up. The
     * doorbell bytes are drained separately ({@link #drainDoorbell()}), by whoever reads the socket.
     */
    public void cancelDoorbellSleep() throws IOException {
        input.lock.lock();
        try {
            lifecycle.ensureOpen();
            withdrawLoopSleep();
        } finally {
            lifecycle.unlock(input);
        }
    }

    /** Takes back exactly what the loop's sleep announced, and nothing a blocked thread announced. */
    private void withdrawLoopSleep() throws IOException {
        int how = loopSleep;
        if (how == SharedRegionLayout.AWAKE) {
            return;
        }
        loopSleep = SharedRegionLayout.AWAKE;
        if (loopWantsInput) {
            loopWantsInput = false;
            try {
                input.parkWord.withdraw(how);
            } catch (ShuntProtocolException e) {
                throw fail(e);
            }
        }
        if (loopWantsSpace) {
            loopWantsSpace = false;
            output.parkWord.withdrawIf(how);
        }
    }

    /**
     * For an event loop whose socket reported input: discards the doorbell bytes one {@code recv} returns (the
     * socket must be watched level-triggered, so that bytes left over report input again). An end of stream
     * there means the peer closed its socket or died.
     *
     * @return true when the peer's socket is closed
     */
    public boolean drainDoorbell() {
        return liveness.drainDoorbell();
    }

    /**
     * What this connection did so far, as this side counted it; still readable after close.
     *
     * @return bytes sent and received through the rings, parks and signals of this side
     */
    public StreamCounters counters() {
        return new StreamCounters(output.bytes(), input.bytes(), input.parks() + output.parks(),
                input.signals() + output.signals());
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

    /**
     * What {@code SO_SNDBUF} reports on the fast path, in every adapter: the outbound ring's capacity, the bytes
     * this side can have in flight before a write blocks. The kernel socket's send buffer carries no application
     * data here: setting the option still sets it, and changes nothing on the fast path (the server's
     * {@code shunt.ringBytes} chose the ring size at the handshake). On the kernel path the option is the kernel
     * socket's.
     *
     * @return the capacity of the ring this side writes, in bytes
     */
    public int sendBufferSize() {
        return region.capacity();
    }

    /**
     * What {@code SO_RCVBUF} reports on the fast path, in every adapter: the inbound ring's capacity, the bytes the
     * peer can have in flight before its writes block. Set and chosen as {@link #sendBufferSize()}.
     *
     * @return the capacity of the ring this side reads, in bytes
     */
    public int receiveBufferSize() {
        return region.capacity();
    }

    /**
     * Ends this side's output: the peer reads every byte written so far, then end of stream. A writer blocked
     * on a full ring in another thread fails with "Socket output is shutdown", as on a kernel socket.
     */
    public void shutdownOutput() throws IOException {
        synchronized (lifecycle.lock()) {
            lifecycle.ensureOpen();
            if (output.shutdown) {
                return;
            }
            output.shutdown = true;
            wakeLocal(output);
        }
        // The end-of-stream flag goes out after any write in progress has published its bytes.
        output.lock.lock();
        try {
            lifecycle.ensureOpen();
            outControl.closeProducer();
            wakePeer(output);
        } catch (ShuntProtocolException e) {
            throw fail(e);
        } finally {
            lifecycle.unlock(output);
        }
    }

    /**
     * Ends this side's input: reads return end of stream (a reader blocked in another thread returns it too)
     * and the peer's writes fail with "Broken pipe", as with {@code shutdown(SHUT_RD)} on a Unix socket.
     */
    public void shutdownInput() throws IOException {
        synchronized (lifecycle.lock()) {
            lifecycle.ensureOpen();
            if (input.shutdown) {
                return;
            }
            input.shutdown = true;
            inControl.closeConsumer();
            wakeQuietly(input);
            wakeLocal(input);
        }
    }

    /** @return whether {@link #shutdownInput()} was called */
    public boolean isInputShutdown() {
        return input.shutdown;
    }

    /** @return whether {@link #shutdownOutput()} was called */
    public boolean isOutputShutdown() {
        return output.shutdown;
    }

    /** @return whether {@link #close()} ran (or a protocol error closed the stream) */
    public boolean isClosed() {
        return lifecycle.isClosed();
    }

    private ShuntProtocolException fail(ShuntProtocolException e) {
        if (!lifecycle.fail(e)) {
            ShuntProtocolException first = lifecycle.failure();
            return first != null ? first : e;
        }
        metrics.protocolError();
        ShuntEvents.protocolError(role, socketFd, e);
        LOG.warn("Closing Shunt connection (fd {}): {}", socketFd, e.getMessage());
        close();
        return e;
    }

    /**
     * Closes the fast path: tells the peer (end of stream after every byte written, and no more reading),
     * unblocks local readers and writers, and unmaps the shared memory once they have left and every lent run
     * came back. The kernel socket is not closed here; its owner closes it after this
     * ({@link HandshakeResult#close(Closeable)} keeps that order). Idempotent.
     */
    @Override
    public void close() {
        if (!lifecycle.close()) {
            return;
        }
        outControl.closeProducer();
        inControl.closeConsumer();
        wakeQuietly(output);
        wakeQuietly(input);
        wakeLocal(input);
        wakeLocal(output);
        lifecycle.wantRelease();
        metrics.fastPathClosed();
    }

    /**
     * For {@link QuietRelease}: gives the outbound ring's data pages back to the kernel if this side wrote nothing for
     * the quiet time, the peer has read every byte and no write is under way (the output lock is free). Once per
     * quiet spell: nothing is done again until a write moves the position.
     *
     * @param now {@link System#nanoTime()} of the visit
     */
    void releaseIfQuiet(long now) {
        if (!output.lock.tryLock()) {
            return;
        }
        try {
            if (lifecycle.isClosed()) {
                return;
            }
            long position = out.position();
            if (position != quietPosition) {
                quietPosition = position;
                quietSince = now;
                return;
            }
            if (position == discardedAt || now - quietSince < quietNanos || !out.drained()) {
                return;
            }
            discardedAt = position;
            region.discardData(SharedRegionLayout.outboundControl(role));
        } catch (ShuntProtocolException e) {
            fail(e);
        } catch (NativeCallException e) {
            LOG.debug("Could not give the pages of a quiet ring back: {}", e.getMessage());
        } finally {
            lifecycle.unlock(output);
        }
    }

    /** Runs once nobody is inside the stream after close: stops the doorbell watch and lets the memory go. */
    private void release() {
        if (history != null) {
            history.ended(startedNanos, input.bytes() + output.bytes());
        }
        QuietRelease.forget(this);
        LivenessWatch.forget(this);
        VirtualThreadWaker.Waiters w = waiters;
        if (w != null) {
            VirtualThreadWaker.release(w);
        }
        in.closeWhenReturned(region::close);
    }

    private void wakeQuietly(Direction direction) {
        try {
            wakePeer(direction);
        } catch (ShuntProtocolException e) {
            LOG.debug("While closing: {}", e.getMessage());
        }
    }
}
