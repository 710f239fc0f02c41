package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.ChildJvm;
import dev.shunt.core.testing.ConnectedPair;
import dev.shunt.core.testing.PeerProcess;
import dev.shunt.core.testing.TestProtection;
import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;

/**
 * Quiet connections give their ring pages back to the kernel, in both processes, and never pages that hold bytes
 * someone still needs.
 */
class QuietReleaseTest {
    private static final int RING = 1 << 20;
    private static final long PAGE = 4096;
    private static final long QUIET_MILLIS = 100;
    private static final ShuntConfig CONFIG = TestProtection.fastPath(RING, 20_000, 10_000)
            .withQuietReleaseMillis(QUIET_MILLIS);
    /** Between processes: long enough that the pages are surely still there when checked right after a burst. */
    private static final long PROCESS_QUIET_MILLIS = 1_000;

    @Test
    void quietConnectionGivesBothRingsBackInBothProcesses() throws Exception {
        Path dir = Files.createTempDirectory("shunt-quiet");
        Path path = dir.resolve("s");
        try (ChildJvm server = ChildJvm.start(List.of("shunt.enabled=true", "shunt.ringBytes=" + RING,
                "shunt.quietReleaseMillis=" + PROCESS_QUIET_MILLIS), PeerProcess.class, "server", path.toString(),
                "echo")) {
            server.expect("READY", 30, TimeUnit.SECONDS);
            int fd = UnixSockets.socket();
            ClientHandshake handshake = ShuntHandshake.prepareClient(fd, path,
                    CONFIG.withQuietReleaseMillis(PROCESS_QUIET_MILLIS));
            UnixSockets.connect(fd, path.toString());
            HandshakeResult result = handshake.complete();
            assertTrue(result.isFastPath(), result.toString());
            ShuntStream stream = result.stream();
            long self = ProcessHandle.current().pid();
            for (int burst = 0; burst < 3; burst++) {
                echo(stream, burst);
                assertTrue(ringResident(self) >= RING, "a burst of twice the ring touched every page here");
                assertTrue(ringResident(server.pid()) >= RING, "and in the peer");
                long control = 2 * PAGE;
                awaitResident(self, r -> r <= control, "this process's ring pages after burst " + burst);
                awaitResident(server.pid(), r -> r <= control, "the peer's ring pages after burst " + burst);
            }
            stream.close();
            Descriptors.close(fd);
            assertEquals(0, server.waitFor(30, TimeUnit.SECONDS), server.stderr());
        } finally {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void unreadAndLentBytesKeepTheirPages() throws Exception {
        try (ConnectedPair pair = ConnectedPair.open(CONFIG)) {
            ShuntStream writer = pair.client.stream();
            ShuntStream reader = pair.server.stream();
            byte[] data = new byte[RING / 2];
            new Random(7).nextBytes(data);
            writer.write(data, 0, data.length);
            LentBytes lent = reader.lendNow(data.length / 2);
            Thread.sleep(4 * (QuietRelease.SWEEP_MILLIS + QUIET_MILLIS));
            byte[] got = new byte[data.length];
            ByteBuffer view = lent.buffer();
            int lentBytes = view.remaining();
            view.get(got, 0, lentBytes);
            int off = lentBytes;
            while (off < got.length) {
                off += reader.read(got, off, got.length - off, 0);
            }
            lent.giveBack();
            assertArrayEquals(data, got, "bytes lent or unread while the connection was quiet");
            long self = ProcessHandle.current().pid();
            awaitResident(self, r -> r <= 4 * PAGE, "ring pages once everything was read and given back");
            writer.write(data, 0, data.length);
            byte[] again = new byte[data.length];
            for (int n = 0; n < again.length; ) {
                n += reader.read(again, n, again.length - n, 0);
            }
            assertArrayEquals(data, again, "a burst into freed pages");
        }
    }

    @Test
    void noReleaseWhenTurnedOff() throws Exception {
        try (ConnectedPair pair = ConnectedPair.open(CONFIG.withQuietReleaseMillis(0))) {
            byte[] data = new byte[RING];
            pair.client.stream().write(data, 0, data.length);
            for (int n = 0; n < data.length; ) {
                n += pair.server.stream().read(data, n, data.length - n, 0);
            }
            Thread.sleep(4 * (QuietRelease.SWEEP_MILLIS + QUIET_MILLIS));
            assertTrue(ringResident(ProcessHandle.current().pid()) >= 2L * RING,
                    "both mappings keep the ring's pages when release is off");
        }
    }

    /** Writes twice the ring capacity of seeded bytes and reads the echo back. */
    private static void echo(ShuntStream stream, int seed) throws Exception {
        byte[] data = new byte[2 * RING];
        new Random(seed).nextBytes(data);
        Thread writer = new Thread(() -> {
            try {
                stream.write(data, 0, data.length);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        byte[] echo = new byte[data.length];
        for (int n = 0; n < echo.length; ) {
            n += stream.read(echo, n, echo.length - n, 0);
        }
        writer.join();
        assertArrayEquals(data, echo, "echo of burst " + seed);
    }

    private static void awaitResident(long pid, LongPredicate expected, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long resident;
        while (!expected.test(resident = ringResident(pid))) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(what + ": " + resident + " bytes of shunt-ring mappings still resident");
            }
            Thread.sleep(20);
        }
    }

    /** @return resident bytes of every {@code shunt-ring} mapping of a process, from its smaps */
    static long ringResident(long pid) throws IOException {
        long total = 0;
        boolean inRing = false;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps"))) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                inRing = line.contains("shunt-ring");
            } else if (inRing && line.startsWith("Rss:")) {
                total += Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return total;
    }
}
