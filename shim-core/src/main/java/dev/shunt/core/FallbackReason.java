package dev.shunt.core;

/** Why a connection stays on the kernel socket. Each value's {@link #description()} is what metrics report. */
public enum FallbackReason {
    /** {@code shunt.enabled} is not true on this side. */
    DISABLED("Shunt is disabled on this side"),
    /** The peer never announced or offered Shunt. */
    PEER_NOT_SHUNT("peer does not run Shunt"),
    /** The server's advertisement names another socket file than the one connected to. */
    STALE_ADVERTISEMENT("server advertisement is stale"),
    /** The socket is not bound to a filesystem path, so no advertisement can be found. */
    UNSUPPORTED_ADDRESS("socket address is not a filesystem path"),
    /** The two sides share no protocol version. */
    VERSION_MISMATCH("peer speaks another Shunt protocol version"),
    /** This process cannot allocate a protection key and {@code shunt.mpk=required}. */
    NO_PROTECTION_KEYS("protection keys unavailable"),
    /** The peer declined to set up the fast path (its own reason travels in the detail). */
    PEER_DECLINED("peer declined the fast path"),
    /** The peer's offer or its shared memory failed validation. */
    INVALID_OFFER("peer's offer failed validation"),
    /** This process could not create or map shared memory. */
    LOCAL_FAILURE("shared memory could not be set up here");

    private final String description;

    FallbackReason(String description) {
        this.description = description;
    }

    /** @return a short human-readable sentence fragment, stable for metrics */
    public String description() {
        return description;
    }

    /** @return the wire code of this reason */
    int code() {
        return ordinal() + 1;
    }

    /** @return the reason with this wire code, or {@link #PEER_DECLINED} for codes this version does not know */
    static FallbackReason ofCode(int code) {
        FallbackReason[] values = values();
        return code >= 1 && code <= values.length ? values[code - 1] : PEER_DECLINED;
    }
}
