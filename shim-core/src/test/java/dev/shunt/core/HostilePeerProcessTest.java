package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.ChildJvm;
import dev.shunt.core.testing.PeerProcess;
import dev.shunt.core.testing.TestProtection;
import dev.shunt.core.testing.TestServer;
import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import java.lang.management.ManagementFactory;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * Hostile peers in processes of their own ({@link HostilePeerProcess}), this JVM the victim server.
 *
 * <p>Scribbles: 10,000 random writes into the shared control words over many connections, each connection
 * worked by reads and writes here while the hostile process writes; a bystander connection to an honest peer
 * JVM echoes after each. Doorbell flood: a peer rings this side's doorbell without sending data for five
 * seconds while a reader here is blocked; this process's CPU time must stay well below one core. Silence: a peer
 * publishes data without waking a blocked reader, which must find it all the same.
 */
class HostilePeerProcessTest {
    private static final ShuntConfig CONFIG = TestProtection.fastPath(4096, 1_000, 2_000);
    private static final List<String> PEER = List.of("shunt.enabled=true", "shunt.ringBytes=4096");
    private static final int ITERATIONS = 10_000;
    private static final int PER_CONNECTION = 50;
    /** Liveness bound on one operation of the victim: generous, a spin without end is what it catches. */
    private static final long OPERATION_BOUND_NANOS = TimeUnit.SECONDS.toNanos(10);

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** How one attacked connection ended on the victim's side. */
    private record Outcome(ShuntProtocolException error, long longestOperationNanos) {
    }

