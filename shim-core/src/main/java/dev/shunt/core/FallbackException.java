package dev.shunt.core;

/** Thrown inside the handshake when the connection must stay on the kernel socket; never reaches users. */
final class FallbackException extends Exception {
    private static final long serialVersionUID = 1L;

    private final FallbackReason reason;

    FallbackException(FallbackReason reason, String detail) {
        super(detail.isEmpty() ? reason.description() : reason.description() + ": " + detail, null, false, false);
        this.reason = reason;
    }

    FallbackReason reason() {
        return reason;
    }
}
