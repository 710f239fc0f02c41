package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class ShuntConfigTest {
    private static ShuntConfig with(String key, String value) {
        Properties p = new Properties();
        p.setProperty(key, value);
        return ShuntConfig.from(p);
    }

    @Test
    void defaultsAreDisabledRequiredOneMegabyte() {
        ShuntConfig c = ShuntConfig.from(new Properties());
        assertFalse(c.enabled());
        assertEquals(MpkMode.REQUIRED, c.mpk());
        assertEquals(1 << 20, c.ringBytes());
        assertEquals(50_000, c.spinNanos());
        assertEquals(5_000, c.handshakeTimeoutMillis());
        assertEquals(1_000, c.quietReleaseMillis());
        assertEquals(ShuntConfig.DERIVED_MAX_MAPPINGS, c.maxMappings());
    }

    @Test
    void parsesEveryProperty() {
        assertTrue(with(ShuntConfig.ENABLED, " TRUE ").enabled());
        assertEquals(MpkMode.OPTIONAL, with(ShuntConfig.MPK, "Optional").mpk());
        assertEquals(MpkMode.OFF, with(ShuntConfig.MPK, "off").mpk());
        assertEquals(65536, with(ShuntConfig.RING_BYTES, "65536").ringBytes());
        assertEquals(0, with(ShuntConfig.SPIN_NANOS, "0").spinNanos());
        assertEquals(10, with(ShuntConfig.HANDSHAKE_TIMEOUT_MILLIS, "10").handshakeTimeoutMillis());
        assertEquals(0, with(ShuntConfig.QUIET_RELEASE_MILLIS, "0").quietReleaseMillis());
        assertEquals(3, with(ShuntConfig.MAX_MAPPINGS, " 3 ").maxMappings());
        ShuntConfig copy = ShuntConfig.from(new Properties()).withQuietReleaseMillis(5).withMaxMappings(9)
                .withSpinNanos(7);
        assertEquals(5, copy.quietReleaseMillis());
        assertEquals(9, copy.maxMappings());
        assertEquals(7, copy.spinNanos());
    }

    @Test
    void refusesBadValuesNamingThePropertyAndValue() {
        assertMessage(ShuntConfig.ENABLED, "yes", "shunt.enabled must be true or false; got 'yes'");
        assertMessage(ShuntConfig.MPK, "maybe", "shunt.mpk must be one of required, optional, off; got 'maybe'");
        assertMessage(ShuntConfig.RING_BYTES, "5000", "shunt.ringBytes must be a power of two from 4096 to 268435456; got 5000");
        assertMessage(ShuntConfig.RING_BYTES, "1024", "shunt.ringBytes must be a power of two from 4096 to 268435456; got 1024");
        assertMessage(ShuntConfig.RING_BYTES, "8589934592", "shunt.ringBytes must be a power of two from 4096 to 268435456; got 8589934592");
        assertMessage(ShuntConfig.RING_BYTES, "1MB", "shunt.ringBytes must be a whole number; got '1MB'");
        assertMessage(ShuntConfig.SPIN_NANOS, "-1", "shunt.spinNanos must be from 0 to 1000000000; got -1");
        assertMessage(ShuntConfig.HANDSHAKE_TIMEOUT_MILLIS, "0", "shunt.handshakeTimeoutMillis must be from 1 to 600000; got 0");
        assertMessage(ShuntConfig.QUIET_RELEASE_MILLIS, "3600001", "shunt.quietReleaseMillis must be from 0 to 3600000; got 3600001");
        assertMessage(ShuntConfig.MAX_MAPPINGS, "0", "shunt.maxMappings must be from 1 to 2147483647; got 0");
        assertMessage(ShuntConfig.MAX_MAPPINGS, "2147483648", "shunt.maxMappings must be from 1 to 2147483647; got 2147483648");
    }

    private static void assertMessage(String key, String value, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> with(key, value));
        assertEquals(message, e.getMessage());
    }
}
