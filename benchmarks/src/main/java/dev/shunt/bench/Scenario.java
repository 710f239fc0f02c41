package dev.shunt.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What the client does on a connection; docs/benchmarks.md gives the method and pitfalls of each. */
enum Scenario {
    /** Back-to-back round trips of one message size. */
    PINGPONG("pingpong", "round trips, back to back, at each --sizes size"),
    /** Round trips sent on a fixed schedule, latency measured from the intended send time. */
    FIXED_RATE("fixed-rate", "round trips at each --rates rate, from the intended send time (no coordinated "
            + "omission)"),
    /** One-way streaming of large writes, acknowledged at the end. */
    THROUGHPUT("throughput", "one-way streaming of --stream-sizes writes, GB/s"),
    /** One round trip after each sleep of a gap, so that the peer has gone to sleep in between. */
    WAKEUP("wakeup", "sleeping peer: one round trip after each --gaps pause, so the peer has to be woken"),
    /** Back-to-back round trips while busy threads in a third process occupy every core. */
    SATURATED("saturated", "round trips while --load-threads busy threads in another JVM saturate the cores"),
    /** Calls through the hand-offs of an RPC framework: application thread, reader, server executor. */
    RPC("rpc", "RPC calls: an application thread waits on a future that the reading thread (event loop)\n"
            + "                completes; the server's handler hands each request to an executor thread that\n"
            + "                writes the reply; one call outstanding"),
    /** gRPC unary calls (grpc-java over grpc-netty) with the framework's own threads: the Netty transports. */
    GRPC("grpc", "gRPC unary echo calls through grpc-java on the transport's Netty channels: blocking\n"
            + "                stub, default executors, one call outstanding; Netty transports only"),
    /** A gRPC bidirectional stream at the pace gRPC's flow control allows: messages per second. */
    GRPC_STREAM("grpc-stream", "gRPC streaming: the client sends messages on one bidirectional call as fast as\n"
            + "                gRPC's flow control lets it, the server counts them and answers the last of a\n"
            + "                round; messages/s; Netty transports only"),
    /** Connections opened (with Shunt's handshake where it applies) and closed, one after another. */
    CONNECT("connect", "connection set-up: connect (+ Shunt handshake) and close, one after another");

    final String id;
    final String description;

    Scenario(String id, String description) {
        this.id = id;
        this.description = description;
    }

    /** Whether its figures are a latency histogram of round trips. */
    boolean roundTrips() {
        return this != THROUGHPUT && this != CONNECT && this != GRPC_STREAM;
    }

    /** Whether it runs through grpc-java, whose code the JIT compiler needs long to compile. */
    boolean grpc() {
        return this == GRPC || this == GRPC_STREAM;
    }

    static Scenario parse(String id) {
        for (Scenario s : values()) {
            if (s.id.equals(id.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown scenario '" + id + "'; choose from "
                + Arrays.stream(values()).map(s -> s.id).collect(Collectors.joining(", ")) + " or all");
    }

    static String describeAll() {
        return Arrays.stream(values()).map(s -> String.format(Locale.ROOT, "  %-13s %s", s.id, s.description))
                .collect(Collectors.joining("\n"));
    }
}
