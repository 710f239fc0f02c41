package dev.shunt.junixsocket;

import dev.shunt.core.ShuntConfig;
import dev.shunt.core.testing.TestProtection;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/** One connection set up in a {@link Mode}: the Shunt socket under test and its peer. */
final class Connection implements AutoCloseable {
    /** Ring size for tests: small, so that ordinary test sizes wrap the ring many times. */
    static final int RING_BYTES = 64 * 1024;

    final Mode mode;
    /** The socket under test (always a ShuntSocket). */
    final ShuntSocket local;
    /** The other end: a ShuntSocket or a plain AFUNIXSocket. */
    final Socket peer;
    final AFUNIXSocketAddress address;
    private final ServerSocket server;
    private final Path dir;

    private Connection(Mode mode, ShuntSocket local, Socket peer, AFUNIXSocketAddress address, ServerSocket server,
            Path dir) {
        this.mode = mode;
        this.local = local;
        this.peer = peer;
        this.address = address;
        this.server = server;
        this.dir = dir;
    }

    /** A configuration that runs the fast path on this machine, with keys or without, when enabled. */
    static ShuntConfig config(boolean enabled) {
        return ShuntConfig.from(new java.util.Properties()).withEnabled(enabled).withMpk(TestProtection.MODE)
                .withRingBytes(RING_BYTES)
                .withHandshakeTimeoutMillis(10_000);
    }

    private static ShuntConfig config(Mode.Side side) {
        return config(side == Mode.Side.SHUNT_ENABLED);
    }

    static Connection open(Mode mode) throws Exception {
        Path dir = Files.createTempDirectory("shunt-jx");
        AFUNIXSocketAddress address = AFUNIXSocketAddress.of(dir.resolve("s"));
        ServerSocket server;
        if (mode.server == Mode.Side.PLAIN) {
            server = AFUNIXServerSocket.bindOn(address);
        } else {
            server = ShuntServerSocket.newInstance(config(mode.server));
            server.bind(address);
        }
        ExecutorService acceptor = Executors.newSingleThreadExecutor();
        try {
            Future<Socket> accepted = acceptor.submit(server::accept);
            Socket client;
            if (mode.client == Mode.Side.PLAIN) {
                client = AFUNIXSocket.connectTo(address);
            } else {
                client = ShuntSocket.newInstance(config(mode.client));
                client.connect(address);
            }
            Socket serverEnd = accepted.get(30, TimeUnit.SECONDS);
            ShuntSocket local = (ShuntSocket) (mode.clientUnderTest ? client : serverEnd);
            Socket peer = mode.clientUnderTest ? serverEnd : client;
            return new Connection(mode, local, peer, address, server, dir);
        } finally {
            acceptor.shutdownNow();
        }
    }

    @Override
    public void close() throws IOException {
        local.close();
        peer.close();
        server.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
