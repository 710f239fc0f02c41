package dev.shunt.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.ClientHandshake;
import dev.shunt.core.HandshakeResult;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntHandshake;
import dev.shunt.core.ShuntMetrics;
import dev.shunt.core.ShuntStream;
import dev.shunt.core.testing.ChildJvm;
import dev.shunt.core.testing.TestProtection;
import dev.shunt.nativeio.Cpus;
import dev.shunt.nativeio.testing.ThreadCpus;
import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two busy parties that share one CPU while another is free part (docs/architecture.md, "Wait policy", rule 2). The
 * peer, an echo server in another JVM, is held on CPU 0 by {@code taskset}; this test's thread starts on CPU 0 too and
 * ping-pongs with it. Sharing a CPU, each side sleeps for every answer and is woken onto that CPU; the waiting thread
 * must notice and move itself to another CPU its mask allows, keeping its mask, and count the move in
 * {@code ThreadMoves}. Without the move (checked by disabling it) the test fails after 10 s: the scheduler may still
 * part the two on its own, but later and without the count.
 */
class SharedCpuMoveTest {
    private static final ShuntConfig FAST = TestProtection.fastPath(65536, 50_000, 5_000);

    @Test
    void aThreadSharingItsBusyPeersCpuMovesToAFreeOne() throws Exception {
        String mask = ThreadCpus.assumeMovableBesideCpu0();
        Path dir = Files.createTempDirectory("shunt-cpu");
        Path path = dir.resolve("s");
        try (ChildJvm server = ChildJvm.start(List.of("taskset", "-c", "0"), List.of("shunt.enabled=true"),
                EchoServerMain.class, path.toString())) {
            server.expect("READY", 30, TimeUnit.SECONDS);
            int fd = UnixSockets.socket();
            try {
                ClientHandshake handshake = ShuntHandshake.prepareClient(fd, path, FAST);
                UnixSockets.connect(fd, path.toString());
                HandshakeResult result = handshake.complete();
                assertTrue(result.isFastPath(), result.toString());
                ShuntStream stream = result.stream();
                ThreadCpus.assumeOnCpu0();
                long movesBefore = ShuntMetrics.get().getThreadMoves();
                byte[] message = new byte[32];
                byte[] echo = new byte[32];
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                int roundTrips = 0;
                while (ShuntMetrics.get().getThreadMoves() == movesBefore && System.nanoTime() < end) {
                    Arrays.fill(message, (byte) roundTrips);
                    stream.write(message, 0, message.length);
                    for (int got = 0; got < echo.length; ) {
                        got += stream.read(echo, got, echo.length - got, 0);
                    }
                    assertEquals(message[0], echo[31]);
                    roundTrips++;
                }
                assertTrue(ShuntMetrics.get().getThreadMoves() > movesBefore, "no move in " + roundTrips
                        + " round trips");
                assertNotEquals(0, Cpus.current(), "back on the peer's CPU");
                assertEquals(mask, ThreadCpus.allowedList(), "the thread's CPU mask");
                stream.close();
            } finally {
                Descriptors.close(fd);
            }
        } finally {
            Files.deleteIfExists(path);
            Files.deleteIfExists(Path.of(path + ".shunt"));
            Files.delete(dir);
        }
    }
}
