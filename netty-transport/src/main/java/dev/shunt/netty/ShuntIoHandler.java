package dev.shunt.netty;

import dev.shunt.core.EmptyWakeBackoff;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.WaitPolicy;
import dev.shunt.nativeio.FutexSet;
import dev.shunt.nativeio.NativeCallException;
import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.ThreadAwareExecutor;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayList;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link IoHandler} of a {@link ShuntEventLoopGroup}: an epoll handler (Netty's own
 * {@link EpollIoHandler}, to which every kernel descriptor is delegated) plus the shared-memory rings of the
 * fast-path channels registered with it.
 *
 * <p>One pass of the loop:
 * <ol>
 *   <li>poll the rings of the channels that have work (data wanted or writes waiting for space);</li>
 *   <li>when nothing moved and no task is waiting, a wait begins: the loop's {@link WaitPolicy} says how long to
 *       spin on those rings (nothing while the peer of one of them last ran on this CPU, or right after the loop
 *       woke a peer; otherwise a budget learned from how soon earlier waits were answered, up to
 *       {@code shunt.spinNanos}), checking the kernel descriptors without blocking every
 *       {@value #KERNEL_CHECK_NANOS} ns;</li>
 *   <li>when the spin ends, announce a sleep on each of those rings ({@code ShuntStream.prepareLoopSleep}) and
 *       block. A loop that serves only fast-path channels (at most {@value #MAX_FUTEX_CHANNELS}, no other
 *       descriptor registered) sleeps on the rings' sleep words themselves with {@code futex_waitv}
 *       ({@link FutexSet}): a peer that writes into a sleeping ring (or frees space) wakes it with a plain
 *       {@code FUTEX_WAKE}, as it wakes a blocked thread, and a task from another thread rings the set's bell. Its
 *       kernel sockets, which then carry nothing but a hang-up, are checked at least every
 *       {@value #FUTEX_SLICE_MILLIS} ms, and a sleep that lasts that long goes on in {@code epoll_wait}. Any
 *       other loop (a listening channel, a connection on the kernel path, a stock Epoll channel, or a kernel
 *       without {@code futex_waitv}) blocks in {@code epoll_wait}, where each fast-path channel's kernel socket is
 *       registered for input; the peer then rings the doorbell, one byte on that socket. Either way the channel
 *       returns to the polled set.</li>
 * </ol>
 * Why two ways: a futex wake-up costs the peer one system call and the loop one return from its sleep, while a
 * doorbell costs a socket write, an {@code epoll} wake-up and a read of the byte, what the kernel path pays per
 * message (docs/architecture.md, "What bounds an event loop's wake-up"); but only {@code epoll} hears other
 * descriptors. Wake-ups that bring nothing (a peer that wakes words it did not take) make the loop sleep in
 * {@code epoll} for a while ({@link EmptyWakeBackoff}), where they cannot reach it. A wake-up that never comes (lost,
 * or withheld by a broken peer) costs at most three backstop periods of {@value #BACKSTOP_MILLIS} ms: while rings
 * sleep, the loop looks at them itself once per period ({@code ShuntStream.loopSleepMissed}, counted as
 * {@code MissedWakeups}), as a blocked thread re-checks its ring after every park.
 * A loop whose channels are all asleep uses no CPU. Stock Epoll channels (TCP and Unix domain) run on this
 * handler too: their descriptors go straight to the delegate.
 */
public final class ShuntIoHandler implements IoHandler {
    /** While spinning, kernel descriptors are checked (without blocking) at least this often. */
    static final long KERNEL_CHECK_NANOS = 20_000;
    /** Polls of the rings between two reads of the clock while spinning. */
    private static final int SPIN_POLLS_PER_CLOCK = 4;
    /**
     * A loop that sleeps on futex words checks its kernel sockets at least this often: a peer that died without
     * closing is noticed within it, as a blocked thread notices it within its first park.
     */
    static final long FUTEX_SLICE_MILLIS = 100;
    private static final long FUTEX_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(FUTEX_SLICE_MILLIS);
    /**
     * While rings sleep, the loop looks at them itself once per this period, and a sleep in epoll ends by the
     * period's end: a wake-up that never comes costs at most two periods (three when the peer took the sleep's
     * announcement and its signal got lost).
     */
    static final long BACKSTOP_MILLIS = 1000;
    private static final long BACKSTOP_NANOS = TimeUnit.MILLISECONDS.toNanos(BACKSTOP_MILLIS);
    /** The most fast-path channels whose words fit in one {@link FutexSet}: two words each, and the bell. */
    static final int MAX_FUTEX_CHANNELS = (FutexSet.CAPACITY - 1) / 2;
    private static final Logger LOG = LoggerFactory.getLogger(ShuntIoHandler.class);

    private final IoHandler epoll;
    private final WaitPolicy policy;
    /** The words a futex sleep waits on; null when this loop always sleeps in epoll. */
    private final FutexSet futexes;
    private final ArrayList<RingEndpoint> polled = new ArrayList<>();
    private final ArrayList<RingEndpoint> dropped = new ArrayList<>();
    /** Every fast-path channel attached to this loop. */
    private final ArrayList<RingEndpoint> attached = new ArrayList<>();
    /** The fast-path channels whose sleep is announced ({@link RingEndpoint#sleepingIndex}). */
    private final ArrayList<RingEndpoint> sleeping = new ArrayList<>();
    /** Handles registered and not cancelled; a registration may be cancelled from any thread. */
    private final AtomicInteger registrations = new AtomicInteger();
    /** Whether the loop may sleep on futex words: every registration is a fast-path channel that fits the set. */
    private boolean futexReady;
    /** How the sleeping channels' sleeps are announced: to be woken on their futex words, or by their doorbells. */
    private boolean sleepOnFutexes;
    private final EmptyWakeBackoff emptyFutexWakes = new EmptyWakeBackoff();
    /** Futex sleeps are off until {@link #futexPauseEnd} (after wake-ups that brought nothing). */
    private boolean futexPaused;
    private long futexPauseEnd;
    private NonBlockingContext awake;
    private BackstopContext backstop;
    /** Whether a backstop period runs (rings sleep); it ends at {@link #backstopEnd}, on Netty's {@link Ticker}. */
    private boolean backstopRunning;
    private long backstopEnd;
    /** Whether this loop already logged a missed wake-up (later ones are counted, and logged at debug level). */
    private boolean missedLogged;
    private long lastKernelCheckNanos;
    /** The previous pass moved ring bytes too: the rings keep the loop busy. */
    private boolean movedLastPass;
    /** A wait runs: the polled rings moved nothing since {@link #waitStartNanos}. */
    private boolean waiting;
    private long waitStartNanos;
    private long spinEndNanos;
    /** The current wait slept in epoll_wait. */
    private boolean slept;
    /** A peer signalled during the current wait's sleep: it answered (rather than a task or a timer). */
    private boolean signalled;

    private ShuntIoHandler(IoHandler epoll, long spinNanos, boolean futexSleeps) {
        this.epoll = epoll;
        this.policy = new WaitPolicy(spinNanos);
        this.futexes = futexSleeps && FutexSet.supported() ? new FutexSet() : null;
    }

    /**
     * A factory for handlers configured from the {@code shunt.*} system properties (only
     * {@code shunt.spinNanos} matters to the loop itself).
     *
     * @return the factory
     */
    public static IoHandlerFactory newFactory() {
        return newFactory(ShuntConfig.fromSystemProperties());
    }

    /**
     * A factory for handlers that spin for {@code config.spinNanos()} before they sleep.
     *
     * @param config the configuration in force
     * @return the factory
     */
    public static IoHandlerFactory newFactory(ShuntConfig config) {
        return newFactory(config, EpollIoHandler.newFactory());
    }

    /**
     * A factory for handlers that spin for {@code config.spinNanos()} before they sleep and delegate every kernel
     * descriptor to a handler of {@code epollFactory}: how an application's own {@code EpollIoHandler.newFactory(..)}
     * result, with its settings, becomes a Shunt loop (shunt-agent does this).
     *
     * @param config the configuration in force
     * @param epollFactory a factory of Netty's {@link EpollIoHandler}s
     * @return the factory
     */
    public static IoHandlerFactory newFactory(ShuntConfig config, IoHandlerFactory epollFactory) {
        return newFactory(config, epollFactory, true);
    }

    /**
     * {@link #newFactory(ShuntConfig, IoHandlerFactory)} whose loops, with {@code futexSleeps} false, always sleep in
     * epoll (as on a kernel without {@code futex_waitv}): for tests of that way.
     */
    static IoHandlerFactory newFactory(ShuntConfig config, IoHandlerFactory epollFactory, boolean futexSleeps) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(epollFactory, "epollFactory");
        return new IoHandlerFactory() {
            @Override
            public IoHandler newHandler(ThreadAwareExecutor executor) {
                return new ShuntIoHandler(epollFactory.newHandler(executor), config.spinNanos(), futexSleeps);
            }

            @Override
            public boolean isChangingThreadSupported() {
                return epollFactory.isChangingThreadSupported();
            }
        };
    }

    @Override
    public void initialize() {
        epoll.initialize();
    }

    @Override
    public int run(IoHandlerContext context) {
        if (polled.isEmpty()) {
            return context.canBlock() ? block(context) : runEpoll(context);
        }
        long moved = pollRings();
        if (moved > 0) {
            answered();
        } else if (context.canBlock()) {
            moved = spin(context);
        }
        // One pass that moves bytes between idle ones (a message after a wake-up) checks nothing: the next pass
        // finds the rings idle and waits in epoll, which hears the kernel descriptors anyway. Without this, a
        // message whose handling took longer than KERNEL_CHECK_NANOS cost an epoll_wait(0) of its own.
        boolean firstBusyPass = moved > 0 && !movedLastPass;
        movedLastPass = moved > 0;
        if (moved > 0 || !context.canBlock() || (waiting && System.nanoTime() - spinEndNanos < 0)) {
            // While the rings keep the loop busy, kernel descriptors are checked every KERNEL_CHECK_NANOS only (a
            // loop of fast-path channels alone: every futex slice, as they carry nothing but a hang-up).
            long current = System.nanoTime();
            long every = futexReady ? FUTEX_SLICE_NANOS : KERNEL_CHECK_NANOS;
            if (firstBusyPass || current - lastKernelCheckNanos < every) {
                return moved > 0 ? 1 : 0;
            }
            return (moved > 0 ? 1 : 0) + runEpoll(nonBlocking(context));
        }
        return sleepRings() ? sleep(context) : runEpoll(nonBlocking(context));
    }

    /** Runs epoll; the kernel descriptors were just checked, so the next pass that moves ring bytes needs no check. */
    private int runEpoll(IoHandlerContext context) {
        int handled = epoll.run(context);
        lastKernelCheckNanos = System.nanoTime();
        return handled;
    }

    private int sleep(IoHandlerContext context) {
        slept = true;
        signalled = false;
        return block(context);
    }

    /**
     * Blocks until a peer, a task, a timer or a kernel descriptor needs the loop: on futex words, checking the kernel
     * descriptors without blocking whenever a slice has passed since they were last checked, and in epoll once this
     * sleep has lasted a whole slice (the loop is idle) or futex sleeps are paused. Rings that sleep are looked at
     * once per backstop period whatever happens ({@link #takeMissedSleeps()}).
     */
    private int block(IoHandlerContext context) {
        if (takeMissedSleeps()) {
            return 0;
        }
        long start = System.nanoTime();
        while (mayBlockOnFutexes()) {
            if (System.nanoTime() - lastKernelCheckNanos >= FUTEX_SLICE_NANOS) {
                int handled = runEpoll(nonBlocking(context));
                if (handled > 0) {
                    return handled;
                }
            }
            int handled = blockOnFutexes(context);
            if (handled >= 0) {
                return handled;
            }
            if (futexPaused || System.nanoTime() - start >= FUTEX_SLICE_NANOS) {
                break;
            }
        }
        if (!moveSleeps(false)) {
            return 0;
        }
        if (sleeping.isEmpty()) {
            return runEpoll(context);
        }
        // Epoll returns by the backstop's end at the latest; the next pass through here looks at the rings.
        if (backstop == null || backstop.context != context) {
            backstop = new BackstopContext(context);
        }
        backstop.end = backstopEnd;
        return runEpoll(backstop);
    }

    /**
     * The backstop: once per period while rings sleep, wakes every ring whose sleep has lasted since the previous
     * check and that has work although no wake-up announced it (a lost, withheld or late signal; counted and logged).
     * The period's end stays the same from one sleep to the next until it passes, so epoll's timer is set once per
     * period.
     *
     * @return whether a ring was woken (the loop must not block)
     */
    private boolean takeMissedSleeps() {
        if (sleeping.isEmpty()) {
            backstopRunning = false;
            return false;
        }
        long now = Ticker.systemTicker().nanoTime();
        if (backstopRunning && now - backstopEnd < 0) {
            return false;
        }
        backstopRunning = true;
        backstopEnd = now + BACKSTOP_NANOS;
        return wakeMissedSleeps();
    }

    private boolean wakeMissedSleeps() {
        boolean woken = false;
        // Backwards: a woken channel leaves the list, the last one taking its place.
        for (int i = sleeping.size() - 1; i >= 0; i--) {
            RingEndpoint e = sleeping.get(i);
            if (e.checkedSerial != e.sleepSerial) {
                // Announced since the last check: a signal for it may be on its way. The next check looks at it.
                e.checkedSerial = e.sleepSerial;
            } else if (e.sleepMissed()) {
                if (!missedLogged) {
                    missedLogged = true;
                    LOG.warn("A Shunt ring had work after a sleep of {} ms or more, and no wake-up came (lost, withheld"
                            + " by the peer, or late); the event loop took it up itself. Counted in MissedWakeups;"
                            + " later ones are logged at debug level", BACKSTOP_MILLIS);
                } else {
                    LOG.debug("A missed wake-up taken up by the backstop");
                }
                e.woken();
                woken = true;
            }
        }
        return woken;
    }

    private boolean mayBlockOnFutexes() {
        futexReady = futexes != null && attached.size() == registrations.get()
                && attached.size() <= MAX_FUTEX_CHANNELS && !anyNeedsSocketEvents();
        if (futexPaused && System.nanoTime() - futexPauseEnd >= 0) {
            futexPaused = false;
        }
        return futexReady && !futexPaused;
    }

    private boolean anyNeedsSocketEvents() {
        for (int i = 0; i < attached.size(); i++) {
            if (attached.get(i).needsSocketEvents()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Sleeps on the sleeping channels' futex words and the bell until one is woken, a timer is due or the slice
     * ends.
     *
     * @return 0 when a peer, a task or a timer woke the loop; -1 when the slice of kernel checks ended, or futex
     *     sleeps were paused (wake-ups brought nothing)
     */
    private int blockOnFutexes(IoHandlerContext context) {
        if (!moveSleeps(true)) {
            return 0;
        }
        futexes.clear();
        for (int i = 0; i < sleeping.size(); i++) {
            sleeping.get(i).addSleepWords(futexes);
        }
        futexes.armBell();
        if (!context.canBlock()) {
            futexes.disarmBell();
            return 0;
        }
        long now = System.nanoTime();
        long sliceEnd = lastKernelCheckNanos + FUTEX_SLICE_NANOS;
        long deadline = sliceEnd - now < context.delayNanos(now) ? sliceEnd : now + context.delayNanos(now);
        int woken;
        try {
            woken = futexes.await(deadline);
        } catch (NativeCallException e) {
            // A word's memory went away under a channel that closed meanwhile: epoll hears what happened, and the
            // loop sleeps there for a slice.
            LOG.debug("futex_waitv: {}", e.getMessage());
            futexes.disarmBell();
            futexPaused = true;
            futexPauseEnd = System.nanoTime() + FUTEX_SLICE_NANOS;
            return -1;
        }
        boolean bellRang = futexes.bellRang();
        futexes.disarmBell();
        if (wakeTaken()) {
            emptyFutexWakes.progress();
            return 0;
        }
        if (woken == FutexSet.TIMED_OUT) {
            return System.nanoTime() - sliceEnd >= 0 ? -1 : 0;
        }
        if (bellRang || !context.canBlock()) {
            return 0;
        }
        // Nothing taken, no task: a late wake-up, or a peer that wakes words it did not take. Many in a row move the
        // loop to epoll for a while, where a futex wake cannot reach it.
        long pause = emptyFutexWakes.emptyWake();
        if (pause > 0) {
            futexPaused = true;
            futexPauseEnd = System.nanoTime() + pause;
            return -1;
        }
        return 0;
    }

    /** @return whether a peer took (signalled) a sleeping channel's futex sleep; those channels are polled again */
    private boolean wakeTaken() {
        boolean taken = false;
        // Backwards: a woken channel leaves the list, the last one taking its place.
        for (int i = sleeping.size() - 1; i >= 0; i--) {
            RingEndpoint e = sleeping.get(i);
            if (e.sleepTaken()) {
                e.woken();
                taken = true;
            }
        }
        return taken;
    }

    /**
     * Makes every sleeping channel's sleep ask for a futex wake or a doorbell.
     *
     * @return false when a peer signalled one of them meanwhile (it is polled again: the loop must not block)
     */
    private boolean moveSleeps(boolean onFutex) {
        if (sleepOnFutexes == onFutex) {
            return true;
        }
        sleepOnFutexes = onFutex;
        boolean moved = true;
        for (int i = sleeping.size() - 1; i >= 0; i--) {
            RingEndpoint e = sleeping.get(i);
            if (!e.moveSleep(onFutex)) {
                e.woken();
                moved = false;
            }
        }
        return moved;
    }

    /**
     * Spins on the polled rings until one moves bytes, a task arrives, the wait's spin ends or a kernel check is
     * due. The first call of a wait begins it: the policy sets its spin.
     */
    private long spin(IoHandlerContext context) {
        long now = System.nanoTime();
        if (!waiting) {
            waiting = true;
            slept = false;
            waitStartNanos = now;
            boolean peerHere = peerOnThisCpu();
            if (peerHere && policy.moveOffPeerCpu(now)) {
                for (int i = 0; i < polled.size(); i++) {
                    polled.get(i).publishThisCpu();
                }
                peerHere = false;
            }
            spinEndNanos = now + policy.begin(peerHere, tookPeerWakes());
        }
        long start = now;
        int polls = 0;
        while (now - spinEndNanos < 0 && now - start < KERNEL_CHECK_NANOS && context.canBlock()) {
            Thread.onSpinWait();
            long moved = pollRings();
            if (moved > 0) {
                answered();
                return moved;
            }
            // The clock costs as much as a poll: read it every SPIN_POLLS_PER_CLOCK polls, a fraction of a microsecond.
            if (++polls % SPIN_POLLS_PER_CLOCK == 0) {
                now = System.nanoTime();
            }
        }
        return 0;
    }

    /** @return whether the peer of a polled ring last ran on this loop's CPU: a spin would keep it off it */
    private boolean peerOnThisCpu() {
        for (int i = 0; i < polled.size(); i++) {
            if (polled.get(i).peerOnThisCpu()) {
                return true;
            }
        }
        return false;
    }

    /** @return whether a polled ring woke its peer since the loop last asked (each ring's flag is cleared) */
    private boolean tookPeerWakes() {
        boolean woken = false;
        for (int i = 0; i < polled.size(); i++) {
            woken |= polled.get(i).tookPeerWake();
        }
        return woken;
    }

    /** The rings moved bytes: the wait, if one ran, ends; the policy learns from it if a peer answered it. */
    private void answered() {
        if (!waiting) {
            return;
        }
        waiting = false;
        if (!slept) {
            policy.answeredWhileSpinning();
        } else if (signalled) {
            policy.answeredAfterSleep(System.nanoTime() - waitStartNanos);
        }
    }

    private long pollRings() {
        long moved = 0;
        // Polling may fire pipeline events that add endpoints: they are appended and polled in this pass.
        for (int i = 0; i < polled.size(); i++) {
            moved += polled.get(i).poll();
        }
        int kept = 0;
        for (int i = 0; i < polled.size(); i++) {
            RingEndpoint e = polled.get(i);
            if (e.wantsPolling()) {
                polled.set(kept++, e);
            } else {
                drop(e);
            }
        }
        truncate(kept);
        return moved;
    }

    /** @return true when every polled ring is asleep (or retries later on its own), so the loop may block */
    private boolean sleepRings() {
        boolean mayBlock = true;
        int kept = 0;
        for (int i = 0; i < polled.size(); i++) {
            RingEndpoint e = polled.get(i);
            if (!e.wantsPolling()) {
                drop(e);
            } else if (e.trySleep() == RingEndpoint.BUSY) {
                mayBlock = false;
                polled.set(kept++, e);
            } else {
                e.polled = false;
            }
        }
        truncate(kept);
        return mayBlock;
    }

    private void drop(RingEndpoint e) {
        e.polled = false;
        dropped.add(e);
    }

    /** Shrinks the polled set, then lets the endpoints that left it settle (which may add endpoints again). */
    private void truncate(int size) {
        for (int i = polled.size() - 1; i >= size; i--) {
            polled.remove(i);
        }
        for (int i = 0; i < dropped.size(); i++) {
            dropped.get(i).idle();
        }
        dropped.clear();
    }

    private IoHandlerContext nonBlocking(IoHandlerContext context) {
        if (awake == null || awake.context != context) {
            awake = new NonBlockingContext(context);
        }
        return awake;
    }

    /**
     * Puts an endpoint into the polled set.
     *
     * @param endpoint a fast-path channel that has work
     */
    void schedule(RingEndpoint endpoint) {
        if (!endpoint.polled) {
            endpoint.polled = true;
            polled.add(endpoint);
        }
    }

    /** Notes that a fast-path channel's peer signalled (doorbell or futex): the peer answered the loop's wait. */
    void peerAnswered() {
        signalled = true;
    }

    /** @return whether a channel that announces a sleep now is to be woken on its futex words (else its doorbell) */
    boolean sleepsOnFutexes() {
        return sleepOnFutexes;
    }

    /** A fast-path channel announced its sleep, or left it. */
    void sleeping(RingEndpoint endpoint, boolean asleep) {
        if (asleep) {
            endpoint.sleepSerial++;
        }
        if (asleep && endpoint.sleepingIndex < 0) {
            endpoint.sleepingIndex = sleeping.size();
            sleeping.add(endpoint);
        } else if (!asleep && endpoint.sleepingIndex >= 0) {
            RingEndpoint last = sleeping.remove(sleeping.size() - 1);
            if (last != endpoint) {
                sleeping.set(endpoint.sleepingIndex, last);
                last.sleepingIndex = endpoint.sleepingIndex;
            }
            endpoint.sleepingIndex = -1;
        }
    }

    /** A fast-path channel's rings joined this loop. */
    void attached(RingEndpoint endpoint) {
        attached.add(endpoint);
    }

    /** A fast-path channel's rings left this loop. */
    void detached(RingEndpoint endpoint) {
        attached.remove(endpoint);
        sleeping(endpoint, false);
    }

    /** A fast-path channel waits for an event of its kernel socket: the busy passes check epoll often again. */
    void socketEventsWanted() {
        futexReady = false;
    }

    @Override
    public void prepareToDestroy() {
        epoll.prepareToDestroy();
    }

    @Override
    public void destroy() {
        epoll.destroy();
    }

    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
        if (handle instanceof RingIoHandle) {
            ((RingIoHandle) handle).attach(this);
        }
        IoRegistration registration = new CountedRegistration(epoll.register(handle));
        // A kernel descriptor from now: the busy passes check epoll as often as such a loop needs.
        futexReady = false;
        return registration;
    }

    @Override
    public void wakeup() {
        epoll.wakeup();
        if (futexes != null) {
            futexes.ringBell();
        }
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return epoll.isCompatible(handleType);
    }

    /** Epoll's registration of a handle, counted while it lasts: a loop of fast-path channels alone may use futexes. */
    private final class CountedRegistration implements IoRegistration {
        private final IoRegistration registration;

        CountedRegistration(IoRegistration registration) {
            this.registration = registration;
            registrations.incrementAndGet();
        }

        @Override
        public <T> T attachment() {
            return registration.attachment();
        }

        @Override
        public long submit(IoOps ops) {
            return registration.submit(ops);
        }

        @Override
        public boolean isValid() {
            return registration.isValid();
        }

        @Override
        public boolean cancel() {
            if (!registration.cancel()) {
                return false;
            }
            registrations.decrementAndGet();
            return true;
        }
    }

    /** The loop's context as epoll is to see it: what the subclass changes, and the rest passed through. */
    private abstract static class ForwardingContext implements IoHandlerContext {
        final IoHandlerContext context;

        ForwardingContext(IoHandlerContext context) {
            this.context = context;
        }

        @Override
        public void reportActiveIoTime(long activeNanos) {
            context.reportActiveIoTime(activeNanos);
        }

        @Override
        public boolean shouldReportActiveIoTime() {
            return context.shouldReportActiveIoTime();
        }
    }

    /** The loop's context with its sleep bounded by the backstop ({@link #end}, on Netty's {@link Ticker}). */
    private static final class BackstopContext extends ForwardingContext {
        private long end;

        BackstopContext(IoHandlerContext context) {
            super(context);
        }

        @Override
        public boolean canBlock() {
            return context.canBlock();
        }

        @Override
        public long delayNanos(long currentTimeNanos) {
            long untilEnd = Math.max(0, end - Ticker.systemTicker().nanoTime());
            return Math.min(context.delayNanos(currentTimeNanos), untilEnd);
        }

        @Override
        public long deadlineNanos() {
            // -1: no task scheduled.
            long deadline = context.deadlineNanos();
            return deadline != -1 && deadline - end < 0 ? deadline : end;
        }
    }

    /** The loop's context with blocking forbidden: epoll is polled without waiting. */
    private static final class NonBlockingContext extends ForwardingContext {
        NonBlockingContext(IoHandlerContext context) {
            super(context);
        }

        @Override
        public boolean canBlock() {
            return false;
        }

        @Override
        public long delayNanos(long currentTimeNanos) {
            return context.delayNanos(currentTimeNanos);
        }

        @Override
        public long deadlineNanos() {
            return context.deadlineNanos();
        }
    }
}
