package dev.shunt.junixsocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import dev.shunt.nativeio.testing.NoDescriptorLeaks;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * The server side: advertisement lifecycle, socket file, accept timeouts, and handshakes that fail (clients that
 * stay silent: {@link AcceptWhileHandshakingTest}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(NoDescriptorLeaks.class)
class ShuntServerSocketTest {
    @TempDir
    Path dir;

    /**
     * On JDK 25, junixsocket 2.11.1 keeps a socket open from the first connection a process makes (seen with plain
     * {@code AFUNIXSocket}s too): make that connection before {@link NoDescriptorLeaks} counts.
     */
    @BeforeAll
    static void connectOnce(@TempDir Path scratch) throws Exception {
        AFUNIXSocketAddress address = AFUNIXSocketAddress.of(scratch.resolve("warm-up"));
        try (AFUNIXServerSocket server = AFUNIXServerSocket.bindOn(address);
                AFUNIXSocket client = AFUNIXSocket.connectTo(address);
                Socket served = server.accept()) {
            assertTrue(served.isConnected() && client.isConnected());
        }
    }

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
        CompletableFuture<Thread> caller = new CompletableFuture<>();
        CompletableFuture<ShuntSocket> accepted = CompletableFuture.supplyAsync(() -> {
            caller.complete(Thread.currentThread());
            return accept(server);
        });
        Waits.untilBlockedInSocketCall(caller.get(10, TimeUnit.SECONDS));
        server.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> accepted.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause().getCause() instanceof SocketException, e.toString());
    }

    @Test
    void aMarkedClientAnsweringGarbageIsDroppedAndAcceptGoesOn() throws Exception {
        Path socket = dir.resolve("s");
        try (ShuntServerSocket server = ShuntServerSocket.newInstance(Connection.config(true))) {
            server.bind(AFUNIXSocketAddress.of(socket));
            int garbage = AcceptPeer.markedConnection(socket, Connection.config(true));
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

    private static ShuntSocket accept(ShuntServerSocket server) {
        try {
            return server.accept();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
