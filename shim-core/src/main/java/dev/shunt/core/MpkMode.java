package dev.shunt.core;

import java.util.Locale;

/**
 * What Shunt does with Intel MPK protection keys ({@code shunt.mpk}).
 *
 * <ul>
 *   <li>{@link #REQUIRED} (default): the data pages of the ring this process writes are tagged with a
 *       protection key (the ring it reads is mapped read-only in every mode); where this
 *       process cannot allocate one (no PKU, or seccomp refuses {@code pkey_alloc}), the connection stays
 *       on the kernel socket.</li>
 *   <li>{@link #OPTIONAL}: use a key when one can be had, otherwise run the fast path unprotected.</li>
 *   <li>{@link #OFF}: never tag pages.</li>
 * </ul>
 */
public enum MpkMode {
    /** Fast path only with a protection key. */
    REQUIRED,
    /** Protection key when available, fast path either way. */
    OPTIONAL,
    /** No protection key. */
    OFF;

    /**
     * Parses a property value, case-insensitively.
     *
     * @param value {@code required}, {@code optional} or {@code off}
     * @return the mode
     * @throws IllegalArgumentException naming the accepted values
     */
    public static MpkMode parse(String value) {
        for (MpkMode mode : values()) {
            if (mode.name().equalsIgnoreCase(value.trim())) {
                return mode;
            }
        }
        throw new IllegalArgumentException("shunt.mpk must be one of required, optional, off; got '" + value + "'");
    }

    /** @return the property spelling of this mode */
    public String propertyValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
