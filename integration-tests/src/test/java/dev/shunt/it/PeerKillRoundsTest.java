package dev.shunt.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.ClientHandshake;
import dev.shunt.core.HandshakeResult;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntHandshake;
import dev.shunt.core.ShuntStream;
import dev.shunt.core.testing.ChildJvm;
import dev.shunt.core.testing.PeerProcess;
import dev.shunt.core.testing.TestProtection;
import dev.shunt.core.testing.TestServer;
import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SIGKILL of the peer process at a random moment under load in both directions, 200 rounds, the peer being the
 * server in half of them and the client in the other half. The survivor (this JVM) must reach end of stream or
 * "Broken pipe" within a bound, never hang or crash, and leak no descriptor and no ring mapping.
 */
class PeerKillRoundsTest {
    private static final int ROUNDS = 200;
    private static final ShuntConfig CONFIG = TestProtection.fastPath(65536, 20_000, 5_000);
    private static final List<String> PEER = List.of("shunt.enabled=true", "shunt.ringBytes=65536");

    static long ringMappings() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains("shunt-ring")).count();
    }

    @Test
    void survivorNeverHangsCrashesOrLeaks() throws Exception {
        Random random = new Random(6);
        round(0, random);
        int fdsBefore = Descriptors.openCount();
        long mapsBefore = ringMappings();
        for (int r = 1; r <= ROUNDS; r++) {
            round(r, random);
        }
        assertEquals(mapsBefore, ringMappings(), "ring mappings leaked");
        assertEquals(fdsBefore, Descriptors.openCount(), "descriptors leaked");
    }

    private static void round(int r, Random random) throws Exception {
        if (r % 2 == 0) {
            try (TestServer server = new TestServer(CONFIG);
                    ChildJvm peer = ChildJvm.start(PEER, PeerProcess.class, "client", server.path.toString(),
                            "echo")) {
                TestServer.Accepted accepted = server.accept();
                survive(r, accepted.fd, accepted.result, peer, random);
            }
        } else {
            Path dir = Files.createTempDirectory("shunt-kill");
            Path path = dir.resolve("s");
            try (ChildJvm peer = ChildJvm.start(PEER, PeerProcess.class, "server", path.toString(), "echo")) {
                peer.expect("READY", 30, TimeUnit.SECONDS);
                int fd = UnixSockets.socket();
                ClientHandshake handshake = ShuntHandshake.prepareClient(fd, path, CONFIG);
                UnixSockets.connect(fd, path.toString());
                survive(r, fd, handshake.complete(), peer, random);
            } finally {
                Files.deleteIfExists(path);
                Files.deleteIfExists(dir);
            }
        }
    }

    /** Writes and reads echoes until the peer is killed, then checks how both directions end. */
    private static void survive(int round, int fd, HandshakeResult result, ChildJvm peer, Random random)
            throws Exception {
        assertTrue(result.isFastPath(), "round " + round + ": " + result);
        ShuntStream stream = result.stream();
        CompletableFuture<Throwable> writer = CompletableFuture.supplyAsync(() -> {
            byte[] chunk = new byte[4096];
            try {
                while (true) {
                    stream.write(chunk, 0, chunk.length);
                }
            } catch (Exception e) {
                return e;
            }
        });
        CompletableFuture<Long> reader = CompletableFuture.supplyAsync(() -> {
            byte[] buf = new byte[65536];
            long total = 0;
            try {
                for (int n; (n = stream.read(buf, 0, buf.length, 0)) > 0; ) {
                    total += n;
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return total;
        });
        peer.expect("HANDSHAKE", 30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(random.nextInt(30_000));
        while (System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        peer.kill();
        long killed = System.nanoTime();
        Throwable written = writer.get(10, TimeUnit.SECONDS);
        assertTrue(written instanceof SocketException, "round " + round + ": writer ended with " + written);
        assertEquals("Broken pipe", written.getMessage(), "round " + round);
        reader.get(10, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(5), "round " + round + " took too long");
        stream.close();
        Descriptors.close(fd);
    }
}
