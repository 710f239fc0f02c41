package dev.shunt.core;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A client's record of its recent fast-path connections to one server, which decides whether the next connection
 * is worth a handshake. The handshake costs a few hundred microseconds and as much CPU (a memfd created, sealed,
 * mapped and unmapped on both sides, two messages, two thread wake-ups); a connection pays that back only by
 * carrying traffic, about ten round trips or a megabyte streamed. A client that opens a connection per request
 * (HTTP/1.0-style clients, health checks, a driver without a pool) never does, and would run slower with Shunt
 * than without it.
 *
 * <p>The rule, per server socket path (measurements in {@code docs/architecture.md}, "Short connections"):
 * <ul>
 *   <li>A fast-path connection is <em>short</em> when it closed within {@value #SHORT_MILLIS} ms of its handshake
 *       having moved less than {@value #SHORT_BYTES} bytes in both directions together.</li>
 *   <li>Once the last {@value #STREAK} fast-path connections to a server closed short, and the previous connect to
 *       it came less than {@value #FREQUENT_MILLIS} ms before, the next connection skips the handshake and stays on
 *       the kernel socket ({@link FallbackReason#SHORT_CONNECTIONS}); the client does not mark itself, so the
 *       server sees a plain client.</li>
 *   <li>One such connection tries the fast path anyway once {@value #PROBE_EVERY} were skipped and
 *       {@value #PROBE_MILLIS} ms passed since the last that tried, so that a change of habit is noticed while
 *       connections keep coming, and probes cost at most ten handshakes a second however fast they come; one that
 *       closes long ends the streak.</li>
 *   <li>A connect after a pause of {@value #FREQUENT_MILLIS} ms or more always tries the fast path: a connection
 *       made now and then costs its handshake now and then, and may be the long-lived one.</li>
 * </ul>
 * Connections that are still open count for nothing, so a pool opening many connections at once gets the fast path
 * for all of them. A server's record is made by the first connection that goes on to the handshake, and consulted
 * before any other check, so that a skipped connection costs what a plain connect does.
 * {@code shunt.skipShortConnections=false} turns the rule off.
 */
final class ShortConnections {
    /** A connection that closed sooner than this after its handshake, with little traffic, is short. */
    static final long SHORT_MILLIS = 20;
    /** A connection that moved this many bytes, both directions together, paid back its handshake. */
    static final long SHORT_BYTES = 256 * 1024;
    /** How many short connections in a row make the next frequent one skip the handshake. */
    static final int STREAK = 8;
    /** Connects closer together than this are frequent. */
    static final long FREQUENT_MILLIS = 100;
    /** A probe comes after at least this many skipped connections... */
    static final int PROBE_EVERY = 32;
    /** ...and at least this long after the previous probe. */
    static final long PROBE_MILLIS = 100;

    /** Enough for the servers one process talks to; past it the records start over rather than grow. */
    private static final int MAX_SERVERS = 256;
    private static final Map<Path, ShortConnections> SERVERS = new ConcurrentHashMap<>();

    private final LongSupplier clock;
    private int shortStreak;
    private boolean connectedBefore;
    private long lastConnectNanos;
    private int skippedSinceProbe;
    private boolean probedBefore;
    private long lastProbeNanos;

    ShortConnections(LongSupplier clock) {
        this.clock = clock;
    }

    /** @return the record of the client's fast-path connections to the server at this socket path, or null: none */
    static ShortConnections known(Path socketPath) {
        return SERVERS.get(socketPath);
    }

    /** @return the record of the client's connections to the server at this socket path, made on first use */
    static ShortConnections forServer(Path socketPath) {
        ShortConnections known = SERVERS.get(socketPath);
        if (known != null) {
            return known;
        }
        if (SERVERS.size() >= MAX_SERVERS) {
            SERVERS.clear();
        }
        return SERVERS.computeIfAbsent(socketPath, path -> new ShortConnections(System::nanoTime));
    }

    /**
     * A client is about to connect to this server (before its other checks): records the connect and decides.
     *
     * @return true when this connection should stay on the kernel socket
     */
    synchronized boolean skipHandshake() {
        long now = clock.getAsLong();
        boolean frequent = connectedBefore && now - lastConnectNanos < TimeUnit.MILLISECONDS.toNanos(FREQUENT_MILLIS);
        connectedBefore = true;
        lastConnectNanos = now;
        if (!frequent || shortStreak < STREAK) {
            return false;
        }
        if (++skippedSinceProbe < PROBE_EVERY
                || probedBefore && now - lastProbeNanos < TimeUnit.MILLISECONDS.toNanos(PROBE_MILLIS)) {
            return true;
        }
        skippedSinceProbe = 0;
        probedBefore = true;
        lastProbeNanos = now;
        return false;
    }

    /** @return when a fast-path connection to this server starts, for {@link #ended} */
    long now() {
        return clock.getAsLong();
    }

    /**
     * A fast-path connection to this server closed.
     *
     * @param startedNanos what {@link #now()} said when its stream was made
     * @param bytes the bytes it moved, both directions together
     */
    synchronized void ended(long startedNanos, long bytes) {
        boolean isShort = clock.getAsLong() - startedNanos < TimeUnit.MILLISECONDS.toNanos(SHORT_MILLIS)
                && bytes < SHORT_BYTES;
        shortStreak = isShort ? Math.min(shortStreak + 1, STREAK) : 0;
    }
}
