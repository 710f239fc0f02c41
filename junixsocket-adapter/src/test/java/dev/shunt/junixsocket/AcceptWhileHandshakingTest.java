package dev.shunt.junixsocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.FallbackReason;
import dev.shunt.core.ServerHandshakes;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntMetrics;
import dev.shunt.core.testing.ChildJvm;
import dev.shunt.nativeio.testing.NoDescriptorLeaks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * A client that marked itself as a Shunt client and then says nothing must not hold up {@link
 * ShuntServerSocket#accept()}: Shunt clients and plain clients in other processes are served, on the fast path
 * and on the kernel socket, while its handshake waits; it is closed when its handshake times out or the server
 * socket closes; beyond {@link ServerHandshakes#LIMIT} waiting handshakes further Shunt clients are served on the
 * kernel socket at once; {@code SO_TIMEOUT} and {@code close()} bound {@code accept()} as before. The silent
 * clients run in a process of their own ({@link AcceptPeer}), with the core's client marker.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@ExtendWith(NoDescriptorLeaks.class)
class AcceptWhileHandshakingTest {
    /** Long enough that a silent client's handshake outlasts the test unless the server socket ends it. */
    private static final ShuntConfig PATIENT = Connection.config(true).withHandshakeTimeoutMillis(600_000);
    private static final List<String> ENABLED = List.of("shunt.enabled=true");
    /** The OFFER message a silent client receives before its connection is closed. */
    private static final int OFFER_BYTES = 32;

    @TempDir
    Path dir;

    @Test
    void shuntAndPlainClientsAreServedWhileASilentShuntClientWaits() throws Exception {
        Path socket = dir.resolve("s");
        long failures = ShuntMetrics.snapshot().handshakeFailures();
        try (ShuntServerSocket server = ShuntServerSocket.newInstance(PATIENT)) {
            server.bind(AFUNIXSocketAddress.of(socket));
            CompletableFuture<List<String>> served = serve(server, 3);
            try (ChildJvm silent = ChildJvm.start(ENABLED, AcceptPeer.class, "silent", socket.toString(), "1")) {
                silent.expect("OFFERED", 60, TimeUnit.SECONDS);
                try (ChildJvm first = client("shunt", socket);
                        ChildJvm second = client("shunt", socket);
                        ChildJvm plain = client("plain", socket)) {
                    assertEquals("fast", first.expect("HANDSHAKE", 60, TimeUnit.SECONDS));
                    assertEquals("fast", second.expect("HANDSHAKE", 60, TimeUnit.SECONDS));
                    for (ChildJvm client : List.of(first, second, plain)) {
                        client.expect("ECHOED", 60, TimeUnit.SECONDS);
                        assertEquals(0, client.waitFor(60, TimeUnit.SECONDS), client.stderr());
                    }
                }
                assertEquals(List.of("fallback " + FallbackReason.PEER_NOT_SHUNT, "fast", "fast"),
                        served.get(60, TimeUnit.SECONDS));
                assertEquals(failures, ShuntMetrics.snapshot().handshakeFailures(),
                        "the silent client's handshake is still waiting");
                server.close();
                assertEquals(Integer.toString(OFFER_BYTES), silent.expect("CLOSED", 60, TimeUnit.SECONDS),
                        "the silent client got the offer, then its connection closed with the server socket");
                assertEquals(0, silent.waitFor(60, TimeUnit.SECONDS), silent.stderr());
            }
            assertEquals(failures + 1, ShuntMetrics.snapshot().handshakeFailures());
        }
        assertNoThreadsServe(socket);
    }

    @Test
    void aSilentShuntClientIsClosedWhenItsHandshakeTimesOutAndAcceptGoesOn() throws Exception {
        Path socket = dir.resolve("s");
        long failures = ShuntMetrics.snapshot().handshakeFailures();
        try (ShuntServerSocket server = ShuntServerSocket.newInstance(PATIENT.withHandshakeTimeoutMillis(500))) {
            server.bind(AFUNIXSocketAddress.of(socket));
            CompletableFuture<List<String>> served = serve(server, 1);
            try (ChildJvm silent = ChildJvm.start(ENABLED, AcceptPeer.class, "silent", socket.toString(), "1")) {
                silent.expect("OFFERED", 60, TimeUnit.SECONDS);
                assertEquals(Integer.toString(OFFER_BYTES), silent.expect("CLOSED", 60, TimeUnit.SECONDS));
                assertEquals(0, silent.waitFor(60, TimeUnit.SECONDS), silent.stderr());
            }
            assertEquals(failures + 1, ShuntMetrics.snapshot().handshakeFailures(),
                    "a handshake that timed out counts as a handshake failure");
            assertFalse(served.isDone(), "the closed connection was never returned by accept()");
            try (ChildJvm client = client("shunt", socket)) {
                assertEquals("fast", client.expect("HANDSHAKE", 60, TimeUnit.SECONDS));
                client.expect("ECHOED", 60, TimeUnit.SECONDS);
                assertEquals(0, client.waitFor(60, TimeUnit.SECONDS), client.stderr());
            }
            assertEquals(List.of("fast"), served.get(60, TimeUnit.SECONDS));
        }
        assertNoThreadsServe(socket);
    }

    @Test
    void beyondTheLimitOfWaitingHandshakesShuntClientsAreServedOnTheKernelSocketAtOnce() throws Exception {
        Path socket = dir.resolve("s");
        long failures = ShuntMetrics.snapshot().handshakeFailures();
        long declined = ShuntMetrics.snapshot().fallbacks(FallbackReason.HANDSHAKE_LIMIT);
        try (ShuntServerSocket server = ShuntServerSocket.newInstance(PATIENT)) {
            server.bind(AFUNIXSocketAddress.of(socket));
            CompletableFuture<List<String>> served = serve(server, 2);
            String count = Integer.toString(ServerHandshakes.LIMIT);
            try (ChildJvm silent = ChildJvm.start(ENABLED, AcceptPeer.class, "silent", socket.toString(), count)) {
                assertEquals(count, silent.expect("OFFERED", 60, TimeUnit.SECONDS));
                assertEquals(ServerHandshakes.LIMIT, handshakeThreads(socket), "one thread per waiting handshake");
                try (ChildJvm shunt = client("shunt", socket); ChildJvm plain = client("plain", socket)) {
                    assertEquals("fallback " + FallbackReason.PEER_DECLINED,
                            shunt.expect("HANDSHAKE", 60, TimeUnit.SECONDS));
                    for (ChildJvm client : List.of(shunt, plain)) {
                        client.expect("ECHOED", 60, TimeUnit.SECONDS);
                        assertEquals(0, client.waitFor(60, TimeUnit.SECONDS), client.stderr());
                    }
                }
                assertEquals(List.of("fallback " + FallbackReason.HANDSHAKE_LIMIT,
                        "fallback " + FallbackReason.PEER_NOT_SHUNT), served.get(60, TimeUnit.SECONDS));
                assertEquals(declined + 1, ShuntMetrics.snapshot().fallbacks(FallbackReason.HANDSHAKE_LIMIT));
                assertEquals(ServerHandshakes.LIMIT, handshakeThreads(socket), "no thread for the declined client");
                assertEquals(failures, ShuntMetrics.snapshot().handshakeFailures());
                server.close();
                assertEquals(Integer.toString(ServerHandshakes.LIMIT * OFFER_BYTES),
                        silent.expect("CLOSED", 60, TimeUnit.SECONDS));
                assertEquals(0, silent.waitFor(60, TimeUnit.SECONDS), silent.stderr());
            }
            assertEquals(failures + ServerHandshakes.LIMIT, ShuntMetrics.snapshot().handshakeFailures());
        }
        assertNoThreadsServe(socket);
    }

    @Test
    void soTimeoutAndCloseStillEndAcceptWhileASilentShuntClientWaits() throws Exception {
        Path socket = dir.resolve("s");
        ShuntServerSocket server = ShuntServerSocket.newInstance(PATIENT);
        server.bind(AFUNIXSocketAddress.of(socket));
        try (ChildJvm silent = ChildJvm.start(ENABLED, AcceptPeer.class, "silent", socket.toString(), "1")) {
            silent.expect("CONNECTED", 60, TimeUnit.SECONDS);
            server.setSoTimeout(200);
            assertThrows(SocketTimeoutException.class, server::accept, "the silent client is taken, not returned");
            silent.expect("OFFERED", 60, TimeUnit.SECONDS);
            assertThrows(SocketTimeoutException.class, server::accept);
            server.setSoTimeout(0);
            CompletableFuture<Thread> caller = new CompletableFuture<>();
            CompletableFuture<ShuntSocket> accepted = CompletableFuture.supplyAsync(() -> {
                caller.complete(Thread.currentThread());
                return accept(server);
            });
            Waits.untilBlockedInSocketCall(caller.get(10, TimeUnit.SECONDS));
            server.close();
            ExecutionException e = assertThrows(ExecutionException.class, () -> accepted.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause().getCause() instanceof SocketException, e.toString());
            assertEquals(Integer.toString(OFFER_BYTES), silent.expect("CLOSED", 60, TimeUnit.SECONDS));
            assertEquals(0, silent.waitFor(60, TimeUnit.SECONDS), silent.stderr());
        } finally {
            server.close();
        }
        assertTrue(server.isClosed());
        assertFalse(Files.exists(socket), "socket file deleted");
        assertFalse(Files.exists(dir.resolve("s.shunt")), "advertisement withdrawn");
        assertNoThreadsServe(socket);
    }

    private static ChildJvm client(String mode, Path socket) throws IOException {
        return ChildJvm.start(ENABLED, AcceptPeer.class, mode, socket.toString());
    }

    /**
     * Accepts {@code count} connections on a thread of its own and echoes {@link AcceptPeer#ECHO_BYTES} on each.
     *
     * @return how each was served ("fast" or "fallback REASON"), sorted
     */
    private static CompletableFuture<List<String>> serve(ShuntServerSocket server, int count) {
        CompletableFuture<List<String>> served = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            List<String> paths = new ArrayList<>();
            try {
                for (int i = 0; i < count; i++) {
                    try (ShuntSocket client = server.accept()) {
                        paths.add(client.isFastPath() ? "fast" : "fallback " + client.getFallbackReason());
                        client.getOutputStream().write(client.getInputStream().readNBytes(AcceptPeer.ECHO_BYTES));
                    }
                }
                Collections.sort(paths);
                served.complete(paths);
            } catch (IOException | RuntimeException e) {
                served.completeExceptionally(e);
            }
        }, "test-server");
        thread.setDaemon(true);
        thread.start();
        return served;
    }

    private static ShuntSocket accept(ShuntServerSocket server) {
        try {
            return server.accept();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the live threads that wait on handshakes for the server socket at {@code socket} */
    private static long handshakeThreads(Path socket) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("shunt-handshake-") && t.getName().endsWith(" " + socket))
                .count();
    }

    /** Once closed, the server socket's acceptor and handshake threads end. */
    private static void assertNoThreadsServe(Path socket) {
        Waits.until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().endsWith(" " + socket)), Duration.ofSeconds(10),
                "the threads of the server socket on " + socket + " end");
    }
}
