package dev.shunt.netty;

import dev.shunt.core.ShuntConfig;
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
 *   <li>when nothing moved and no task is waiting, spin on those rings for up to {@code shunt.spinNanos}
 *       since the last progress, checking the kernel descriptors without blocking every
 *       {@value #KERNEL_CHECK_NANOS} ns;</li>
 *   <li>when the budget is spent, announce a doorbell sleep on each of those rings
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

    /** A doorbell sleep shorter than this means the loop gave up spinning too early. */
    static final long SHORT_SLEEP_NANOS = 1_000_000;
    /** The spin budget grows up to this multiple of {@code shunt.spinNanos}. */
    static final int MAX_BUDGET_FACTOR = 4;

    private final IoHandler epoll;
    private final long spinNanos;
    private final ArrayList<RingEndpoint> polled = new ArrayList<>();
    private final ArrayList<RingEndpoint> dropped = new ArrayList<>();
    private long budgetNanos;
    private boolean doorbellRang;
    private NonBlockingContext awake;
    private long lastProgressNanos;
    private long lastKernelCheckNanos;

    private ShuntIoHandler(IoHandler epoll, long spinNanos) {
        this.epoll = epoll;
        this.spinNanos = spinNanos;
        this.budgetNanos = spinNanos;
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
        Objects.requireNonNull(config, "config");
        IoHandlerFactory epollFactory = EpollIoHandler.newFactory();
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
        long now = System.nanoTime();
        if (moved > 0) {
            lastProgressNanos = now;
        } else if (context.canBlock()) {
            moved = spin(context, now);
        }
        if (moved > 0 || !context.canBlock() || System.nanoTime() - lastProgressNanos < budgetNanos) {
            // While the rings keep the loop busy, kernel descriptors are checked every KERNEL_CHECK_NANOS only.
            long current = System.nanoTime();
            if (current - lastKernelCheckNanos < KERNEL_CHECK_NANOS) {
                return moved > 0 ? 1 : 0;
            }
            lastKernelCheckNanos = current;
            return (moved > 0 ? 1 : 0) + epoll.run(nonBlocking(context));
        }
        if (!sleepRings()) {
            return epoll.run(nonBlocking(context));
        }
        doorbellRang = false;
        long asleep = System.nanoTime();
        int handled = epoll.run(context);
        adaptBudget(System.nanoTime() - asleep);
        return handled;
    }

    /**
     * Adapts the spin budget to the peers: a doorbell that rang soon after the loop fell asleep means the answer
     * was on its way and waking cost more than spinning a little longer would have (without this, two loops whose
     * wake-ups take longer than the budget keep waking each other); the budget doubles, up to
     * {@value #MAX_BUDGET_FACTOR} times {@code shunt.spinNanos}. Any longer sleep resets it.
     */
    private void adaptBudget(long sleptNanos) {
        if (doorbellRang && sleptNanos < SHORT_SLEEP_NANOS) {
            budgetNanos = Math.min(Math.max(budgetNanos * 2, spinNanos), spinNanos * MAX_BUDGET_FACTOR);
        } else {
            budgetNanos = spinNanos;
        }
    }

    /** Spins on the polled rings until one moves bytes, a task arrives, the budget ends or a kernel check is due. */
    private long spin(IoHandlerContext context, long start) {
        long now = start;
        while (now - lastProgressNanos < budgetNanos && now - start < KERNEL_CHECK_NANOS && context.canBlock()) {
            Thread.onSpinWait();
            long moved = pollRings();
            now = System.nanoTime();
            if (moved > 0) {
                lastProgressNanos = now;
                return moved;
            }
        }
        return 0;
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
     * Puts an endpoint into the polled set; if it was not there, the spin budget starts again.
     *
     * @param endpoint a fast-path channel that has work
     */
    void schedule(RingEndpoint endpoint) {
        if (!endpoint.polled) {
            endpoint.polled = true;
            polled.add(endpoint);
            lastProgressNanos = System.nanoTime();
        }
    }

    /** Notes that a fast-path channel's doorbell rang, for the spin budget ({@link #adaptBudget}). */
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
        if (handle instanceof ShuntDomainSocketChannel.ShuntUnsafe) {
            ((ShuntDomainSocketChannel.ShuntUnsafe) handle).attach(this);
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
