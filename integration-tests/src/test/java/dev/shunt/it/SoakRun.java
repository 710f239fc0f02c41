package dev.shunt.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shunt.core.ClientHandshake;
import dev.shunt.core.HandshakeResult;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntHandshake;
import dev.shunt.core.ShuntMetrics;
import dev.shunt.core.testing.ChildJvm;
import dev.shunt.core.testing.TestProtection;
import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Soak mode, not part of the test suite: mixed traffic (fast-path and kernel-socket connections, message sizes
 * from 1 byte to 256 KiB, connections closed and reopened all the time) against an echo server JVM for a chosen
 * time, printing throughput, errors and resource use every 5 seconds, and failing on any error or leak.
 * Run it with {@code mvn -B verify -pl integration-tests -Psoak -Dshunt.soak.seconds=600}.
 */
class SoakRun {
    private static final ShuntConfig FAST = TestProtection.fastPath(65536, 50_000, 5_000);
    private static final int WORKERS = 16;

    @Test
    void soak() throws Exception {
        long seconds = Long.getLong("shunt.soak.seconds", 60);
        Path dir = Files.createTempDirectory("shunt-soak");
        Path path = dir.resolve("s");
        AtomicLong bytes = new AtomicLong();
        AtomicLong connections = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        try (ChildJvm server = ChildJvm.start(List.of("shunt.enabled=true", "shunt.ringBytes=65536"),
                EchoServerMain.class, path.toString())) {
            server.expect("READY", 30, TimeUnit.SECONDS);
            oneConnection(path, new Random(0)); // opens the JVM's lazily opened files before counting
            int fdsBefore = Descriptors.openCount();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            for (int w = 0; w < WORKERS; w++) {
                int seed = w;
                pool.submit(() -> {
                    Random random = new Random(seed);
                    while (System.nanoTime() < end) {
                        try {
                            bytes.addAndGet(oneConnection(path, random));
                            connections.incrementAndGet();
                        } catch (IOException | RuntimeException e) {
                            errors.incrementAndGet();
                            System.out.println("soak error: " + e);
                        }
                    }
                });
            }
            pool.shutdown();
            long start = System.nanoTime();
            long lastBytes = 0;
            System.out.println("seconds  MB/s  connections  errors  fds  ring-maps  heap-MB  fast-path-open");
            while (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
                long b = bytes.get();
                System.out.printf("%7d  %4d  %11d  %6d  %3d  %9d  %7d  %14d%n",
                        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start), (b - lastBytes) / 5 / 1_000_000,
                        connections.get(), errors.get(), Descriptors.openCount(), PeerKillRoundsTest.ringMappings(),
                        (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20,
                        ShuntMetrics.snapshot().fastPathConnections());
                lastBytes = b;
            }
            assertEquals(0, errors.get(), "errors during the soak");
            assertEquals(fdsBefore, Descriptors.openCount(), "descriptors leaked");
            assertEquals(0, PeerKillRoundsTest.ringMappings(), "ring mappings leaked");
        } finally {
            pool.shutdownNow();
            try (var files = Files.list(dir)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    /** One connection, fast path or kernel socket at random, a few random-sized echoes checked byte for byte. */
    private static long oneConnection(Path path, Random random) throws IOException {
        ShuntConfig config = FAST.withEnabled(random.nextInt(4) != 0);
        int fd = UnixSockets.socket();
        try {
            ClientHandshake handshake = ShuntHandshake.prepareClient(fd, path, config);
            UnixSockets.connect(fd, path.toString());
            HandshakeResult result = handshake.complete();
            long moved = 0;
            for (int i = 1 + random.nextInt(8); i > 0; i--) {
                byte[] message = new byte[1 + random.nextInt(256 * 1024)];
                random.nextBytes(message);
                byte[] echo = new byte[message.length];
                moved += result.isFastPath() ? fastEcho(result, message, echo) : kernelEcho(fd, message, echo);
                if (!Arrays.equals(message, echo)) {
                    throw new IllegalStateException("echo differs");
                }
            }
            if (result.isFastPath()) {
                result.stream().close();
            }
            return moved;
        } finally {
            Descriptors.close(fd);
        }
    }

    private static long fastEcho(HandshakeResult result, byte[] message, byte[] echo) throws IOException {
        var stream = result.stream();
        int written = 0;
        int read = 0;
        while (read < echo.length) {
            if (written < message.length) {
                written += stream.writeNow(message, written, message.length - written);
            }
            int n = stream.readNow(echo, read, echo.length - read);
            if (n < 0) {
                throw new IOException("early end of stream");
            }
            read += n;
        }
        return 2L * message.length;
    }

    private static long kernelEcho(int fd, byte[] message, byte[] echo) throws IOException {
        int written = 0;
        int read = 0;
        while (read < echo.length) {
            if (written < message.length) {
                int chunk = Math.min(65536, message.length - written);
                UnixSockets.writeFully(fd, message, written, chunk);
                written += chunk;
            }
            int n = UnixSockets.read(fd, echo, read, echo.length - read);
            if (n <= 0) {
                throw new IOException("early end of stream");
            }
            read += n;
        }
        return 2L * message.length;
    }
}
