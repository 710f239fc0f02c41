package dev.shunt.bench;

/**
 * Drives the scenarios over one transport in the client JVM. Each call opens its own connection, runs the
 * shared scenario logic ({@link RoundTrips}, {@link StreamRun}) on it in the transport's own style (a blocking
 * loop, or an event-loop handler) and returns the path the connection took.
 */
interface ClientSide {
    /** Round trips of {@code size}-byte messages on one connection, as {@code trips} paces and records them. */
    String roundTrips(int size, RoundTrips trips) throws Exception;

    /**
     * RPC calls of {@code size}-byte requests on one connection, one outstanding, as {@code trips} paces and
     * records them: the calling (application) thread sends each request and waits on a future, which the
     * thread that reads the connection completes when the reply is in.
     */
    String rpc(int size, RoundTrips trips) throws Exception;

    /**
     * gRPC unary calls of {@code size}-byte requests on one gRPC channel (one connection), one outstanding, as
     * {@code trips} paces and records them: the calling thread makes each call through a blocking stub, with
     * grpc-java's default executors on both sides. Only the Netty transports make them; the others are never
     * asked ({@link Transport#notApplicable}).
     */
    default String grpc(int size, RoundTrips trips) throws Exception {
        throw new UnsupportedOperationException("gRPC runs on the Netty transports only");
    }

    /**
     * gRPC streaming rounds of {@code size}-byte messages on one bidirectional call (one connection) until
     * {@code run} is over: the calling thread sends as fast as gRPC's flow control lets it; the server answers the
     * message that ends a round. Only the Netty transports make them, as {@link #grpc}.
     */
    default String grpcStream(int size, StreamRun run) throws Exception {
        throw new UnsupportedOperationException("gRPC runs on the Netty transports only");
    }

    /** Streaming rounds of {@code size}-byte writes on one connection until {@code run} is over. */
    String stream(int size, StreamRun run) throws Exception;

    /**
     * Connections opened one after another until {@code trips} is over; each counts as a "round trip" from the
     * start of connect until the connection is ready for data, and is closed before the next.
     *
     * @return the paths the connections took, with their shares when they differ ({@link PathTally})
     */
    String connections(RoundTrips trips) throws Exception;
}
