package dev.shunt.core;

import java.io.IOException;

/**
 * A client socket's descriptor, asked for only when the client handshake needs it: to mark the socket before
 * connect, or for a recorded event. An adapter whose socket library makes its native socket lazily (junixsocket
 * does, on the first call that needs it) passes one to {@link ShuntHandshake#prepareClient(SocketDescriptor,
 * java.nio.file.Path, ShuntConfig)}, so that a connection that does not attempt the fast path leaves the making to
 * connect, as without Shunt: junixsocket's connect asks the kernel for a made socket's state several times
 * ({@code getpeername} and {@code getsockname} each), and for one not yet made it asks nothing.
 */
@FunctionalInterface
public interface SocketDescriptor {
    /**
     * @return the socket's descriptor, made now if it was not yet
     * @throws IOException when the socket cannot be made
     */
    int get() throws IOException;
}
