package dev.shunt.netty;

import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bound on this process's server handshakes that wait on their clients' answers. Each offer holds a
 * shared-memory region mapped (its ring pages untouched) until the answer or {@code shunt.handshakeTimeoutMillis}: at
 * most {@link #OFFERS} at once, so that clients that stay silent cannot take the process's mapping budget
 * ({@code shunt.maxMappings}) from the connections that answer. Beyond, a Shunt client is declined at once
 * ({@code FallbackReason.HANDSHAKE_LIMIT}) and served on the kernel socket. A WARN says so when the bound is reached,
 * again only after half the places came free. A waiting offer holds no thread: its channel waits in epoll
 * ({@link ChannelHandshake}).
 */
final class Handshakes {
    private static final Logger LOG = LoggerFactory.getLogger(Handshakes.class);
    /** The bound on server handshakes that wait on their clients at once. */
    static final int OFFERS = 1024;
    private static final AtomicInteger OFFERED = new AtomicInteger();
    /** The bound was reached and half the places are not free yet (for the WARN only: a race costs a line). */
    private static volatile boolean full;

    private Handshakes() {
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
