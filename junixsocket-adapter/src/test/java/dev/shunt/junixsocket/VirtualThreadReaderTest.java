package dev.shunt.junixsocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Readers on virtual threads blocked on Shunt sockets must not pin their carrier. The build runs this class on
 * JDK 25 with a single carrier thread ({@code -Djdk.virtualThreadScheduler.parallelism=1}, no compensation), so
 * one pinned reader would starve every other virtual thread. The code compiles for Java 17: virtual threads are
 * reached through {@code Executors.newVirtualThreadPerTaskExecutor} looked up at run time.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VirtualThreadReaderTest {
    private static final int READERS = 4;

    private static ExecutorService virtualThreads() throws Throwable {
        return (ExecutorService) MethodHandles.publicLookup()
                .findStatic(Executors.class, "newVirtualThreadPerTaskExecutor",
                        MethodType.methodType(ExecutorService.class))
                .invoke();
    }

    private static boolean isVirtual(Thread thread) throws Throwable {
        return (boolean) MethodHandles.publicLookup()
                .findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class))
                .invoke(thread);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void blockedVirtualReadersLeaveTheOnlyCarrierFree(Mode mode) throws Throwable {
        assertEquals("1", System.getProperty("jdk.virtualThreadScheduler.parallelism"),
                "run with a single carrier thread");
        ExecutorService executor = virtualThreads();
        List<Connection> connections = new ArrayList<>();
        try {
            List<Future<byte[]>> readers = new ArrayList<>();
            for (int i = 0; i < READERS; i++) {
                Connection c = Connection.open(mode);
                assertEquals(mode.fastPath(), c.local.isFastPath());
                connections.add(c);
                CompletableFuture<Thread> reader = new CompletableFuture<>();
                readers.add(executor.submit(() -> {
                    reader.complete(Thread.currentThread());
                    return c.local.getInputStream().readNBytes(3);
                }));
                assertTrue(isVirtual(reader.get(10, TimeUnit.SECONDS)));
                Waits.untilBlockedInSocketCall(reader.get());
            }
            Future<String> other = executor.submit(() -> "ran");
            assertEquals("ran", other.get(10, TimeUnit.SECONDS),
                    "another virtual thread ran while " + READERS + " readers waited (" + mode + ")");
            for (int i = 0; i < READERS; i++) {
                byte[] message = {(byte) i, 2, 3};
                connections.get(i).peer.getOutputStream().write(message);
                assertArrayEquals(message, readers.get(i).get(10, TimeUnit.SECONDS));
            }
        } finally {
            for (Connection c : connections) {
                c.close();
            }
            executor.shutdownNow();
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aVirtualReaderTimesOutAndIsUnblockedByClose(Mode mode) throws Throwable {
        ExecutorService executor = virtualThreads();
        try (Connection c = Connection.open(mode)) {
            c.local.setSoTimeout(100);
            Future<Integer> timedOut = executor.submit(() -> c.local.getInputStream().read());
            ExecutionException e = assertThrows(ExecutionException.class, () -> timedOut.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof SocketTimeoutException, String.valueOf(e.getCause()));
            c.local.setSoTimeout(0);
            CompletableFuture<Thread> reader = new CompletableFuture<>();
            Future<Integer> blocked = executor.submit(() -> {
                reader.complete(Thread.currentThread());
                return c.local.getInputStream().read();
            });
            Waits.untilBlockedInSocketCall(reader.get(10, TimeUnit.SECONDS));
            c.local.close();
            e = assertThrows(ExecutionException.class, () -> blocked.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof SocketException, String.valueOf(e.getCause()));
        } finally {
            executor.shutdownNow();
        }
    }

    /**
     * Interrupting a virtual thread blocked in a socket read closes the socket and fails the read with a
     * {@link SocketException}, keeping the interrupt status, as the JDK's sockets and junixsocket do; meanwhile
     * the other virtual threads keep running.
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void interruptingABlockedVirtualReaderFailsTheReadWithoutStarvingTheCarrier(Mode mode) throws Throwable {
        ExecutorService executor = virtualThreads();
        try (Connection c = Connection.open(mode)) {
            CompletableFuture<Thread> reader = new CompletableFuture<>();
            CompletableFuture<Boolean> interruptKept = new CompletableFuture<>();
            Future<Integer> read = executor.submit(() -> {
                reader.complete(Thread.currentThread());
                try {
                    return c.local.getInputStream().read();
                } finally {
                    interruptKept.complete(Thread.currentThread().isInterrupted());
                }
            });
            Waits.untilBlockedInSocketCall(reader.get(10, TimeUnit.SECONDS));
            reader.get().interrupt();
            Future<String> other = executor.submit(() -> "ran");
            assertEquals("ran", other.get(10, TimeUnit.SECONDS),
                    "another virtual thread ran after the blocked reader was interrupted (" + mode + ")");
            ExecutionException e = assertThrows(ExecutionException.class, () -> read.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof SocketException, String.valueOf(e.getCause()));
            assertTrue(interruptKept.get(10, TimeUnit.SECONDS), "the reader's interrupt status is kept");
            assertThrows(SocketException.class, () -> c.local.getInputStream().read());
        } finally {
            executor.shutdownNow();
        }
    }
}
