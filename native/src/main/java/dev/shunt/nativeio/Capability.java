package dev.shunt.nativeio;

import java.util.Objects;

/**
 * Result of probing one capability.
 *
 * @param available whether the capability can be used
 * @param reason    {@code ""} when available, otherwise a sentence saying why not
 */
public record Capability(boolean available, String reason) {

    private static final Capability YES = new Capability(true, "");

    /**
     * Checks that an available capability has no reason and an unavailable one has one.
     *
     * @param available whether the capability can be used
     * @param reason    {@code ""} when available, otherwise a non-blank sentence
     */
    public Capability {
        Objects.requireNonNull(reason, "reason");
        if (available != reason.isEmpty() || (!available && reason.isBlank())) {
            throw new IllegalArgumentException("an available capability has the reason \"\", an unavailable one a non-blank reason");
        }
    }

    /**
     * An available capability.
     *
     * @return a capability with {@code available} true and reason {@code ""}
     */
    public static Capability yes() {
        return YES;
    }

    /**
     * An unavailable capability.
     *
     * @param reason a sentence saying why it is not available
     * @return a capability with {@code available} false
     */
    public static Capability no(String reason) {
        return new Capability(false, reason);
    }
}
