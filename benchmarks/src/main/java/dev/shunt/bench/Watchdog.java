package dev.shunt.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Kills what runs past a case's time limit, unless cancelled first: the guard against a hung process. */
final class Watchdog {
    private final CompletableFuture<Void> timer;

    /** Runs {@code kill} after {@code seconds} unless {@link #cancel} comes first. */
    Watchdog(long seconds, Runnable kill) {
        timer = CompletableFuture.runAsync(kill, CompletableFuture.delayedExecutor(seconds, TimeUnit.SECONDS));
    }

    void cancel() {
        timer.cancel(false); // a cancelled delayed task does not run
    }
}
