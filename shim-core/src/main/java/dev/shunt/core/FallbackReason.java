package dev.shunt.core;

/** Why a connection stays on the kernel socket. Each value's {@link #description()} is what metrics report. */
public enum FallbackReason {
    /** {@code shunt.enabled} is not true on this side. */
    DISABLED(1, "Shunt is disabled on this side"),
    /** The peer never announced or offered Shunt. */
    PEER_NOT_SHUNT(2, "peer does not run Shunt"),
    /** The server's advertisement names another socket file than the one connected to. */
    STALE_ADVERTISEMENT(3, "server advertisement is stale"),
    /** The socket is not bound to a filesystem path, so no advertisement can be found. */
    UNSUPPORTED_ADDRESS(4, "socket address is not a filesystem path"),
    /** The two sides share no protocol version. */
    VERSION_MISMATCH(5, "peer speaks another Shunt protocol version"),
    /** This process cannot allocate a protection key and {@code shunt.mpk=required}. */
    NO_PROTECTION_KEYS(6, "protection keys unavailable"),
    /** The peer declined to set up the fast path (its own reason travels in the detail). */
    PEER_DECLINED(7, "peer declined the fast path"),
    /** The peer's offer or its shared memory failed validation. */
    INVALID_OFFER(8, "peer's offer failed validation"),
    /** This process could not create or map shared memory. */
    LOCAL_FAILURE(9, "shared memory could not be set up here"),
    /** The server already had as many handshakes waiting on their clients as it allows. */
    HANDSHAKE_LIMIT(10, "server has too many handshakes in progress"),
    /**
     * The application bound the client socket to an address of its own before connecting, so it cannot carry the
     * client marker (the marker is the socket's address). Reported by the client only: the server sees an
     * unmarked client.
     */
    CLIENT_BOUND(11, "application bound the client socket itself"),
    /** This process's fast-path connections hold as many memory mappings as {@code shunt.maxMappings} allows. */
    MAPPING_LIMIT(12, "fast-path mapping limit reached"),
    /**
     * The client's recent fast-path connections to this server were short and frequent: a handshake would cost more
     * than the connection saves ({@link ShortConnections}). Reported by the client only: it does not mark itself,
     * so the server sees an unmarked client.
     */
    SHORT_CONNECTIONS(13, "recent connections to this server were too short to pay for a handshake");

    private final int code;
    private final String description;

    FallbackReason(int code, String description) {
        this.code = code;
        this.description = description;
    }

    /** @return a short human-readable sentence fragment, stable for metrics */
    public String description() {
        return description;
    }

    /** @return the wire code of this reason in DECLINE and REJECT messages; fixed forever */
    int code() {
        return code;
    }

    /** @return the reason with this wire code, or {@link #PEER_DECLINED} for codes this version does not know */
    static FallbackReason ofCode(int code) {
        for (FallbackReason reason : values()) {
            if (reason.code == code) {
                return reason;
            }
        }
        return PEER_DECLINED;
    }
}
