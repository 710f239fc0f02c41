package dev.shunt.junixsocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.ShuntConfig;
import dev.shunt.nativeio.Descriptors;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * {@link ShuntServerSocket#accept()} on virtual threads: it waits without pinning the only carrier (the build runs
 * this class on JDK 25 with one carrier thread, like {@link VirtualThreadReaderTest}), also while a silent Shunt
 * client's handshake waits; {@code SO_TIMEOUT} and {@code close()} end it; an interrupt closes the server socket,
 * as the JDK's {@code ServerSocket} does for virtual threads.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VirtualThreadAcceptTest {
    private static final ShuntConfig PATIENT = Connection.config(true).withHandshakeTimeoutMillis(600_000);

    @TempDir
    Path dir;

    private static ExecutorService virtualThreads() throws Throwable {
        return (ExecutorService) MethodHandles.publicLookup()
                .findStatic(Executors.class, "newVirtualThreadPerTaskExecutor",
                        MethodType.methodType(ExecutorService.class))
                .invoke();
    }

    @Test
    void aVirtualThreadInAcceptLeavesTheOnlyCarrierFreeAndGetsTheNextClientPastASilentOne() throws Throwable {
        assertEquals("1", System.getProperty("jdk.virtualThreadScheduler.parallelism"),
                "run with a single carrier thread");
        Path socket = dir.resolve("s");
        ExecutorService executor = virtualThreads();
        try (ShuntServerSocket server = ShuntServerSocket.newInstance(PATIENT)) {
            server.bind(AFUNIXSocketAddress.of(socket));
            int silent = AcceptPeer.markedConnection(socket, PATIENT);
            try {
                CompletableFuture<Thread> caller = new CompletableFuture<>();
                Future<ShuntSocket> accepted = executor.submit(() -> {
                    caller.complete(Thread.currentThread());
                    return server.accept();
                });
                Waits.untilBlockedInSocketCall(caller.get(10, TimeUnit.SECONDS));
                assertEquals("ran", executor.submit(() -> "ran").get(10, TimeUnit.SECONDS),
                        "another virtual thread ran while one waited in accept");
                try (ShuntSocket good = ShuntSocket.newInstance(PATIENT)) {
                    good.connect(AFUNIXSocketAddress.of(socket));
                    try (ShuntSocket served = accepted.get(10, TimeUnit.SECONDS)) {
                        assertTrue(good.isFastPath());
                        assertTrue(served.isFastPath());
                        served.getOutputStream().write(7);
                        assertEquals(7, good.getInputStream().read());
                    }
                }
            } finally {
                Descriptors.close(silent);
            }
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void soTimeoutAndCloseEndAVirtualThreadsAccept() throws Throwable {
        ExecutorService executor = virtualThreads();
        try (ShuntServerSocket server = ShuntServerSocket.newInstance(PATIENT)) {
            server.bind(AFUNIXSocketAddress.of(dir.resolve("s")));
            server.setSoTimeout(100);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> executor.submit(server::accept).get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof SocketTimeoutException, String.valueOf(e.getCause()));
            server.setSoTimeout(0);
            CompletableFuture<Thread> caller = new CompletableFuture<>();
            Future<ShuntSocket> blocked = executor.submit(() -> {
                caller.complete(Thread.currentThread());
                return server.accept();
            });
            Waits.untilBlockedInSocketCall(caller.get(10, TimeUnit.SECONDS));
            server.close();
            e = assertThrows(ExecutionException.class, () -> blocked.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof SocketException, String.valueOf(e.getCause()));
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void interruptingAVirtualThreadInAcceptClosesTheServerSocket() throws Throwable {
        Path socket = dir.resolve("s");
        ExecutorService executor = virtualThreads();
        try (ShuntServerSocket server = ShuntServerSocket.newInstance(PATIENT)) {
            server.bind(AFUNIXSocketAddress.of(socket));
            CompletableFuture<Thread> caller = new CompletableFuture<>();
            CompletableFuture<Boolean> interruptKept = new CompletableFuture<>();
            Future<ShuntSocket> accepted = executor.submit(() -> {
                caller.complete(Thread.currentThread());
                try {
                    return server.accept();
                } finally {
                    interruptKept.complete(Thread.currentThread().isInterrupted());
                }
            });
            Waits.untilBlockedInSocketCall(caller.get(10, TimeUnit.SECONDS));
            caller.get().interrupt();
            ExecutionException e = assertThrows(ExecutionException.class, () -> accepted.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof SocketException, String.valueOf(e.getCause()));
            assertTrue(interruptKept.get(10, TimeUnit.SECONDS), "the caller's interrupt status is kept");
            assertTrue(server.isClosed());
            assertFalse(Files.exists(dir.resolve("s.shunt")), "advertisement withdrawn");
            assertFalse(Files.exists(socket), "socket file deleted");
        } finally {
            executor.shutdownNow();
        }
    }
}
