package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.shunt.core.testing.ChildJvm;
import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Publishing and withdrawing a server's advertisement while other servers take over its socket path. */
class AdvertisementTest {
    private static final ShuntConfig ON = new ShuntConfig(true, MpkMode.OPTIONAL, 4096, 1_000, 2_000);
    /** Rounds of the race; the owner's delay sweeps 0 to 315 µs in 5 µs steps, so each step comes up 40 times. */
    private static final int ROUNDS = 64 * 40;
    private static final long DELAY_STEP_NANOS = 5_000;

    private Path dir;
    private Path path;
    private int listenFd = -1;

    @BeforeEach
    void createDirectory() throws IOException {
        dir = Files.createTempDirectory("shunt");
        path = dir.resolve("s");
    }

    @AfterEach
    void cleanUp() throws IOException {
        Descriptors.close(listenFd);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.delete(file);
            }
        }
        Files.delete(dir);
    }

    /** Unlinks whatever socket file is at the path and binds a new one there, as a restarting server does. */
    private void rebind() throws IOException {
        Descriptors.close(listenFd);
        Files.deleteIfExists(path);
        listenFd = UnixSockets.socket();
        UnixSockets.bindPath(listenFd, path.toString());
        UnixSockets.listen(listenFd, 1);
    }

    private List<Path> leftovers() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("s.shunt.")).toList();
        }
    }

    @Test
    void withdrawRemovesItsOwnAdvertisementAndNothingElse() throws IOException {
        rebind();
        ServerAdvertisement ad = ServerAdvertisement.publish(path, ON);
        assertTrue(ad.isPublished());
        ad.close();
        assertFalse(Files.exists(ad.path()));
        assertTrue(Files.exists(path), "the socket file is the server's to delete");
        assertEquals(List.of(), leftovers());
    }

    @Test
    void withdrawLeavesTheAdvertisementOfASuccessor() throws Exception {
        rebind();
        ServerAdvertisement owner = ServerAdvertisement.publish(path, ON);
        rebind();
        ServerAdvertisement.publish(path, ON);
        owner.close();
        Advertisement.check(path);
    }

    /**
     * A successor in another process re-binds the socket path and publishes its advertisement while the owner
     * withdraws its own: whatever the interleaving, the successor's advertisement must remain. The owner withdraws
     * after a delay that sweeps across the time the successor takes, so that the successor's rename lands before,
     * during and after the owner's withdrawal.
     */
    @Test
    void withdrawNeverDeletesTheAdvertisementOfASuccessorPublishingMeanwhile() throws Exception {
        Path controlPath = dir.resolve("control");
        int controlListen = UnixSockets.socket();
        int control = -1;
        try (ChildJvm successor = ChildJvm.start(List.of(ShuntConfig.ENABLED + "=true"),
                AdvertisementSuccessor.class, path.toString(), controlPath.toString())) {
            UnixSockets.bindPath(controlListen, controlPath.toString());
            UnixSockets.listen(controlListen, 1);
            successor.expect("READY", 30, TimeUnit.SECONDS);
            control = UnixSockets.accept(controlListen);
            byte[] signal = {1};
            for (int round = 0; round < ROUNDS; round++) {
                rebind();
                ServerAdvertisement owner = ServerAdvertisement.publish(path, ON);
                assertTrue(owner.isPublished());
                UnixSockets.writeFully(control, signal, 0, 1);
                long withdrawAt = System.nanoTime() + (round % 64) * DELAY_STEP_NANOS;
                while (System.nanoTime() < withdrawAt) {
                    Thread.onSpinWait();
                }
                owner.close();
                assertEquals(1, UnixSockets.read(control, signal, 0, 1), () -> "successor died: " + successor.stderr());
                try {
                    Advertisement.check(path);
                } catch (FallbackException e) {
                    fail("round " + round + ": the successor's advertisement is gone or wrong: " + e.getMessage());
                }
            }
        } finally {
            Descriptors.close(control);
            Descriptors.close(controlListen);
        }
        assertEquals(List.of(), leftovers());
    }

    /** Anyone who can write the directory can put anything there; withdrawing reads at most the 4 KiB bound. */
    @Test
    void withdrawReadsNoMoreThanTheBoundOfAnAdvertisement() throws IOException {
        rebind();
        ServerAdvertisement ad = ServerAdvertisement.publish(path, ON);
        Files.delete(ad.path());
        Files.createSymbolicLink(ad.path(), Path.of("/dev/zero"));
        assertTimeoutPreemptively(Duration.ofSeconds(60), ad::close, "withdraw read on and on");
        assertTrue(Files.isSymbolicLink(ad.path()), "withdraw removed a file it did not write");
    }
}
