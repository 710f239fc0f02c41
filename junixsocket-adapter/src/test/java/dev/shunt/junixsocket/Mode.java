package dev.shunt.junixsocket;

import dev.shunt.core.FallbackReason;

/** The configurations every socket-semantics case runs in; the socket under test is always a Shunt socket. */
enum Mode {
    /** Both ends Shunt with the fast path enabled; the client is under test. */
    FAST_PATH(Side.SHUNT_ENABLED, Side.SHUNT_ENABLED, true, null),
    /** Both ends Shunt with the fast path enabled; the accepted end is under test. */
    FAST_PATH_ACCEPTED(Side.SHUNT_ENABLED, Side.SHUNT_ENABLED, false, null),
    /** Both ends Shunt with {@code shunt.enabled=false}. */
    DISABLED(Side.SHUNT_DISABLED, Side.SHUNT_DISABLED, true, FallbackReason.DISABLED),
    /** A Shunt client (enabled) talking to a plain junixsocket server. */
    MIXED_SHUNT_CLIENT(Side.PLAIN, Side.SHUNT_ENABLED, true, FallbackReason.PEER_NOT_SHUNT),
    /** A plain junixsocket client talking to a Shunt server (enabled); the accepted end is under test. */
    MIXED_SHUNT_SERVER(Side.SHUNT_ENABLED, Side.PLAIN, false, FallbackReason.PEER_NOT_SHUNT);

    /** What runs on one end. */
    enum Side {
        SHUNT_ENABLED, SHUNT_DISABLED, PLAIN
    }

    final Side server;
    final Side client;
    final boolean clientUnderTest;
    /** The fallback reason the socket under test reports, or null for the fast path. */
    final FallbackReason expectedFallback;

    Mode(Side server, Side client, boolean clientUnderTest, FallbackReason expectedFallback) {
        this.server = server;
        this.client = client;
        this.clientUnderTest = clientUnderTest;
        this.expectedFallback = expectedFallback;
    }

    boolean fastPath() {
        return expectedFallback == null;
    }
}
