package dev.shunt.core;

import java.util.Objects;

/**
 * The outcome of a handshake: a {@link ShuntStream} on the fast path, or the reason the connection stays on
 * the kernel socket (whose stream then carries exactly the application's bytes).
 */
public final class HandshakeResult {
    private final ShuntStream stream;
    private final FallbackReason reason;
    private final String detail;

    private HandshakeResult(ShuntStream stream, FallbackReason reason, String detail) {
        this.stream = stream;
        this.reason = reason;
        this.detail = detail;
    }

    static HandshakeResult fastPath(ShuntStream stream) {
        return new HandshakeResult(Objects.requireNonNull(stream), null, "");
    }

    static HandshakeResult fallback(FallbackException e) {
        ShuntMetrics.get().fallback(e.reason());
        return new HandshakeResult(null, e.reason(), e.getMessage());
    }

    /** @return whether the connection runs on shared memory */
    public boolean isFastPath() {
        return stream != null;
    }

    /**
     * @return the fast-path stream
     * @throws IllegalStateException on a fallback result
     */
    public ShuntStream stream() {
        if (stream == null) {
            throw new IllegalStateException("connection fell back to the kernel socket: " + detail);
        }
        return stream;
    }

    /** @return why the connection fell back, or null on the fast path */
    public FallbackReason fallbackReason() {
        return reason;
    }

    /** @return the fallback reason with its particulars, or "" on the fast path */
    public String detail() {
        return detail;
    }

    @Override
    public String toString() {
        return stream != null ? "fast path (" + stream.role() + ")" : "fallback: " + detail;
    }
}
