package dev.shunt.core;

import java.util.Objects;
import java.util.Properties;

/**
 * Shunt's settings, read from system properties and validated.
 *
 * <table>
 *   <caption>Properties</caption>
 *   <tr><th>property</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code shunt.enabled}</td><td>false</td><td>try the shared-memory fast path at all</td></tr>
 *   <tr><td>{@code shunt.mpk}</td><td>required</td><td>see {@link MpkMode}</td></tr>
 *   <tr><td>{@code shunt.ringBytes}</td><td>1048576</td><td>bytes per direction; a power of two, 4 KiB to 256 MiB</td></tr>
 *   <tr><td>{@code shunt.spinNanos}</td><td>50000</td><td>the most a waiting side spins before it parks ({@link WaitPolicy}
 *   learns how long within it); 0 to 1 s</td></tr>
 *   <tr><td>{@code shunt.handshakeTimeoutMillis}</td><td>5000</td><td>bound on every handshake wait; 1 ms to 10 min</td></tr>
 *   <tr><td>{@code shunt.quietReleaseMillis}</td><td>1000</td><td>a connection whose outbound ring the peer has read
 *   empty and that wrote nothing for this long gives the ring's pages back to the kernel ({@link QuietRelease});
 *   0 never; at most 1 h</td></tr>
 *   <tr><td>{@code shunt.maxMappings}</td><td>derived</td><td>the most memory mappings this process's fast-path
 *   connections may hold (2 or 3 each); past it new connections stay on the kernel socket
 *   ({@link FallbackReason#MAPPING_LIMIT}). By default half of what {@code vm.max_map_count} leaves after the
 *   mappings the process has when the first connection checks ({@link MappingBudget}); 1 to 2^31-1</td></tr>
 *   <tr><td>{@code shunt.skipShortConnections}</td><td>true</td><td>a client whose recent fast-path connections to a
 *   server were short and frequent keeps the next ones on the kernel socket, where a handshake would cost more than
 *   they save ({@link FallbackReason#SHORT_CONNECTIONS}); false always tries the fast path</td></tr>
 * </table>
 */
public final class ShuntConfig {
    /** Property names. */
    public static final String ENABLED = "shunt.enabled";
    /** @see MpkMode */
    public static final String MPK = "shunt.mpk";
    /** Ring capacity per direction in bytes. */
    public static final String RING_BYTES = "shunt.ringBytes";
    /** Spin budget before parking. */
    public static final String SPIN_NANOS = "shunt.spinNanos";
    /** Bound on handshake waits. */
    public static final String HANDSHAKE_TIMEOUT_MILLIS = "shunt.handshakeTimeoutMillis";
    /** Quiet time after which an outbound ring's pages go back to the kernel. */
    public static final String QUIET_RELEASE_MILLIS = "shunt.quietReleaseMillis";
    /** Bound on the memory mappings of fast-path connections. */
    public static final String MAX_MAPPINGS = "shunt.maxMappings";
    /** Whether frequent short connections skip the handshake. */
    public static final String SKIP_SHORT_CONNECTIONS = "shunt.skipShortConnections";
    /** {@link #maxMappings()} when the bound is derived from {@code vm.max_map_count}. */
    public static final int DERIVED_MAX_MAPPINGS = 0;

    static final int MIN_RING_BYTES = 4096;
    static final int MAX_RING_BYTES = 1 << 28;
    static final long MAX_SPIN_NANOS = 1_000_000_000L;
    static final long MAX_HANDSHAKE_TIMEOUT_MILLIS = 600_000L;
    static final long MAX_QUIET_RELEASE_MILLIS = 3_600_000L;

    private static final int DEFAULT_RING_BYTES = 1 << 20;
    private static final long DEFAULT_SPIN_NANOS = 50_000L;
    private static final long DEFAULT_HANDSHAKE_TIMEOUT_MILLIS = 5_000L;
    private static final long DEFAULT_QUIET_RELEASE_MILLIS = 1_000L;

    private final boolean enabled;
    private final MpkMode mpk;
    private final int ringBytes;
    private final long spinNanos;
    private final long handshakeTimeoutMillis;
    private final long quietReleaseMillis;
    private final int maxMappings;
    private final boolean skipShortConnections;

