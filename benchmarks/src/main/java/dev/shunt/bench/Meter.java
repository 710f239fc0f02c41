package dev.shunt.bench;

import java.io.IOException;

/** Reads both JVMs' {@link Counters} at the start and the end of a measured phase. */
final class Meter {
    private final Control control;
    private long wallStart;
    private Counters clientStart;
    private Counters serverStart;

    Meter(Control control) {
        this.control = control;
    }

    void start() throws IOException {
        serverStart = control.serverCounters();
        clientStart = Counters.local();
        wallStart = System.nanoTime();
    }

    Usage stop() throws IOException {
        long wall = System.nanoTime() - wallStart;
        Counters client = Counters.local().minus(clientStart);
        return new Usage(wall, client, control.serverCounters().minus(serverStart));
    }
}
