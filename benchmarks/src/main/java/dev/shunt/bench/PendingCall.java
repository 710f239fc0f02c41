package dev.shunt.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The one outstanding call of an RPC client: the application thread registers a future before it sends a
 * request and waits on it; the thread that reads the reply (a reader thread, or the event loop in
 * {@code channelRead}) completes it. A fresh {@link CompletableFuture} per call, as RPC frameworks hand out:
 * its allocation and the wake-up of the waiting thread are part of what the scenario measures.
 */
final class PendingCall {
    private volatile CompletableFuture<Void> pending = CompletableFuture.completedFuture(null);

    /** Registers the next call; before its request goes out, so that the reply always finds it. */
    CompletableFuture<Void> expect() {
        CompletableFuture<Void> call = new CompletableFuture<>();
        pending = call;
        return call;
    }

    /** The reply is in. */
    void complete() {
        pending.complete(null);
    }

    /** The connection broke: the waiting call, if any, fails with {@code cause}. */
    void fail(Throwable cause) {
        pending.completeExceptionally(cause);
    }

    /** Waits for a call; its failure is thrown as it was raised. */
    static void await(CompletableFuture<Void> call) throws Exception {
        try {
            call.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
