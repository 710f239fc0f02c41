package dev.shunt.jdk;

/** Which path a Shunt Unix-domain channel's bytes take. */
enum Route {
    /** A client before {@code connect}: the path is not known yet. */
    UNDECIDED,
    /**
     * The handshake runs (a client's on the {@link HandshakePool}, a server's on its listening channel's
     * {@code ServerHandshakes}): reads move nothing yet, writes are kept ({@link EarlyBytes}).
     */
    HANDSHAKING,
    /** Shared-memory rings. */
    FAST,
    /** The kernel socket, exactly as the JDK's own channel. */
    KERNEL,
    /** The handshake could neither finish nor fall back; every operation reports why. */
    FAILED
}
