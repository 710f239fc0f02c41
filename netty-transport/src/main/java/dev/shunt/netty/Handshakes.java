package dev.shunt.netty;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the handshakes of this process's Shunt channels share, both bounded:
 * <ul>
 *   <li>the threads the core's handshake calls run on, off the event loops: at most {@link #THREADS} daemon
 *       threads, which end after {@value #IDLE_SECONDS} s idle. No call here waits on a peer: a channel waits for
 *       its peer's handshake message in epoll ({@link ChannelHandshake}) and hands the read to this pool once the
 *       message is there, so a thread is busy for a step's system calls only, whatever the peers do. Beyond
 *       {@link #THREADS} steps at once, steps wait in a queue in arrival order; it holds at most one step per channel
 *       in handshake, and no event loop waits on it;</li>
 *   <li>the offers that wait on their clients' answers, each holding a shared-memory region mapped (its ring pages
 *       untouched) until the answer or {@code shunt.handshakeTimeoutMillis}: at most {@link #OFFERS}, so that
 *       clients that stay silent cannot take the process's mapping budget ({@code shunt.maxMappings}) from the
 *       connections that answer. Beyond, a Shunt client is declined at once ({@code FallbackReason.HANDSHAKE_LIMIT})
 *       and served on the kernel socket. A WARN says so when the bound is reached, again only after half the places
 *       came free.</li>
 * </ul>
 */
final class Handshakes {
    private static final Logger LOG = LoggerFactory.getLogger(Handshakes.class);
    /** The bound on handshake threads. */
    static final int THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());
    /** The prefix of the handshake threads' names. */
    static final String THREAD_NAME = "shunt-handshake-";
    /** The bound on server handshakes that wait on their clients at once. */
    static final int OFFERS = 1024;
    private static final long IDLE_SECONDS = 30;
    private static final AtomicInteger CREATED = new AtomicInteger();
    private static final AtomicInteger OFFERED = new AtomicInteger();
    /** The bound was reached and half the places are not free yet (for the WARN only: a race costs a line). */
    private static volatile boolean full;
    private static final ThreadPoolExecutor EXECUTOR = new ThreadPoolExecutor(THREADS, THREADS, IDLE_SECONDS,
            TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
                Thread t = new Thread(task, THREAD_NAME + CREATED.incrementAndGet());
                t.setDaemon(true);
                return t;
            });

    static {
        EXECUTOR.allowCoreThreadTimeOut(true);
    }

    private Handshakes() {
    }

    /**
     * Runs a handshake step.
     *
     * @param step a call that does not wait on the peer
     */
    static void execute(Runnable step) {
        EXECUTOR.execute(step);
    }

    /**
     * Takes one of the {@link #OFFERS} places of server handshakes that may wait on their clients.
     *
     * @return whether a place was free; if so, {@link #offerEnded()} gives it back
     */
    static boolean tryOffer() {
        while (true) {
            int n = OFFERED.get();
            if (n >= OFFERS) {
                if (!full) {
                    full = true;
                    LOG.warn("{} Shunt server handshakes wait on their clients: further Shunt clients are declined"
                            + " and served on the kernel socket until one ends", OFFERS);
                }
                return false;
            }
            if (OFFERED.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Gives back a place taken by {@link #tryOffer()}. */
    static void offerEnded() {
        if (OFFERED.decrementAndGet() <= OFFERS / 2 && full) {
            full = false;
        }
    }
}
