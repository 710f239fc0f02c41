package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.ConnectedPair;
import dev.shunt.core.testing.TestProtection;
import dev.shunt.nativeio.UnixSockets;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class ShuntStreamTest {
    static final ShuntConfig FAST = TestProtection.fastPath(4096, 20_000, 5_000);

    @Test
    void echoesBytesBothWaysOnTheFastPath() throws Exception {
        try (ConnectedPair pair = ConnectedPair.open(FAST)) {
            assertTrue(pair.server.isFastPath(), pair.server.toString());
            assertTrue(pair.client.isFastPath(), pair.client.toString());
            assertEquals(TestProtection.keysProtectRings(), pair.client.stream().isProtected());
            byte[] ping = "ping".getBytes();
            pair.client.stream().write(ping, 0, ping.length);
            byte[] got = new byte[16];
            int n = pair.server.stream().read(got, 0, got.length, 0);
            assertEquals(4, n);
            pair.server.stream().write(got, 0, n);
            byte[] back = new byte[4];
            assertEquals(4, pair.client.stream().read(back, 0, 4, 0));
            assertArrayEquals(ping, back);
        }
    }

    @Test
    void streamsWritesLargerThanTheRingWithChecksums() throws Exception {
        try (ConnectedPair pair = ConnectedPair.open(FAST)) {
            ShuntStream writer = pair.client.stream();
            ShuntStream reader = pair.server.stream();
            Random random = new Random(42);
            long total = 8L << 20;
            CompletableFuture<Long> written = CompletableFuture.supplyAsync(() -> {
                CRC32 crc = new CRC32();
                byte[] chunk = new byte[100_000];
                long left = total;
                try {
                    while (left > 0) {
                        int n = (int) Math.min(left, 1 + random.nextInt(chunk.length));
                        random.nextBytes(chunk);
                        writer.write(chunk, 0, n);
                        crc.update(chunk, 0, n);
                        left -= n;
                    }
                    writer.shutdownOutput();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return crc.getValue();
            });
            CRC32 crc = new CRC32();
            byte[] buf = new byte[7_777];
            long read = 0;
            Random sizes = new Random(7);
            for (int n; (n = reader.read(buf, 0, 1 + sizes.nextInt(buf.length), 0)) > 0; ) {
                crc.update(buf, 0, n);
                read += n;
            }
            assertEquals(total, read);
            assertEquals(written.get(30, TimeUnit.SECONDS), crc.getValue());
        }
    }

    @Test
    void readTimesOutAndStaysUsable() throws Exception {
        try (ConnectedPair pair = ConnectedPair.open(FAST)) {
            byte[] buf = new byte[8];
            assertThrows(SocketTimeoutException.class,
                    () -> pair.server.stream().read(buf, 0, 8, TimeUnit.MILLISECONDS.toNanos(50)));
            pair.client.stream().write(new byte[] {1, 2, 3}, 0, 3);
            assertEquals(3, pair.server.stream().read(buf, 0, 8, TimeUnit.SECONDS.toNanos(5)));
        }
    }

    @Test
    void closeFromAnotherThreadUnblocksAReader() throws Exception {
        try (ConnectedPair pair = ConnectedPair.open(FAST)) {
            ShuntStream stream = pair.server.stream();
            CompletableFuture<Throwable> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    stream.read(new byte[8], 0, 8, 0);
                    return null;
                } catch (Exception e) {
                    return e;
                }
            });
            assertThrows(java.util.concurrent.TimeoutException.class, () -> reader.get(300, TimeUnit.MILLISECONDS));
            stream.close();
            Throwable thrown = reader.get(5, TimeUnit.SECONDS);
            assertTrue(thrown instanceof SocketException, String.valueOf(thrown));
        }
    }

    @Test
    void closeDeliversEveryByteThenEndOfStream() throws Exception {
        try (ConnectedPair pair = ConnectedPair.open(FAST)) {
            byte[] data = new byte[3000];
            new Random(1).nextBytes(data);
            pair.client.stream().write(data, 0, data.length);
            pair.client.stream().close();
            byte[] got = new byte[data.length];
            int off = 0;
            for (int n; (n = pair.server.stream().read(got, off, got.length - off, 0)) > 0; ) {
                off += n;
            }
            assertEquals(data.length, off);
            assertArrayEquals(data, got);
            assertEquals(-1, pair.server.stream().read(got, 0, 1, 0));
            assertThrows(SocketException.class, () -> pair.server.stream().write(data, 0, 1), "Broken pipe");
        }
    }

    @Test
    void shutdownInputMakesThePeersWritesFail() throws Exception {
        try (ConnectedPair pair = ConnectedPair.open(FAST)) {
            pair.server.stream().shutdownInput();
            assertEquals(-1, pair.server.stream().read(new byte[1], 0, 1, 0));
            SocketException e = assertThrows(SocketException.class,
                    () -> pair.client.stream().write(new byte[1], 0, 1));
            assertEquals("Broken pipe", e.getMessage());
            pair.server.stream().write(new byte[] {9}, 0, 1);
            assertEquals(1, pair.client.stream().read(new byte[1], 0, 1, 0));
        }
    }

    @Test
    void availableCountsPublishedBytes() throws Exception {
        try (ConnectedPair pair = ConnectedPair.open(FAST)) {
            assertEquals(0, pair.server.stream().available());
            pair.client.stream().write(new byte[100], 0, 100);
            assertEquals(100, pair.server.stream().available());
        }
    }

    @Test
    void doorbellRingsForASleepingEventLoopOnDataAndOnSpace() throws Exception {
        try (ConnectedPair pair = ConnectedPair.open(FAST)) {
            ShuntStream loop = pair.server.stream();
            ShuntStream peer = pair.client.stream();
            int bell = loop.socketFd();
            assertTrue(loop.prepareDoorbellSleep(false));
            assertEquals(0, UnixSockets.poll(bell, UnixSockets.POLLIN, 20));
            long signals = ShuntMetrics.snapshot().doorbellSignals();
            peer.write(new byte[] {7}, 0, 1);
            assertEquals(UnixSockets.POLLIN, UnixSockets.poll(bell, UnixSockets.POLLIN, 5_000) & UnixSockets.POLLIN);
            assertEquals(signals + 1, ShuntMetrics.snapshot().doorbellSignals());
            loop.cancelDoorbellSleep();
            assertFalse(loop.drainDoorbell(), "the peer's socket is open");
            assertEquals(0, UnixSockets.poll(bell, UnixSockets.POLLIN, 0), "doorbell drained");
            byte[] buf = new byte[8192];
            assertEquals(1, loop.readNow(buf, 0, buf.length));
            assertEquals(0, loop.readNow(buf, 0, buf.length));

            peer.write(new byte[] {8}, 0, 1);
            assertFalse(loop.prepareDoorbellSleep(false), "data is waiting: no sleep");
            assertEquals(1, loop.readNow(buf, 0, buf.length));

            while (loop.writeNow(buf, 0, buf.length) > 0) {
                // fill the outbound ring
            }
            assertTrue(loop.prepareDoorbellSleep(true));
            assertEquals(100, peer.read(buf, 0, 100, 0));
            assertEquals(UnixSockets.POLLIN, UnixSockets.poll(bell, UnixSockets.POLLIN, 5_000) & UnixSockets.POLLIN);
            loop.cancelDoorbellSleep();
            loop.drainDoorbell();
            assertEquals(100, loop.writeNow(ByteBuffer.wrap(buf, 0, 100)));
        }
    }

    @Test
    void aFastPathConnectionHoldsNoDescriptorBeyondItsSocket() throws Exception {
        ShuntConfig kernel = FAST.withEnabled(false);
        try (ConnectedPair warmUp = ConnectedPair.open(FAST)) {
            assertTrue(warmUp.client.isFastPath());
        }
        int fastPath;
        try (ConnectedPair pair = ConnectedPair.open(FAST)) {
            assertTrue(pair.client.isFastPath() && pair.server.isFastPath());
            fastPath = dev.shunt.nativeio.Descriptors.openCount();
        }
        int plain;
        try (ConnectedPair pair = ConnectedPair.open(kernel)) {
            assertFalse(pair.client.isFastPath());
            plain = dev.shunt.nativeio.Descriptors.openCount();
        }
        assertEquals(plain, fastPath, "descriptors open with a fast-path pair vs a kernel pair");
    }

    @Test
    void lentBytesAreReadOnlyInPlaceAndTheirSpaceComesBackFromAnyThread() throws Exception {
        try (ConnectedPair pair = ConnectedPair.open(FAST)) {
            ShuntStream reader = pair.server.stream();
            ShuntStream writer = pair.client.stream();
            byte[] data = new byte[1000];
            new Random(5).nextBytes(data);
            writer.write(data, 0, data.length);
            LentBytes lent = reader.lendNow(1 << 20);
            assertEquals(1000, lent.length());
            ByteBuffer view = lent.buffer();
            assertTrue(view.isReadOnly() && view.isDirect());
            byte[] seen = new byte[1000];
            view.duplicate().get(seen);
            assertArrayEquals(data, seen);
            assertEquals(null, reader.lendNow(100), "nothing more to lend");
            assertEquals(3096, writer.writeNow(new byte[4096], 0, 4096), "lent bytes still hold their space");
            CompletableFuture.runAsync(lent::giveBack).get(5, TimeUnit.SECONDS);
            lent.giveBack();
            assertEquals(1000, writer.writeNow(new byte[4096], 0, 4096), "space came back");
        }
    }

    @Test
    void theMemoryStaysMappedUntilTheLastLentBytesComeBack() throws Exception {
        long before = ringMappings();
        LentBytes lent;
        try (ConnectedPair pair = ConnectedPair.open(FAST)) {
            pair.client.stream().write(new byte[] {1, 2, 3}, 0, 3);
            lent = pair.server.stream().lendNow(3);
            assertEquals(3, lent.length());
        }
        assertTrue(ringMappings() > before, "the reader's mapping outlives the closed stream while bytes are out");
        assertEquals(2, lent.buffer().get(1));
        lent.giveBack();
        assertEquals(before, ringMappings());
    }

    private static long ringMappings() throws java.io.IOException {
        try (java.util.stream.Stream<String> lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/self/maps"))) {
            return lines.filter(l -> l.contains("shunt-ring")).count();
        }
    }

    @Test
    void countersCountThisConnectionOnly() throws Exception {
        try (ConnectedPair other = ConnectedPair.open(FAST); ConnectedPair pair = ConnectedPair.open(
                TestProtection.fastPath(4096, 0, 5_000))) {
            other.client.stream().write(new byte[10], 0, 10);
            ShuntStream client = pair.client.stream();
            ShuntStream server = pair.server.stream();
            assertEquals(StreamCounters.NONE, client.counters());
            client.write(new byte[100], 0, 100);
            assertEquals(100, server.read(new byte[200], 0, 200, 0));
            CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.read(new byte[8], 0, 8, 0);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            while (server.counters().parks() == 0) {
                Thread.sleep(1); // until the reader parked (no spin here)
            }
            client.write(new byte[5], 0, 5);
            assertEquals(5, blocked.get(10, TimeUnit.SECONDS));
            assertEquals(new StreamCounters(105, 0, 0, 1), client.counters(), "one futex wake for the parked reader");
            StreamCounters received = server.counters();
            assertEquals(105, received.bytesReceived());
            assertEquals(0, received.bytesSent());
            assertTrue(received.parks() >= 1, received.toString());
            assertEquals(0, received.signals(), "the client never slept");
            client.close();
            assertEquals(105, client.counters().bytesSent(), "still readable after close");
        }
    }

    @Test
    void steadyStateAllocatesNothingPerMessage() throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (ConnectedPair pair = ConnectedPair.open(FAST)) {
            ShuntStream a = pair.client.stream();
            ShuntStream b = pair.server.stream();
            byte[] message = new byte[32];
            ByteBuffer direct = ByteBuffer.allocateDirect(32);
            pingPong(a, b, message, direct, 200_000);
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            pingPong(a, b, message, direct, 200_000);
            long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            assertTrue(allocated < 200_000 / 10, allocated + " bytes allocated for 200000 round trips");
        }
    }

    /**
     * Every message waits here (no spin, the echo comes from another thread), so each one passes Shunt's JFR hooks:
     * with a recording running and Shunt's events registered but disabled, waiting allocates nothing per message.
     * One event object per wait would be at least 24 bytes a round trip, far above the bound.
     */
    @Test
    void waitingAllocatesNothingPerMessageWithShuntEventsRegisteredButDisabled() throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        int times = 20_000;
        try (jdk.jfr.Recording recording = new jdk.jfr.Recording();
                ConnectedPair pair = ConnectedPair.open(TestProtection.fastPath(4096, 0, 5_000))) {
            recording.start();
            ShuntStream a = pair.client.stream();
            ShuntStream b = pair.server.stream();
            CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> {
                byte[] buf = new byte[32];
                try {
                    for (int n; (n = b.read(buf, 0, buf.length, 0)) > 0; ) {
                        b.write(buf, 0, n);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] message = new byte[32];
            roundTrips(a, message, times);
            java.util.Set<String> registered = new java.util.HashSet<>();
            jdk.jfr.FlightRecorder.getFlightRecorder().getEventTypes().forEach(t -> {
                if (t.getName().startsWith("dev.shunt.")) {
                    assertFalse(t.isEnabled(), t.getName());
                    registered.add(t.getName());
                }
            });
            assertTrue(registered.contains("dev.shunt.Wait"), "registered: " + registered);
            long parksBefore = a.counters().parks();
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            roundTrips(a, message, times);
            long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            long parks = a.counters().parks() - parksBefore;
            a.shutdownOutput();
            echo.get(10, TimeUnit.SECONDS);
            assertTrue(parks > times / 2, parks + " parks in " + times + " round trips: the waits must sleep");
            // Under a byte per round trip: one object per message would be 16 bytes or more each; a one-off (the
            // liveness watch taking the stream on when a wait outlasts its first slice, on a loaded machine) is not.
            assertTrue(allocated < times, allocated + " bytes allocated for " + times + " round trips");
        }
    }

    private static void roundTrips(ShuntStream a, byte[] message, int times) throws Exception {
        for (int i = 0; i < times; i++) {
            a.write(message, 0, message.length);
            int got = 0;
            while (got < message.length) {
                got += a.read(message, got, message.length - got, 0);
            }
        }
    }

    private static void pingPong(ShuntStream a, ShuntStream b, byte[] message, ByteBuffer direct, int times)
            throws Exception {
        for (int i = 0; i < times; i++) {
            a.write(message, 0, message.length);
            assertEquals(32, b.read(message, 0, message.length, 0));
            direct.clear();
            b.writeNow(direct);
            direct.clear();
            assertEquals(32, a.readNow(direct));
        }
    }

    @Test
    void shutdownInputFromAnotherThreadEndsABlockedRead() throws Exception {
        try (ConnectedPair pair = ConnectedPair.open(FAST)) {
            ShuntStream stream = pair.server.stream();
            CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    return stream.read(new byte[8], 0, 8, 0);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThrows(java.util.concurrent.TimeoutException.class, () -> reader.get(200, TimeUnit.MILLISECONDS));
            assertEquals(0, stream.available(), "available() must not wait for the blocked reader");
            stream.shutdownInput();
            assertEquals(-1, reader.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void shutdownOutputFromAnotherThreadFailsAWriterBlockedOnAFullRing() throws Exception {
        try (ConnectedPair pair = ConnectedPair.open(FAST)) {
            ShuntStream stream = pair.client.stream();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    stream.write(new byte[3 * 4096], 0, 3 * 4096);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThrows(java.util.concurrent.TimeoutException.class, () -> writer.get(200, TimeUnit.MILLISECONDS));
            stream.shutdownOutput();
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> writer.get(5, TimeUnit.SECONDS));
            assertEquals("Socket output is shutdown", e.getCause().getCause().getMessage());
            byte[] buf = new byte[4096];
            long drained = 0;
            for (int n; (n = pair.server.stream().read(buf, 0, buf.length, 0)) > 0; ) {
                drained += n;
            }
            assertEquals(4096, drained, "the bytes that fitted arrive, then end of stream");
        }
    }

    /**
     * A stream whose writing is blocking (a platform thread parked on a full ring) while an event loop drives its
     * reading: the loop's doorbell calls leave the writer's sleep word alone, so the writer's wake-up is not lost
     * and the stream does not fail on a word it does not expect.
     */
    @Test
    void doorbellCallsLeaveABlockedWritersSleepWordAlone() throws Exception {
        try (ConnectedPair pair = ConnectedPair.open(FAST)) {
            ShuntStream client = pair.client.stream();
            ShuntStream server = pair.server.stream();
            byte[] sent = new byte[16 * 4096];
            new Random(11).nextBytes(sent);
            CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
                try {
                    client.write(sent, 0, sent.length);
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!server.peerWriterAsleep()) {
                assertTrue(System.nanoTime() - deadline < 0, "the writer never parked");
                Thread.onSpinWait();
            }
            for (boolean wantSpace : new boolean[] {false, true}) {
                for (int i = 0; i < 100; i++) {
                    if (client.prepareDoorbellSleep(wantSpace)) {
                        client.cancelDoorbellSleep();
                    }
                    assertTrue(server.peerWriterAsleep(), "the doorbell calls took the writer's announcement");
                }
            }
            assertFalse(client.isClosed());
            byte[] got = new byte[sent.length];
            for (int off = 0; off < got.length; ) {
                off += server.read(got, off, got.length - off, 0);
            }
            written.get(30, TimeUnit.SECONDS);
            assertArrayEquals(sent, got);
        }
    }
}
