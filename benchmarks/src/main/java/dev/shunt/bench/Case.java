package dev.shunt.bench;

import java.util.Locale;

/**
 * One measurement every transport runs: a scenario at one size.
 *
 * @param scenario what is done
 * @param size message or write size in bytes; 0 for connection set-up
 */
record Case(Scenario scenario, int size) {

    /** Identifies the case in the client's report lines and in the JSON file, e.g. {@code pingpong-32}. */
    String key() {
        return scenario == Scenario.CONNECT ? scenario.id : scenario.id + "-" + size;
    }

    /** A heading for the tables and the chart. */
    String title(Options options) {
        return switch (scenario) {
            case PINGPONG -> "Ping-pong round trip, " + bytes(size);
            case FIXED_RATE -> String.format(Locale.ROOT, "Round trip at %,d msg/s (from the intended send time), %s",
                    options.rate, bytes(size));
            case THROUGHPUT -> "Streaming throughput, " + bytes(size) + " writes";
            case WAKEUP -> "Round trip to a sleeping peer (one message every 10 ms), " + bytes(size);
            case SATURATED -> String.format(Locale.ROOT, "Ping-pong round trip, %d busy threads on %d cores, %s",
                    options.loadThreads, Runtime.getRuntime().availableProcessors(), bytes(size));
            case CONNECT -> "Connection set-up (connect + handshake, then close)";
        };
    }

    /** A short heading for a chart panel. */
    String shortTitle(Options options) {
        return switch (scenario) {
            case PINGPONG -> "Ping-pong, " + bytes(size);
            case FIXED_RATE -> String.format(Locale.ROOT, "Fixed rate %,d msg/s, %s", options.rate, bytes(size));
            case THROUGHPUT -> "Streaming, " + bytes(size) + " writes";
            case WAKEUP -> "Sleeping peer (every 10 ms), " + bytes(size);
            case SATURATED -> "All cores busy, " + bytes(size);
            case CONNECT -> "Connection set-up";
        };
    }

    /** 32 B, 1 KiB, 64 KiB, 1 MiB, ... */
    static String bytes(int size) {
        if (size >= 1 << 20 && size % (1 << 20) == 0) {
            return (size >> 20) + " MiB";
        }
        if (size >= 1 << 10 && size % (1 << 10) == 0) {
            return (size >> 10) + " KiB";
        }
        return size + " B";
    }
}