    /**
     * Creates a configuration, validating every value; {@code shunt.quietReleaseMillis}, {@code shunt.maxMappings}
     * and {@code shunt.skipShortConnections} take their defaults.
     *
     * @param enabled whether the fast path may be tried
     * @param mpk protection-key policy
     * @param ringBytes ring capacity per direction (power of two, 4 KiB .. 256 MiB)
     * @param spinNanos spin budget before parking (0 .. 1 s)
     * @param handshakeTimeoutMillis bound on handshake waits (1 ms .. 10 min)
     * @throws IllegalArgumentException naming the property and the value it refuses
     */
    public ShuntConfig(boolean enabled, MpkMode mpk, int ringBytes, long spinNanos, long handshakeTimeoutMillis) {
        this(enabled, mpk, ringBytes, spinNanos, handshakeTimeoutMillis, DEFAULT_QUIET_RELEASE_MILLIS,
                DERIVED_MAX_MAPPINGS, true);
    }

    private ShuntConfig(boolean enabled, MpkMode mpk, int ringBytes, long spinNanos, long handshakeTimeoutMillis,
            long quietReleaseMillis, int maxMappings, boolean skipShortConnections) {
        this.enabled = enabled;
        this.mpk = Objects.requireNonNull(mpk, "mpk");
        if (ringBytes < MIN_RING_BYTES || ringBytes > MAX_RING_BYTES || Integer.bitCount(ringBytes) != 1) {
            throw new IllegalArgumentException(RING_BYTES + " must be a power of two from " + MIN_RING_BYTES
                    + " to " + MAX_RING_BYTES + "; got " + ringBytes);
        }
        if (spinNanos < 0 || spinNanos > MAX_SPIN_NANOS) {
            throw new IllegalArgumentException(SPIN_NANOS + " must be from 0 to " + MAX_SPIN_NANOS + "; got " + spinNanos);
        }
        if (handshakeTimeoutMillis < 1 || handshakeTimeoutMillis > MAX_HANDSHAKE_TIMEOUT_MILLIS) {
            throw new IllegalArgumentException(HANDSHAKE_TIMEOUT_MILLIS + " must be from 1 to "
                    + MAX_HANDSHAKE_TIMEOUT_MILLIS + "; got " + handshakeTimeoutMillis);
        }
        if (quietReleaseMillis < 0 || quietReleaseMillis > MAX_QUIET_RELEASE_MILLIS) {
            throw new IllegalArgumentException(QUIET_RELEASE_MILLIS + " must be from 0 to " + MAX_QUIET_RELEASE_MILLIS
                    + "; got " + quietReleaseMillis);
        }
        if (maxMappings < 0) {
            throw new IllegalArgumentException(MAX_MAPPINGS + " must be from 1 to " + Integer.MAX_VALUE
                    + ", or absent for the derived bound; got " + maxMappings);
        }
        this.ringBytes = ringBytes;
        this.spinNanos = spinNanos;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.quietReleaseMillis = quietReleaseMillis;
        this.maxMappings = maxMappings;
        this.skipShortConnections = skipShortConnections;
    }

    /**
     * Reads the configuration from the JVM's system properties.
     *
     * @return the validated configuration
     * @throws IllegalArgumentException when a property is malformed
     */
    public static ShuntConfig fromSystemProperties() {
        return from(System.getProperties());
    }

    /**
     * Reads the configuration from the given properties.
     *
     * @param properties where {@code shunt.*} keys are looked up
     * @return the validated configuration
     * @throws IllegalArgumentException when a property is malformed
     */
    public static ShuntConfig from(Properties properties) {
        return new ShuntConfig(
                parseBoolean(properties, ENABLED, false),
                MpkMode.parse(properties.getProperty(MPK, MpkMode.REQUIRED.propertyValue())),
                (int) parseLong(properties, RING_BYTES, DEFAULT_RING_BYTES),
                parseLong(properties, SPIN_NANOS, DEFAULT_SPIN_NANOS),
                parseLong(properties, HANDSHAKE_TIMEOUT_MILLIS, DEFAULT_HANDSHAKE_TIMEOUT_MILLIS),
                parseLong(properties, QUIET_RELEASE_MILLIS, DEFAULT_QUIET_RELEASE_MILLIS),
                parseMaxMappings(properties),
                parseBoolean(properties, SKIP_SHORT_CONNECTIONS, true));
    }

    private static int parseMaxMappings(Properties properties) {
        if (properties.getProperty(MAX_MAPPINGS) == null) {
            return DERIVED_MAX_MAPPINGS;
        }
        long value = parseLong(properties, MAX_MAPPINGS, DERIVED_MAX_MAPPINGS);
        if (value < 1 || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(MAX_MAPPINGS + " must be from 1 to " + Integer.MAX_VALUE + "; got "
                    + value);
        }
        return (int) value;
    }

