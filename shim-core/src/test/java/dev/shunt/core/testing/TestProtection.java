package dev.shunt.core.testing;

import dev.shunt.core.MpkMode;
import dev.shunt.core.ShuntConfig;
import dev.shunt.nativeio.testing.ProtectionKeysCondition;

/**
 * The protection the fast path runs with in tests on this machine: {@code shunt.mpk=required} where this process
 * can use protection keys, {@code optional} (the fast path without keys) where it cannot. Tests of fast-path
 * behaviour use it so they run the fast path on both sorts of machine; tests about the keys themselves say so
 * with {@code RequiresProtectionKeys} and name the mode they need.
 */
public final class TestProtection {
    /** The mode under which the fast path engages here. */
    public static final MpkMode MODE = ProtectionKeysCondition.keysAvailable() ? MpkMode.REQUIRED : MpkMode.OPTIONAL;
    /** {@link #MODE} as a {@code key=value} system property for a child JVM. */
    public static final String PROPERTY = ShuntConfig.MPK + "=" + MODE.propertyValue();

    private TestProtection() {
    }

    /** @return whether fast-path connections made here carry protection keys */
    public static boolean keysProtectRings() {
        return MODE == MpkMode.REQUIRED;
    }

    /**
     * @param ringBytes ring capacity per direction
     * @param spinNanos spin budget
     * @param handshakeTimeoutMillis handshake bound
     * @return an enabled configuration that engages the fast path on this machine
     */
    public static ShuntConfig fastPath(int ringBytes, long spinNanos, long handshakeTimeoutMillis) {
        return new ShuntConfig(true, MODE, ringBytes, spinNanos, handshakeTimeoutMillis);
    }
}
