package dev.shunt.junixsocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.ClientHandshake;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntHandshake;
import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/** The server side: advertisement lifecycle, socket file, accept timeouts, and handshakes that fail. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShuntServerSocketTest {
    @TempDir
    Path dir;

    @Test
    void advertisesWhileBoundAndWithdrawsAndDeletesTheSocketFileOnClose() throws Exception {
        Path socket = dir.resolve("s");
        Path advertisement = dir.resolve("s.shunt");
        ShuntServerSocket server = ShuntServerSocket.newInstance(Connection.config(true));
        assertFalse(server.isBound());
        server.bind(AFUNIXSocketAddress.of(socket));
        assertTrue(server.isBound());
        assertEquals(AFUNIXSocketAddress.of(socket), server.getLocalSocketAddress());
        assertTrue(Files.exists(advertisement), "advertisement published");
        assertThrows(SocketException.class, () -> server.bind(AFUNIXSocketAddress.of(dir.resolve("t"))));
        server.close();
        assertTrue(server.isClosed());
        assertFalse(Files.exists(advertisement), "advertisement withdrawn");
        assertFalse(Files.exists(socket), "socket file deleted, as junixsocket does by default");
        assertThrows(SocketException.class, server::accept);
        server.close(); // idempotent
    }

    @Test
    void aDisabledServerPublishesNothingAndCanKeepItsSocketFile() throws Exception {
        Path socket = dir.resolve("s");
        ShuntServerSocket server = ShuntServerSocket.newInstance(Connection.config(false));
        server.bind(AFUNIXSocketAddress.of(socket));
        assertFalse(Files.exists(dir.resolve("s.shunt")));
        server.close();
        assertFalse(Files.exists(socket));
        try (ShuntServerSocket kept = ShuntServerSocket.bindOn(socket, false)) {
            assertTrue(kept.isBound());
        }
        assertTrue(Files.exists(socket), "bindOn(path, false) keeps the socket file");
    }

    @Test
    void acceptTimesOutAndTheServerStaysUsable() throws Exception {
        AFUNIXSocketAddress address = AFUNIXSocketAddress.of(dir.resolve("s"));
        try (ShuntServerSocket server = ShuntServerSocket.newInstance(Connection.config(true))) {
            server.bind(address);
            server.setSoTimeout(100);
            assertEquals(100, server.getSoTimeout());
            assertThrows(SocketTimeoutException.class, server::accept);
            server.setSoTimeout(0);
            CompletableFuture<ShuntSocket> accepted = CompletableFuture.supplyAsync(() -> accept(server));
            try (ShuntSocket client = ShuntSocket.newInstance(Connection.config(true))) {
                client.connect(address);
                try (ShuntSocket served = accepted.get(10, TimeUnit.SECONDS)) {
                    assertTrue(client.isFastPath());
                    assertTrue(served.isFastPath());
                }
            }
        }
    }

    @Test
    void closeUnblocksAnAccept() throws Exception {
        ShuntServerSocket server = ShuntServerSocket.newInstance(Connection.config(true));
        server.bind(AFUNIXSocketAddress.of(dir.resolve("s")));
        CompletableFuture<ShuntSocket> accepted = CompletableFuture.supplyAsync(() -> accept(server));
        Waits.until(() -> accepted.isDone() || isAccepting(), java.time.Duration.ofSeconds(10), "accept blocks");
        server.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> accepted.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause().getCause() instanceof SocketException, e.toString());
    }

    @Test
    void aMarkedClientThatStallsDelaysAcceptOnlyUpToTheHandshakeBound() throws Exception {
        Path socket = dir.resolve("s");
        ShuntConfig serverConfig = Connection.config(true).withHandshakeTimeoutMillis(500);
        try (ShuntServerSocket server = ShuntServerSocket.newInstance(serverConfig)) {
            server.bind(AFUNIXSocketAddress.of(socket));
            int stalled = markedConnection(socket);
            try {
                CompletableFuture<ShuntSocket> accepted = CompletableFuture.supplyAsync(() -> accept(server));
                try (ShuntSocket good = ShuntSocket.newInstance(Connection.config(true))) {
                    good.connect(AFUNIXSocketAddress.of(socket));
                    try (ShuntSocket served = accepted.get(10, TimeUnit.SECONDS)) {
                        assertTrue(good.isFastPath());
                        assertTrue(served.isFastPath(), "accept went on to the next connection");
                        served.getOutputStream().write(9);
                        assertEquals(9, good.getInputStream().read());
                    }
                }
                assertEquals(32, bytesUntilEndOfStream(stalled), "the server sent its offer, then closed");
            } finally {
                Descriptors.close(stalled);
            }
        }
    }

    @Test
    void aMarkedClientAnsweringGarbageIsDroppedAndAcceptGoesOn() throws Exception {
        Path socket = dir.resolve("s");
        try (ShuntServerSocket server = ShuntServerSocket.newInstance(Connection.config(true))) {
            server.bind(AFUNIXSocketAddress.of(socket));
            int garbage = markedConnection(socket);
            try {
                byte[] junk = "definitely not an ACCEPT message".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                UnixSockets.writeFully(garbage, junk, 0, junk.length);
                CompletableFuture<ShuntSocket> accepted = CompletableFuture.supplyAsync(() -> accept(server));
                try (ShuntSocket good = ShuntSocket.newInstance(Connection.config(true))) {
                    good.connect(AFUNIXSocketAddress.of(socket));
                    try (ShuntSocket served = accepted.get(10, TimeUnit.SECONDS)) {
                        assertTrue(served.isFastPath());
                    }
                }
            } finally {
                Descriptors.close(garbage);
            }
        }
    }

    /** A raw client that marks itself as a Shunt client, connects, and never completes its handshake. */
    private static int markedConnection(Path socket) throws Exception {
        int fd = UnixSockets.socket();
        ClientHandshake handshake = ShuntHandshake.prepareClient(fd, socket, Connection.config(true));
        assertTrue(handshake.isAttempting());
        UnixSockets.connect(fd, socket.toString());
        return fd;
    }

    /** @return how many bytes arrive before end of stream */
    private static int bytesUntilEndOfStream(int fd) throws Exception {
        byte[] buf = new byte[64];
        int total = 0;
        for (int n; (n = UnixSockets.read(fd, buf, 0, buf.length)) > 0; ) {
            total += n;
        }
        return total;
    }

    private static boolean isAccepting() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> {
            for (StackTraceElement e : t.getStackTrace()) {
                if (e.getClassName().equals("org.newsclub.net.unix.NativeUnixSocket")
                        && e.getMethodName().equals("accept")) {
                    return true;
                }
            }
            return false;
        });
    }

    private static ShuntSocket accept(ShuntServerSocket server) {
        try {
            return server.accept();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
