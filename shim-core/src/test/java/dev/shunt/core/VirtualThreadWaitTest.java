package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.ConnectedPair;
import dev.shunt.core.testing.TestProtection;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Readers on virtual threads wait on fast-path streams without pinning their carrier. Runs on a JDK with
 * virtual threads (the build runs it on JDK 25) with one carrier thread and no compensation, so a single
 * pinned waiter would starve every other virtual thread.
 */
class VirtualThreadWaitTest {
    private static final ShuntConfig FAST = TestProtection.fastPath(4096, 20_000, 5_000);

    private static ExecutorService virtualThreads() throws Exception {
        Object executor = Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        return (ExecutorService) executor;
    }

    @Test
    void blockedVirtualReadersLeaveTheCarrierFreeAndWakeOnData() throws Exception {
        assertEquals("1", System.getProperty("jdk.virtualThreadScheduler.parallelism"),
                "run with one carrier thread");
        List<ConnectedPair> pairs = new ArrayList<>();
        ExecutorService executor = virtualThreads();
        try {
            List<Future<byte[]>> readers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ConnectedPair pair = ConnectedPair.open(FAST);
                pairs.add(pair);
                ShuntStream stream = pair.server.stream();
                readers.add(executor.submit(() -> {
                    byte[] buf = new byte[3];
                    assertTrue(VirtualThreads.current());
                    assertEquals(3, stream.read(buf, 0, 3, 0));
                    return buf;
                }));
            }
            for (Future<byte[]> reader : readers) {
                assertThrows(TimeoutException.class, () -> reader.get(100, TimeUnit.MILLISECONDS));
            }
            Future<String> other = executor.submit(() -> "ran");
            assertEquals("ran", other.get(5, TimeUnit.SECONDS), "a waiting reader pinned the only carrier");
            for (int i = 0; i < pairs.size(); i++) {
                byte[] message = {(byte) i, 2, 3};
                pairs.get(i).client.stream().write(message, 0, 3);
                assertArrayEquals(message, readers.get(i).get(5, TimeUnit.SECONDS));
            }
        } finally {
            for (ConnectedPair pair : pairs) {
                pair.close();
            }
            executor.shutdownNow();
        }
    }

    @Test
    void closeFromAnotherThreadUnblocksAVirtualReader() throws Exception {
        ExecutorService executor = virtualThreads();
        try (ConnectedPair pair = ConnectedPair.open(FAST)) {
            ShuntStream stream = pair.server.stream();
            Future<Integer> reader = executor.submit(() -> stream.read(new byte[8], 0, 8, 0));
            assertThrows(TimeoutException.class, () -> reader.get(200, TimeUnit.MILLISECONDS));
            CompletableFuture.runAsync(stream::close).get(5, TimeUnit.SECONDS);
            ExecutionException e = assertThrows(ExecutionException.class, () -> reader.get(5, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof SocketException, String.valueOf(e.getCause()));
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void virtualReaderSeesTheDeathOfThePeerThroughTheWaker() throws Exception {
        ExecutorService executor = virtualThreads();
        try (ConnectedPair pair = ConnectedPair.open(FAST)) {
            ShuntStream stream = pair.server.stream();
            Future<Integer> reader = executor.submit(() -> stream.read(new byte[8], 0, 8, 0));
            assertThrows(TimeoutException.class, () -> reader.get(200, TimeUnit.MILLISECONDS));
            dev.shunt.nativeio.UnixSockets.shutdownOutput(pair.clientFd);
            Integer result = reader.get(5, TimeUnit.SECONDS);
            assertNotNull(result);
            assertEquals(-1, result.intValue());
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void interruptingABlockedVirtualReaderClosesTheStreamWithoutStarvingTheCarrier() throws Exception {
        ExecutorService executor = virtualThreads();
        try (ConnectedPair pair = ConnectedPair.open(FAST)) {
            ShuntStream stream = pair.server.stream();
            CompletableFuture<Thread> readerThread = new CompletableFuture<>();
            Future<Boolean> reader = executor.submit(() -> {
                readerThread.complete(Thread.currentThread());
                try {
                    stream.read(new byte[8], 0, 8, 0);
                    return false;
                } catch (SocketException e) {
                    assertEquals("Closed by interrupt", e.getMessage());
                    return Thread.currentThread().isInterrupted();
                }
            });
            assertThrows(TimeoutException.class, () -> reader.get(200, TimeUnit.MILLISECONDS));
            readerThread.get(5, TimeUnit.SECONDS).interrupt();
            assertTrue(reader.get(5, TimeUnit.SECONDS), "the interrupt status stays set");
            assertTrue(stream.isClosed());
            assertEquals("ran", executor.submit(() -> "ran").get(5, TimeUnit.SECONDS));
        } finally {
            executor.shutdownNow();
        }
    }
}
