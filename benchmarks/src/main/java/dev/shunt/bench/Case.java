package dev.shunt.bench;

import java.util.List;
import java.util.Locale;

/**
 * One measurement every transport runs: a scenario at one size and, for the paced scenarios, one pace.
 *
 * @param scenario what is done
 * @param size message or write size in bytes; 0 for connection set-up
 * @param pace messages per second for fixed-rate, the pause before each message in nanoseconds for wakeup
 *     (the sleeping peer); 0 otherwise
 */
record Case(Scenario scenario, int size, long pace) {

    /** A case without a pace. */
    Case(Scenario scenario, int size) {
        this(scenario, size, 0);
    }

    /** Identifies the case in the client's report lines and in the JSON file, e.g. {@code fixed-rate-1000-32}. */
    String key() {
        return switch (scenario) {
            case CONNECT -> scenario.id;
            case FIXED_RATE -> scenario.id + "-" + pace + "-" + size;
            case WAKEUP -> scenario.id + "-" + gap(pace, "") + "-" + size;
            default -> scenario.id + "-" + size;
        };
    }

    /** A heading for the tables and the chart. */
    String title(Options options) {
        return switch (scenario) {
            case PINGPONG -> "Ping-pong round trip, " + bytes(size);
            case FIXED_RATE -> String.format(Locale.ROOT, "Round trip at %,d msg/s (from the intended send time), %s",
                    pace, bytes(size));
            case THROUGHPUT -> "Streaming throughput, " + bytes(size) + " writes";
            case WAKEUP -> "Round trip to a sleeping peer (one message after each " + gap(pace, " ") + " pause), "
                    + bytes(size);
            case SATURATED -> String.format(Locale.ROOT, "Ping-pong round trip, %d busy threads on %d cores, %s",
                    options.loadThreads, Runtime.getRuntime().availableProcessors(), bytes(size));
            case RPC -> "RPC call (application thread and future, server executor thread), " + bytes(size);
            case GRPC -> "gRPC unary call (grpc-java, blocking stub, default executors), " + bytes(size);
            case GRPC_STREAM -> "gRPC streaming (one bidirectional call, flow-controlled), " + bytes(size)
                    + " messages";
            case CONNECT -> "Connection set-up (connect + handshake, then close)";
        };
    }

    /** A short heading for a chart panel. */
    String shortTitle() {
        return switch (scenario) {
            case PINGPONG -> "Ping-pong, " + bytes(size);
            case FIXED_RATE -> String.format(Locale.ROOT, "Fixed rate %,d msg/s, %s", pace, bytes(size));
            case THROUGHPUT -> "Streaming, " + bytes(size) + " writes";
            case WAKEUP -> "Sleeping peer (" + gap(pace, " ") + " pauses), " + bytes(size);
            case SATURATED -> "All cores busy, " + bytes(size);
            case RPC -> "RPC call, " + bytes(size);
            case GRPC -> "gRPC unary call, " + bytes(size);
            case GRPC_STREAM -> "gRPC streaming, " + bytes(size);
            case CONNECT -> "Connection set-up";
        };
    }

    /** The case with this key among {@code cases}. */
    static Case find(List<Case> cases, String key) {
        return cases.stream().filter(c -> c.key().equals(key)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unexpected case " + key));
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

    /** A pause in whole milliseconds or microseconds: 10ms, 500us ({@code space} " " gives "10 ms", "500 µs"). */
    static String gap(long nanos, String space) {
        if (nanos % 1_000_000 == 0) {
            return nanos / 1_000_000 + space + "ms";
        }
        return nanos / 1000 + space + (space.isEmpty() ? "us" : "µs");
    }
}
