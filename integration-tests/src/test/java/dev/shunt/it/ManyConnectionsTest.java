package dev.shunt.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.ClientHandshake;
import dev.shunt.core.HandshakeResult;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntHandshake;
import dev.shunt.core.ShuntMetrics;
import dev.shunt.core.ShuntStream;
import dev.shunt.core.testing.ChildJvm;
import dev.shunt.core.testing.ConnectedPair;
import dev.shunt.core.testing.TestProtection;
import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** 1,000 concurrent fast-path connections between two JVMs, each echoing data with checksums, then no leak. */
class ManyConnectionsTest {
    private static final int CONNECTIONS = 1000;
    private static final int BYTES = 64 * 1024;
    private static final ShuntConfig CONFIG = TestProtection.fastPath(65536, 20_000, 10_000);

    @Test
    void thousandConnectionsMoveDataAndLeaveNothingBehind() throws Exception {
        try (ConnectedPair warmUp = ConnectedPair.open(CONFIG)) {
            // Loads the native library and opens the JVM's lazily opened files before counting descriptors.
            assertTrue(warmUp.client.isFastPath());
        }
        Path dir = Files.createTempDirectory("shunt-many");
        Path path = dir.resolve("s");
        int fdsBefore = Descriptors.openCount();
        Map<String, String> descriptorsBefore = descriptors();
        long ringsBefore = MultiEchoServer.rings();
        long openBefore = ShuntMetrics.snapshot().fastPathConnections();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        ExecutorService writers = Executors.newFixedThreadPool(8);
        try (ChildJvm server = ChildJvm.start(List.of("shunt.enabled=true", "shunt.ringBytes=65536"),
                MultiEchoServer.class, path.toString(), Integer.toString(CONNECTIONS))) {
            server.expect("READY", 30, TimeUnit.SECONDS);
            int[] fds = new int[CONNECTIONS];
            ShuntStream[] streams = new ShuntStream[CONNECTIONS];
            for (int i = 0; i < CONNECTIONS; i++) {
                fds[i] = UnixSockets.socket();
                ClientHandshake handshake = ShuntHandshake.prepareClient(fds[i], path, CONFIG);
                UnixSockets.connect(fds[i], path.toString());
                HandshakeResult result = handshake.complete();
                assertTrue(result.isFastPath(), "connection " + i + ": " + result);
                streams[i] = result.stream();
            }
            assertEquals(openBefore + CONNECTIONS, ShuntMetrics.snapshot().fastPathConnections());
            List<Future<?>> work = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                ShuntStream stream = streams[i];
                int seed = i;
                work.add(pool.submit(() -> {
                    byte[] data = new byte[BYTES];
                    new Random(seed).nextBytes(data);
                    byte[] echo = new byte[BYTES];
                    Future<?> writer = writers.submit(() -> {
                        stream.write(data, 0, data.length);
                        stream.shutdownOutput();
                        return null;
                    });
                    int off = 0;
                    for (int n; (n = stream.read(echo, off, echo.length - off, 0)) > 0; ) {
                        off += n;
                    }
                    writer.get(30, TimeUnit.SECONDS);
                    assertEquals(BYTES, off);
                    assertArrayEquals(data, echo);
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get(120, TimeUnit.SECONDS);
            }
            for (int i = 0; i < CONNECTIONS; i++) {
                streams[i].close();
                Descriptors.close(fds[i]);
            }
            assertEquals("fds=0 rings=0", server.expect("LEAKS", 60, TimeUnit.SECONDS));
            assertEquals(0, server.waitFor(30, TimeUnit.SECONDS), server.stderr());
        } finally {
            pool.shutdownNow();
            writers.shutdownNow();
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
        assertEquals(openBefore, ShuntMetrics.snapshot().fastPathConnections());
        assertEquals(ringsBefore, MultiEchoServer.rings(), "ring mappings leaked");
        // The JVM holds a file of its own open for an instant now and then (CI once saw 69 against 68 with nothing
        // changed by the time the message listed them): a leak is a descriptor that stays.
        long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (Descriptors.openCount() != fdsBefore && System.nanoTime() - settle < 0) {
            Thread.sleep(50);
        }
        assertEquals(fdsBefore, Descriptors.openCount(), () -> changedSince(descriptorsBefore));
    }

    /** @return this process's open descriptors and what they point to (a leak's message names them) */
    private static Map<String, String> descriptors() {
        Map<String, String> open = new TreeMap<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    open.put(fd.getFileName().toString(), Files.readSymbolicLink(fd).toString());
                } catch (IOException gone) {
                    // Closed while listed (the listing's own descriptor, among others).
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return open;
    }

    /** @return the descriptors opened and closed since {@code before}, for a leak's message */
    private static String changedSince(Map<String, String> before) {
        Map<String, String> now = descriptors();
        return "descriptors leaked; opened since the start: " + missingFrom(now, before) + "; closed since: "
                + missingFrom(before, now);
    }

    /** @return the entries of {@code these} that {@code others} lacks or maps elsewhere */
    private static Map<String, String> missingFrom(Map<String, String> these, Map<String, String> others) {
        Map<String, String> missing = new TreeMap<>(these);
        missing.entrySet().removeIf(e -> e.getValue().equals(others.get(e.getKey())));
        return missing;
    }
}
