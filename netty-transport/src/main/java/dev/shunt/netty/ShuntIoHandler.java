package dev.shunt.netty;

import dev.shunt.core.ShuntConfig;
import dev.shunt.core.WaitPolicy;
import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.ThreadAwareExecutor;
import java.util.ArrayList;
import java.util.Objects;

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
 *   <li>when the spin ends, announce a doorbell sleep on each of those rings
 *       ({@code ShuntStream.prepareDoorbellSleep}) and block in {@code epoll_wait}, where each fast-path
 *       channel's kernel socket is registered for input; a peer that writes into a sleeping ring (or frees
 *       space) rings the doorbell, one byte on that socket, and the channel returns to the polled set.</li>
 * </ol>
 * A loop whose channels are all asleep blocks in {@code epoll_wait} like any epoll loop and uses no CPU.
 * Stock Epoll channels (TCP and Unix domain) run on this handler too: their descriptors go straight to the
 * delegate.
 */
public final class ShuntIoHandler implements IoHandler {
    /** While spinning, kernel descriptors are checked (without blocking) at least this often. */
    static final long KERNEL_CHECK_NANOS = 20_000;

    private final IoHandler epoll;
    private final WaitPolicy policy;
    private final ArrayList<RingEndpoint> polled = new ArrayList<>();
    private final ArrayList<RingEndpoint> dropped = new ArrayList<>();
    private NonBlockingContext awake;
    private long lastKernelCheckNanos;
    /** The previous pass moved ring bytes too: the rings keep the loop busy. */
    private boolean movedLastPass;
    /** A wait runs: the polled rings moved nothing since {@link #waitStartNanos}. */
    private boolean waiting;
    private long waitStartNanos;
    private long spinEndNanos;
    /** The current wait slept in epoll_wait. */
    private boolean slept;
    /** A doorbell rang during the current wait's sleep: the peer answered (rather than a task or a timer). */
    private boolean doorbellRang;

    private ShuntIoHandler(IoHandler epoll, long spinNanos) {
        this.epoll = epoll;
        this.policy = new WaitPolicy(spinNanos);
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
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(epollFactory, "epollFactory");
        return new IoHandlerFactory() {
            @Override
            public IoHandler newHandler(ThreadAwareExecutor executor) {
                return new ShuntIoHandler(epollFactory.newHandler(executor), config.spinNanos());
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
            return epoll.run(context);
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
            // While the rings keep the loop busy, kernel descriptors are checked every KERNEL_CHECK_NANOS only.
            long current = System.nanoTime();
            if (firstBusyPass || current - lastKernelCheckNanos < KERNEL_CHECK_NANOS) {
                return moved > 0 ? 1 : 0;
            }
            lastKernelCheckNanos = current;
            return (moved > 0 ? 1 : 0) + epoll.run(nonBlocking(context));
        }
        int handled = sleepRings() ? sleep(context) : epoll.run(nonBlocking(context));
        // The kernel descriptors were just checked: the next pass that moves ring bytes needs no epoll_wait(0).
        lastKernelCheckNanos = System.nanoTime();
        return handled;
    }

    private int sleep(IoHandlerContext context) {
        slept = true;
        doorbellRang = false;
        return epoll.run(context);
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
            spinEndNanos = now + policy.begin(peerOnThisCpu(), tookPeerWakes());
        }
        long start = now;
        while (now - spinEndNanos < 0 && now - start < KERNEL_CHECK_NANOS && context.canBlock()) {
            Thread.onSpinWait();
            long moved = pollRings();
            if (moved > 0) {
                answered();
                return moved;
            }
            now = System.nanoTime();
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
        } else if (doorbellRang) {
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

    /** Notes that a fast-path channel's doorbell rang: the peer answered the loop's wait. */
    void doorbellRang() {
        doorbellRang = true;
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
        return epoll.register(handle);
    }

    @Override
    public void wakeup() {
        epoll.wakeup();
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return epoll.isCompatible(handleType);
    }

    /** The loop's context with blocking forbidden: epoll is polled without waiting. */
    private static final class NonBlockingContext implements IoHandlerContext {
        private final IoHandlerContext context;

        NonBlockingContext(IoHandlerContext context) {
            this.context = context;
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

        @Override
        public void reportActiveIoTime(long activeNanos) {
            context.reportActiveIoTime(activeNanos);
        }

        @Override
        public boolean shouldReportActiveIoTime() {
            return context.shouldReportActiveIoTime();
        }
    }
}
