package dev.shunt.bench;

import java.io.IOException;
import java.nio.file.Path;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/** junixsocket's {@code AFUNIXSocket}: the kernel path of a java.net.Socket application. */
final class JunixsocketLink {
    private static final String PATH = "kernel socket";

    private JunixsocketLink() {
    }

    static DuplexListener listen(Path dir) throws IOException {
        AFUNIXSocketAddress address = AFUNIXSocketAddress.of(dir.resolve("bench.sock"));
        AFUNIXServerSocket server = AFUNIXServerSocket.bindOn(address);
        return new DuplexListener(address.getPath(), () -> new SocketLink(server.accept(), PATH));
    }

    static DuplexConnector connector(String address) throws IOException {
        AFUNIXSocketAddress socket = AFUNIXSocketAddress.of(Path.of(address));
        return () -> new SocketLink(AFUNIXSocket.connectTo(socket), PATH);
    }
}