    private static boolean parseBoolean(Properties properties, String key, boolean defaultValue) {
        String value = properties.getProperty(key);
        if (value == null) {
            return defaultValue;
        }
        switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw new IllegalArgumentException(key + " must be true or false; got '" + value + "'");
        }
    }

    private static long parseLong(Properties properties, String key, long defaultValue) {
        String value = properties.getProperty(key);
        if (value == null) {
            return defaultValue;
        }
        try {
            long parsed = Long.parseLong(value.trim());
            if (key.equals(RING_BYTES) && (parsed < Integer.MIN_VALUE || parsed > Integer.MAX_VALUE)) {
                throw new IllegalArgumentException(key + " must be a power of two from " + MIN_RING_BYTES
                        + " to " + MAX_RING_BYTES + "; got " + value);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number; got '" + value + "'", e);
        }
    }

    /** @return a copy with the fast path enabled or disabled */
    public ShuntConfig withEnabled(boolean value) {
        return new ShuntConfig(value, mpk, ringBytes, spinNanos, handshakeTimeoutMillis, quietReleaseMillis,
                maxMappings, skipShortConnections);
    }

    /** @return a copy with another protection-key policy */
    public ShuntConfig withMpk(MpkMode value) {
        return new ShuntConfig(enabled, value, ringBytes, spinNanos, handshakeTimeoutMillis, quietReleaseMillis,
                maxMappings, skipShortConnections);
    }

    /** @return a copy with another ring capacity */
    public ShuntConfig withRingBytes(int value) {
        return new ShuntConfig(enabled, mpk, value, spinNanos, handshakeTimeoutMillis, quietReleaseMillis, maxMappings,
                skipShortConnections);
    }

    /** @return a copy with another spin budget */
    public ShuntConfig withSpinNanos(long value) {
        return new ShuntConfig(enabled, mpk, ringBytes, value, handshakeTimeoutMillis, quietReleaseMillis, maxMappings,
                skipShortConnections);
    }

    /** @return a copy with another handshake bound */
    public ShuntConfig withHandshakeTimeoutMillis(long value) {
        return new ShuntConfig(enabled, mpk, ringBytes, spinNanos, value, quietReleaseMillis, maxMappings,
                skipShortConnections);
    }

    /** @return a copy with another quiet time before ring pages go back to the kernel (0: never) */
    public ShuntConfig withQuietReleaseMillis(long value) {
        return new ShuntConfig(enabled, mpk, ringBytes, spinNanos, handshakeTimeoutMillis, value, maxMappings,
                skipShortConnections);
    }

    /** @return a copy with another bound on fast-path mappings ({@link #DERIVED_MAX_MAPPINGS}: derived) */
    public ShuntConfig withMaxMappings(int value) {
        return new ShuntConfig(enabled, mpk, ringBytes, spinNanos, handshakeTimeoutMillis, quietReleaseMillis, value,
                skipShortConnections);
    }

    /** @return a copy that lets frequent short connections skip the handshake, or not */
    public ShuntConfig withSkipShortConnections(boolean value) {
        return new ShuntConfig(enabled, mpk, ringBytes, spinNanos, handshakeTimeoutMillis, quietReleaseMillis,
                maxMappings, value);
    }

    /** @return whether the fast path may be tried */
    public boolean enabled() {
        return enabled;
    }

    /** @return the protection-key policy */
    public MpkMode mpk() {
        return mpk;
    }

    /** @return ring capacity per direction in bytes */
    public int ringBytes() {
        return ringBytes;
    }

    /** @return spin budget before parking, in nanoseconds */
    public long spinNanos() {
        return spinNanos;
    }

    /** @return bound on every handshake wait, in milliseconds */
    public long handshakeTimeoutMillis() {
        return handshakeTimeoutMillis;
    }

    /** @return quiet time before an outbound ring's pages go back to the kernel, in milliseconds; 0 never */
    public long quietReleaseMillis() {
        return quietReleaseMillis;
    }

    /** @return the bound on fast-path mappings, or {@link #DERIVED_MAX_MAPPINGS} when derived */
    public int maxMappings() {
        return maxMappings;
    }

    /** @return whether a client keeps frequent short connections to a server on the kernel socket */
    public boolean skipShortConnections() {
        return skipShortConnections;
    }

    @Override
    public String toString() {
        return ENABLED + "=" + enabled + " " + MPK + "=" + mpk.propertyValue() + " " + RING_BYTES + "=" + ringBytes
                + " " + SPIN_NANOS + "=" + spinNanos + " " + HANDSHAKE_TIMEOUT_MILLIS + "=" + handshakeTimeoutMillis
                + " " + QUIET_RELEASE_MILLIS + "=" + quietReleaseMillis + " " + MAX_MAPPINGS + "="
                + (maxMappings == DERIVED_MAX_MAPPINGS ? "derived" : Integer.toString(maxMappings)) + " "
                + SKIP_SHORT_CONNECTIONS + "=" + skipShortConnections;
    }
}
