package dev.shunt.junixsocket;

import dev.shunt.core.FallbackReason;
import dev.shunt.core.ServerHandshakes;
import dev.shunt.core.ShuntConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.FileDescriptorCast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the server handshake of each connection a {@link ShuntServerSocket} accepts and hands the outcome to its
 * {@link AcceptQueue}, so that no connection waits behind another's handshake: the core's {@link ServerHandshakes}
 * runs those that wait on their clients on threads of this server socket, at most {@link ServerHandshakes#LIMIT}, and
 * declines further Shunt clients at once ({@link FallbackReason#HANDSHAKE_LIMIT}); every other connection is
 * answered on the calling thread, without waiting.
 */
final class HandshakePool {
    private static final Logger LOG = LoggerFactory.getLogger(ShuntServerSocket.class);

    private final AcceptQueue queue;
    private final String server;
    private final ServerHandshakes handshakes;

    /**
     * @param server the listening address, for thread names and logs
     */
    HandshakePool(ShuntConfig config, AcceptQueue queue, String server) {
        this.queue = queue;
        this.server = server;
        this.handshakes = new ServerHandshakes(config, server);
    }

    /**
     * Answers a connection just accepted from the kernel; never waits on its client. The client's marker is read
     * through junixsocket (one {@code getpeername}, as the core would make); the descriptor, which junixsocket gives
     * only through two more system calls, is asked for by marked clients alone.
     */
    void start(AFUNIXSocket connection) {
        String peer;
        try {
            peer = abstractName(connection.getRemoteSocketAddress());
        } catch (RuntimeException e) {
            failed(connection, e);
            return;
        }
        handshakes.start(peer, () -> FileDescriptorCast.using(connection.getFileDescriptor()).as(Integer.class),
                (result, failure) -> {
                    if (failure == null) {
                        queue.add(connection, result);
                    } else {
                        failed(connection, failure);
                    }
                });
    }

    /** @return the name of a peer bound in the abstract namespace, without its leading NUL byte; else null */
    private static String abstractName(AFUNIXSocketAddress peer) {
        if (peer == null || !peer.isInAbstractNamespace()) {
            return null;
        }
        byte[] path = peer.getPathAsBytes();
        return new String(path, 1, path.length - 1, StandardCharsets.ISO_8859_1);
    }

    /** Closes the connection; a handshake that failed is logged, anything else goes to an accept() caller. */
    private void failed(AFUNIXSocket connection, Throwable failure) {
        try {
            connection.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
        if (failure instanceof IOException && queue.isClosed()) {
            LOG.debug("Shunt handshake on a connection to {} ended by the server socket's close: {}", server,
                    failure.toString());
        } else if (failure instanceof IOException) {
            LOG.warn("Shunt handshake on a connection to {} failed; closing that connection: {}", server,
                    failure.toString());
        } else {
            queue.fail(failure);
        }
    }

    /**
     * Ends the handshakes still waiting on their clients (they fail and close their connections at once) and lets
     * the threads end.
     */
    void close() {
        handshakes.close();
    }
}
