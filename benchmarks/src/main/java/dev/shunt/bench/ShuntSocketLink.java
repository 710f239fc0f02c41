package dev.shunt.bench;

import dev.shunt.core.MpkMode;
import dev.shunt.core.ShuntConfig;
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
        MpkMode mpk = ShuntConfig.fromSystemProperties().mpk();
        return new DuplexListener(socket.toString(), () -> link(server.accept(), mpk));
    }

    static DuplexConnector connector(String address) throws IOException {
        AFUNIXSocketAddress socket = AFUNIXSocketAddress.of(Path.of(address));
        MpkMode mpk = ShuntConfig.fromSystemProperties().mpk();
        return () -> link(ShuntSocket.connectTo(socket), mpk);
    }

    /**
     * @param mpk the {@code shunt.mpk} setting of the socket: the adapter reads the same system properties
     *     when it creates a socket, and does not hand its configuration out
     */
    private static SocketLink link(ShuntSocket socket, MpkMode mpk) throws IOException {
        return new SocketLink(socket, ShuntPath.of(socket.isFastPath(), socket.isProtected(), mpk,
                socket.getFallbackReason()));
    }
}
