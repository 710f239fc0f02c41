package dev.shunt.bench;

import dev.shunt.junixsocket.ShuntServerSocket;
import dev.shunt.junixsocket.ShuntSocket;
import java.io.IOException;
import java.nio.file.Path;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * Shunt's junixsocket adapter, {@code ShuntSocket} and {@code ShuntServerSocket}: a java.net.Socket application
 * on the fast path. A connection that stays on the kernel socket is measured anyway, and its path says why.
 */
final class ShuntSocketLink {
    private ShuntSocketLink() {
    }

    static DuplexListener listen(Path dir) throws IOException {
        Path socket = dir.resolve("bench.sock");
        ShuntServerSocket server = ShuntServerSocket.bindOn(socket, true);
        return new DuplexListener(socket.toString(), () -> link(server.accept()));
    }

    static DuplexConnector connector(String address) throws IOException {
        AFUNIXSocketAddress socket = AFUNIXSocketAddress.of(Path.of(address));
        return () -> link(ShuntSocket.connectTo(socket));
    }

    private static SocketLink link(ShuntSocket socket) throws IOException {
        return new SocketLink(socket, socket.isFastPath() ? "fast path"
                : "kernel socket (" + socket.getFallbackReason().description() + ")");
    }
}
