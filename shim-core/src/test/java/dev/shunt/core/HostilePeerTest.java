package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.ConnectedPair;
import dev.shunt.core.testing.TestProtection;
import dev.shunt.core.testing.TestServer;
import dev.shunt.nativeio.Descriptors;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A client that completes the handshake honestly, keeps its own mapping of the shared memory and then writes
 * random values into the control words ({@link HostilePeerConnection} inside this JVM;
 * {@link HostilePeerProcessTest} runs the same peer as a process of its own). The victim server must close that
 * connection with {@link ShuntProtocolException} without crashing, hanging or touching memory outside its
 * mapping, while an unrelated connection carries on.
 */
class HostilePeerTest {
    private static final ShuntConfig CONFIG = TestProtection.fastPath(4096, 1_000, 2_000);
    private static final int SCRIBBLES_PER_CONNECTION = 50;

    @Test
    void scribbledControlWordsCloseOnlyThatConnection() throws Exception {
        long errorsBefore = ShuntMetrics.snapshot().protocolErrors();
        Random random = new Random(2026);
        int connections = 200; // 200 x 50 = 10,000 scribbles
        int closedByProtocolError = 0;
        try (TestServer server = new TestServer(CONFIG); ConnectedPair bystander = ConnectedPair.open(CONFIG)) {
            for (int c = 0; c < connections; c++) {
                CompletableFuture<TestServer.Accepted> accepted = CompletableFuture.supplyAsync(() -> {
                    try {
                        return server.accept();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                try (HostilePeerConnection hostile = HostilePeerConnection.connect(server.path)) {
                    TestServer.Accepted victim = accepted.get(10, TimeUnit.SECONDS);
                    ShuntStream stream = victim.result.stream();
                    byte[] buf = new byte[512];
                    ShuntProtocolException seen = null;
                    for (int i = 0; i < SCRIBBLES_PER_CONNECTION; i++) {
                        hostile.scribble(random);
                        try {
                            stream.readNow(buf, 0, buf.length);
                            stream.writeNow(buf, 0, 1 + random.nextInt(buf.length));
                            stream.read(buf, 0, buf.length, TimeUnit.MILLISECONDS.toNanos(1));
                        } catch (ShuntProtocolException e) {
                            assertTrue(seen == null || seen == e, "one failure per connection, then the same one");
                            seen = e;
                        } catch (java.net.SocketTimeoutException | java.net.SocketException e) {
                            // A scribbled close flag or a full ring is legal behaviour of a peer.
                        }
                    }
                    if (seen != null) {
                        closedByProtocolError++;
                        assertTrue(stream.isClosed());
                        ShuntProtocolException again = assertThrows(ShuntProtocolException.class,
                                () -> stream.read(buf, 0, 1, 0));
                        assertSame(seen, again);
                    }
                    stream.close();
                    Descriptors.close(victim.fd);
                }
                byte[] ping = {(byte) c};
                bystander.client.stream().write(ping, 0, 1);
                byte[] got = new byte[1];
                assertEquals(1, bystander.server.stream().read(got, 0, 1, TimeUnit.SECONDS.toNanos(5)));
                assertArrayEquals(ping, got);
            }
        }
        assertTrue(closedByProtocolError > connections / 2, closedByProtocolError + " of " + connections);
        assertEquals(errorsBefore + closedByProtocolError, ShuntMetrics.snapshot().protocolErrors());
    }

    @Test
    void aPeerFlippingTheSleepWordCannotKeepABlockedReaderBusy() throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (TestServer server = new TestServer(CONFIG)) {
            CompletableFuture<TestServer.Accepted> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.accept();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (HostilePeerConnection hostile = HostilePeerConnection.connect(server.path)) {
                TestServer.Accepted victim = accepted.get(10, TimeUnit.SECONDS);
                ShuntStream stream = victim.result.stream();
                CompletableFuture<Integer> result = new CompletableFuture<>();
                Thread reader = new Thread(() -> {
                    try {
                        result.complete(stream.read(new byte[8], 0, 8, 0));
                    } catch (Exception e) {
                        result.completeExceptionally(e);
                    }
                }, "victim-reader");
                reader.start();
                int sleepWord = SharedRegionLayout.RING_B_CONTROL_OFFSET + SharedRegionLayout.CONSUMER_SLEEP;
                long flipUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
                while (System.nanoTime() < flipUntil) {
                    hostile.writeInt(sleepWord, SharedRegionLayout.AWAKE);
                }
                long cpuBefore = threads.getThreadCpuTime(reader.getId());
                long wallBefore = System.nanoTime();
                long flipEnd = wallBefore + TimeUnit.SECONDS.toNanos(1);
                while (System.nanoTime() < flipEnd) {
                    hostile.writeInt(sleepWord, SharedRegionLayout.AWAKE);
                }
                long cpu = threads.getThreadCpuTime(reader.getId()) - cpuBefore;
                long wall = System.nanoTime() - wallBefore;
                // Measured: about 2 ms with the exponential backoff, about 60 ms with a constant 50 us one.
                assertTrue(cpu < wall / 50, "victim reader used " + cpu / 1_000_000 + " ms CPU in "
                        + wall / 1_000_000 + " ms of flipping");
                stream.close();
                assertThrows(java.util.concurrent.ExecutionException.class, () -> result.get(5, TimeUnit.SECONDS));
                Descriptors.close(victim.fd);
            }
        }
    }
}
