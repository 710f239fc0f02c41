package dev.shunt.core;

/**
 * Records Shunt's JFR events ({@link HandshakeEvent}, {@link ProtocolErrorEvent}, {@link WaitEvent}; all disabled by
 * default). Each call first asks the event's {@link EventSwitch}, so a disabled event allocates nothing and costs a
 * load or two; only an enabled one is created. The event classes themselves are touched only then: their
 * initialization sets up JFR.
 */
final class ShuntEvents {
    private static final EventSwitch HANDSHAKE = new EventSwitch(HandshakeEvent.class);
    private static final EventSwitch PROTOCOL_ERROR = new EventSwitch(ProtocolErrorEvent.class);
    private static final EventSwitch WAIT = new EventSwitch(WaitEvent.class);

    private ShuntEvents() {
    }

    /** @return a begun handshake event when a recording wants one, else null */
    /** @return whether a recording wants handshake events (they name the socket's descriptor) */
    static boolean handshakesRecorded() {
        return HANDSHAKE.on();
    }

    static HandshakeEvent handshakeStarted() {
        if (!HANDSHAKE.on()) {
            return null;
        }
        HandshakeEvent event = new HandshakeEvent();
        event.begin();
        return event;
    }

    /**
     * Commits a started handshake event with the handshake's outcome.
     *
     * @param event the {@link #handshakeStarted()} event, or null (nothing to record)
     */
    static void handshakeEnded(HandshakeEvent event, Role role, int fd, HandshakeResult result) {
        if (event == null) {
            return;
        }
        if (result.isFastPath()) {
            commit(event, role, fd, result.toString(), "", "");
        } else {
            commit(event, role, fd, "fallback", result.fallbackReason().name(), result.detail());
        }
    }

    /**
     * Commits a started handshake event for a handshake that failed; the caller closes the connection.
     *
     * @param event the {@link #handshakeStarted()} event, or null (nothing to record)
     */
    static void handshakeFailed(HandshakeEvent event, Role role, int fd, Throwable failure) {
        if (event != null) {
            commit(event, role, fd, "failed", "", String.valueOf(failure.getMessage()));
        }
    }

    private static void commit(HandshakeEvent event, Role role, int fd, String outcome, String fallbackReason,
            String detail) {
        event.end();
        event.role = roleName(role);
        event.fd = fd;
        event.outcome = outcome;
        event.fallbackReason = fallbackReason;
        event.detail = detail;
        event.commit();
    }

    /** Records that the peer broke the protocol on a fast-path connection, which is being closed. */
    static void protocolError(Role role, int fd, ShuntProtocolException e) {
        if (PROTOCOL_ERROR.on()) {
            ProtocolErrorEvent event = new ProtocolErrorEvent();
            event.role = roleName(role);
            event.fd = fd;
            event.message = e.getMessage();
            event.commit();
        }
    }

    /**
     * @return a begun wait event with the policy's decision when a recording wants waits, else null
     */
    static WaitEvent waitBegan(long spinBudgetNanos, boolean peerOnThisCpu, boolean wokePeer) {
        if (!WAIT.on()) {
            return null;
        }
        WaitEvent event = new WaitEvent();
        event.spinBudget = spinBudgetNanos;
        event.peerOnThisCpu = peerOnThisCpu;
        event.wokePeer = wokePeer;
        event.begin();
        return event;
    }

    /**
     * Commits a begun wait event (when it lasted the threshold).
     *
     * @param event the {@link #waitBegan} event, or null (nothing to record)
     * @param slept whether the wait went to sleep
     */
    static void waitEnded(WaitEvent event, boolean slept) {
        if (event != null) {
            event.slept = slept;
            event.commit();
        }
    }

    private static String roleName(Role role) {
        return role == Role.SERVER ? "server" : "client";
    }
}
