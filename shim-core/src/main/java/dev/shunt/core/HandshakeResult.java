package dev.shunt.core;

import java.io.Closeable;
import java.io.IOException;
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

    /**
     * Closes the connection this result belongs to, in the order every adapter keeps: on the fast path the stream
     * first ({@link ShuntStream#close()}: the peer reads every byte written, then end of stream; local readers and
     * writers are released), then the kernel socket, which is closed even if closing the stream fails. The other
     * order would free the socket's descriptor number while the stream's threads may still poll it for liveness or
     * ring the peer's doorbell on it, and the process may already have reused that number for another file. On a
     * fallback only the kernel socket is closed. The same call serves a connection nobody will take and one whose
     * handshake ended after the application closed it. Idempotent when the kernel socket's close is.
     *
     * @param kernelSocket closes the connection's kernel socket
     * @throws IOException what closing the kernel socket threw
     */
    public void close(Closeable kernelSocket) throws IOException {
        try {
            if (stream != null) {
                stream.close();
            }
        } finally {
            kernelSocket.close();
        }
    }

    /**
     * @return "fast path with protection keys", "fast path without protection keys", or "fallback: " and the reason
     *     with its particulars
     */
    @Override
    public String toString() {
        if (stream == null) {
            return "fallback: " + detail;
        }
        return stream.isProtected() ? "fast path with protection keys" : "fast path without protection keys";
    }
}