    @Test
    void scribblesFromAnotherProcessCloseOnlyTheAttackedConnections() throws Exception {
        long errorsBefore = ShuntMetrics.snapshot().protocolErrors();
        Random random = new Random(6);
        int connections = 0;
        int closedByProtocolError = 0;
        long longestOperation = 0;
        try (TestServer server = new TestServer(CONFIG); TestServer bystanderServer = new TestServer(CONFIG);
                ChildJvm bystanderPeer = ChildJvm.start(PEER, PeerProcess.class, "client",
                        bystanderServer.path.toString(), "echo")) {
            TestServer.Accepted bystander = bystanderServer.accept();
            assertTrue(bystander.result.isFastPath(), bystander.result.toString());
            bystanderPeer.expect("HANDSHAKE", 30, TimeUnit.SECONDS);
            echo(bystander.result.stream(), random); // warm-up: counted state below is steady
            int fdsBefore = Descriptors.openCount();
            long ringsBefore = PeerDeathTest.ringMappings();
            long cpuBefore = THREADS.getCurrentThreadCpuTime();
            long wallBefore = System.nanoTime();
            try (ChildJvm hostile = ChildJvm.start(PEER, HostilePeerProcess.class, "scribble",
                    server.path.toString(), Integer.toString(ITERATIONS), Integer.toString(PER_CONNECTION), "2027")) {
                while (true) {
                    String line = hostile.expect("", 60, TimeUnit.SECONDS);
                    if (line.startsWith("END")) {
                        assertTrue(line.contains(" scribbles=" + ITERATIONS + " "), line);
                        assertTrue(line.startsWith("END connections=" + connections + " "), line);
                        break;
                    }
                    if (!line.startsWith("CONNECT ")) {
                        continue;
                    }
                    TestServer.Accepted victim = CompletableFuture.supplyAsync(() -> {
                        try {
                            return server.accept();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }).get(60, TimeUnit.SECONDS);
                    Outcome outcome = endure(victim, random);
                    connections++;
                    longestOperation = Math.max(longestOperation, outcome.longestOperationNanos());
                    if (outcome.error() != null) {
                        closedByProtocolError++;
                    }
                    String done = hostile.expect("DONE", 60, TimeUnit.SECONDS);
                    // This side hangs up first only after a protocol error; otherwise it waits for the peer's.
                    assertTrue(outcome.error() != null || done.endsWith("victimClosed=false"), done);
                    echo(bystander.result.stream(), random);
                }
                assertEquals(0, hostile.waitFor(30, TimeUnit.SECONDS), hostile.stderr());
            }
            long cpu = THREADS.getCurrentThreadCpuTime() - cpuBefore;
            long wall = System.nanoTime() - wallBefore;
            System.out.printf("Hostile process: %d scribbles over %d connections, %d closed by ShuntProtocolException;"
                    + " victim thread CPU %d ms in %d ms (%.1f%%); longest victim operation %.1f ms%n", ITERATIONS,
                    connections, closedByProtocolError, cpu / 1_000_000, wall / 1_000_000, 100.0 * cpu / wall,
                    longestOperation / 1e6);
            assertTrue(cpu < wall / 2, "victim thread CPU " + cpu / 1_000_000 + " ms in " + wall / 1_000_000 + " ms");
            assertTrue(closedByProtocolError > connections / 2, closedByProtocolError + " of " + connections);
            assertEquals(errorsBefore + closedByProtocolError, ShuntMetrics.snapshot().protocolErrors());
            echo(bystander.result.stream(), random);
            assertEquals(ringsBefore, PeerDeathTest.ringMappings(), "ring mappings leaked");
            assertEquals(fdsBefore, Descriptors.openCount(), "descriptors leaked");
            bystander.result.stream().close();
            Descriptors.close(bystander.fd);
        }
    }

    /**
     * Works an attacked connection (non-blocking and short blocking reads and writes) until the stream fails
     * with a protocol error or the hostile peer hangs up, then closes it.
     */
    private static Outcome endure(TestServer.Accepted victim, Random random) throws Exception {
        assertTrue(victim.result.isFastPath(), victim.result.toString());
        ShuntStream stream = victim.result.stream();
        byte[] buf = new byte[512];
        ShuntProtocolException seen = null;
        long longest = 0;
        boolean hungUp = false;
        long start = System.nanoTime();
        while (seen == null) {
            hungUp = (UnixSockets.poll(victim.fd, UnixSockets.POLLRDHUP, 0)
                    & (UnixSockets.POLLRDHUP | UnixSockets.POLLHUP)) != 0;
            long before = System.nanoTime();
            int got = 0;
            try {
                stream.readNow(buf, 0, buf.length);
                stream.writeNow(buf, 0, 1 + random.nextInt(buf.length));
                got = stream.read(buf, 0, buf.length, TimeUnit.MILLISECONDS.toNanos(1));
            } catch (ShuntProtocolException e) {
                seen = e;
            } catch (SocketTimeoutException e) {
                // A quiet peer: legal.
            } catch (SocketException e) {
                got = -1; // a scribbled close flag: legal, "Broken pipe"
            }
            long took = System.nanoTime() - before;
            if (got < 0 && seen == null) {
                // End of stream or a closed reader: an application stops; this loop waits for the next scribble.
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            longest = Math.max(longest, took);
            assertTrue(took < OPERATION_BOUND_NANOS, "a victim operation took " + took / 1_000_000 + " ms");
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(120), "the connection never ended");
            if (hungUp) {
                break; // the operations above ran once more after the hostile peer's last scribble
            }
        }
        if (seen != null) {
            assertTrue(stream.isClosed());
            ShuntProtocolException again = assertThrows(ShuntProtocolException.class, () -> stream.read(buf, 0, 1, 0));
            assertSame(seen, again);
        }
        stream.close();
        Descriptors.close(victim.fd);
        return new Outcome(seen, longest);
    }

    /** Sends 1 KiB through the bystander connection and checks the echo. */
    private static void echo(ShuntStream stream, Random random) throws Exception {
        byte[] sent = new byte[1024];
        random.nextBytes(sent);
        stream.write(sent, 0, sent.length);
        byte[] back = new byte[sent.length];
        for (int off = 0; off < back.length; ) {
            int n = stream.read(back, off, back.length - off, TimeUnit.SECONDS.toNanos(10));
            assertTrue(n > 0, "bystander ended");
            off += n;
        }
        assertArrayEquals(sent, back);
    }

    @Test
    void doorbellFloodFromAnotherProcessKeepsABlockedReaderCheap() throws Exception {
        long bytes = 8L << 20;
        try (TestServer server = new TestServer(CONFIG.withRingBytes(65536).withSpinNanos(50_000));
                ChildJvm flooder = ChildJvm.start(PEER, HostilePeerProcess.class, "flood", server.path.toString(),
                        "5", Long.toString(bytes))) {
            TestServer.Accepted victim = server.accept();
            assertTrue(victim.result.isFastPath(), victim.result.toString());
            assertEquals("fast", flooder.expect("HANDSHAKE", 30, TimeUnit.SECONDS));
            ShuntStream stream = victim.result.stream();
            CompletableFuture<String> received = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try {
                    CRC32 crc = new CRC32();
                    byte[] buf = new byte[65536];
                    long total = 0;
                    for (int n; (n = stream.read(buf, 0, buf.length, 0)) > 0; ) {
                        crc.update(buf, 0, n);
                        total += n;
                    }
                    received.complete(total + " " + crc.getValue());
                } catch (Exception e) {
                    received.completeExceptionally(e);
                }
            }, "victim-reader");
            reader.start();
            flooder.expect("FLOODING", 30, TimeUnit.SECONDS);
            long cpuBefore = OS.getProcessCpuTime();
            long readerBefore = THREADS.getThreadCpuTime(reader.getId());
            long wallBefore = System.nanoTime();
            String flooded = flooder.expect("FLOODED", 60, TimeUnit.SECONDS);
            long cpu = OS.getProcessCpuTime() - cpuBefore;
            long readerCpu = THREADS.getThreadCpuTime(reader.getId()) - readerBefore;
            long wall = System.nanoTime() - wallBefore;
            assertFalse(received.isDone(), "the reader returned during the flood: " + received);
            System.out.printf("Doorbell flood (%s) on a blocked ShuntStream reader: victim process CPU %d ms in %d ms"
                    + " (%.1f%%), reader thread %d ms%n", flooded, cpu / 1_000_000, wall / 1_000_000,
                    100.0 * cpu / wall, readerCpu / 1_000_000);
            // Well below one core: a fifth of the wall time (measured: under 1%).
            assertTrue(cpu < wall / 5, "victim process CPU " + cpu / 1_000_000 + " ms in " + wall / 1_000_000 + " ms");
            UnixSockets.sendByte(victim.fd); // the flooder's go-ahead for its data
            String sent = flooder.expect("SENT", 60, TimeUnit.SECONDS);
            assertEquals(sent, received.get(60, TimeUnit.SECONDS));
            stream.close();
            Descriptors.close(victim.fd);
            assertEquals(0, flooder.waitFor(30, TimeUnit.SECONDS), flooder.stderr());
        }
    }

    /**
     * A peer calls FUTEX_WAKE on the sleep word of a blocked reader here without changing it or publishing
     * anything: the reader must not wake into a busy cycle (each wake-up that finds nothing costs a growing pause).
     */
    @Test
    void futexWakeFloodFromAnotherProcessKeepsABlockedReaderCheap() throws Exception {
        try (TestServer server = new TestServer(CONFIG.withRingBytes(65536).withSpinNanos(50_000));
                ChildJvm flooder = ChildJvm.start(PEER, HostilePeerProcess.class, "futex-flood",
                        server.path.toString(), "5")) {
            TestServer.Accepted victim = server.accept();
            assertTrue(victim.result.isFastPath(), victim.result.toString());
            ShuntStream stream = victim.result.stream();
            CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return stream.read(new byte[16], 0, 16, 0);
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            flooder.expect("FLOODING", 30, TimeUnit.SECONDS);
            long cpuBefore = OS.getProcessCpuTime();
            long wallBefore = System.nanoTime();
            String flooded = flooder.expect("FLOODED", 60, TimeUnit.SECONDS);
            long cpu = OS.getProcessCpuTime() - cpuBefore;
            long wall = System.nanoTime() - wallBefore;
            System.out.printf("Futex wake flood (%s) on a blocked ShuntStream reader: victim process CPU %d ms in %d ms"
                    + " (%.1f%%)%n", flooded, cpu / 1_000_000, wall / 1_000_000, 100.0 * cpu / wall);
            assertTrue(cpu < wall / 5, "victim process CPU " + cpu / 1_000_000 + " ms in " + wall / 1_000_000 + " ms");
            assertFalse(read.isDone(), "the reader returned during the flood: " + read);
            UnixSockets.sendByte(victim.fd); // the flooder's go-ahead for the honest end of stream
            assertEquals(-1, read.get(30, TimeUnit.SECONDS), "the honest end of stream after the flood");
            stream.close();
            Descriptors.close(victim.fd);
            assertEquals(0, flooder.waitFor(30, TimeUnit.SECONDS), flooder.stderr());
        }
    }

    /**
     * The peer publishes data and its end into the ring of a blocked reader without waking it: the reader finds them
     * when its park's liveness slice ends and it re-checks the ring.
     */
    @Test
    void dataPublishedWithoutAWakeUpReachesABlockedReaderAtItsNextReCheck() throws Exception {
        try (TestServer server = new TestServer(CONFIG);
                ChildJvm silent = ChildJvm.start(PEER, HostilePeerProcess.class, "silent", server.path.toString(),
                        "4000")) {
            TestServer.Accepted victim = server.accept();
            assertTrue(victim.result.isFastPath(), victim.result.toString());
            ShuntStream stream = victim.result.stream();
            byte[] data = new byte[4096];
            int n = 0;
            int r;
            while ((r = stream.read(data, n, data.length - n, TimeUnit.SECONDS.toNanos(30))) > 0) {
                n += r;
            }
            CRC32 crc = new CRC32();
            crc.update(data, 0, n);
            assertEquals(silent.expect("SENT", 30, TimeUnit.SECONDS), n + " " + crc.getValue());
            stream.close();
            Descriptors.close(victim.fd);
            assertEquals(0, silent.waitFor(30, TimeUnit.SECONDS), silent.stderr());
        }
    }
}
