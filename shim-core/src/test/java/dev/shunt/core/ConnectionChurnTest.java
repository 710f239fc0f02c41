package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.ChildJvm;
import dev.shunt.core.testing.ConnectedPair;
import dev.shunt.core.testing.TestProtection;
import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Many short connections between two JVMs leave nothing behind, and the mapping bound keeps connections past it on
 * the kernel socket, counted on both sides.
 */
class ConnectionChurnTest {
    private static final int CHURN = 100_000;
    private static final int MESSAGE = 1024;
    /** Every connection tries the fast path: the test is about what the fast path leaves behind. */
    private static final ShuntConfig CONFIG = TestProtection.fastPath(65536, 20_000, 10_000)
            .withSkipShortConnections(false);

    @Test
    void hundredThousandConnectsAndClosesLeaveNothingBehindOnEitherSide() throws Exception {
        try (ConnectedPair warmUp = ConnectedPair.open(CONFIG)) {
            // Loads the native library and opens the JVM's lazily opened files before counting.
            assertTrue(warmUp.client.isFastPath());
        }
        Path dir = Files.createTempDirectory("shunt-churn");
        Path path = dir.resolve("s");
        long[] before = ChurnServer.leakCounts();
        try (ChildJvm server = ChildJvm.start(List.of("shunt.enabled=true", "shunt.ringBytes=65536"),
                ChurnServer.class, path.toString(), Integer.toString(CHURN + 1))) {
            server.expect("READY", 30, TimeUnit.SECONDS);
            exchange(path, CONFIG, 0);
            long start = System.nanoTime();
            for (int i = 1; i <= CHURN; i++) {
                assertTrue(exchange(path, CONFIG, i), "connection " + i + " took the fast path");
            }
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            System.out.println("ConnectionChurnTest: " + CHURN + " connections in " + seconds + " s");
            assertEquals("fast=" + (CHURN + 1) + " fallback=0", server.expect("HANDSHAKES", 120, TimeUnit.SECONDS));
            assertEquals("fds=0 rings=0 memfds=0 budget=0", server.expect("LEAKS", 30, TimeUnit.SECONDS));
            assertEquals(0, server.waitFor(30, TimeUnit.SECONDS), server.stderr());
        } finally {
            Files.deleteIfExists(Advertisement.pathFor(path));
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
        assertEquals(Arrays.toString(before), Arrays.toString(ChurnServer.leakCounts()),
                "descriptors, ring mappings, memfds and mapping budget here");
    }

    @Test
    void connectionsPastTheMappingBoundStayOnTheKernelSocketOnBothSides() throws Exception {
        Path dir = Files.createTempDirectory("shunt-bound");
        Path path = dir.resolve("s");
        long clientLimitBefore = ShuntMetrics.snapshot().fallbacks().get(FallbackReason.MAPPING_LIMIT.description());
        try (ChildJvm server = ChildJvm.start(List.of("shunt.enabled=true", "shunt.ringBytes=65536",
                "shunt.maxMappings=" + MappingBudget.MOST_PER_REGION), ChurnServer.class, path.toString(), "4")) {
            server.expect("READY", 30, TimeUnit.SECONDS);
            assertTrue(exchange(path, CONFIG, 0), "the first connection");
            int fd = UnixSockets.socket();
            ClientHandshake held = ShuntHandshake.prepareClient(fd, path, CONFIG);
            UnixSockets.connect(fd, path.toString());
            HandshakeResult open = held.complete();
            assertTrue(open.isFastPath(), open.toString());
            int fd2 = UnixSockets.socket();
            ClientHandshake pending = ShuntHandshake.prepareClient(fd2, path, CONFIG);
            UnixSockets.connect(fd2, path.toString());
            HandshakeResult past = pending.complete();
            assertEquals(FallbackReason.PEER_DECLINED, past.fallbackReason(), past.detail());
            assertTrue(past.detail().contains(FallbackReason.MAPPING_LIMIT.description()), past.detail());
            echoOnKernelSocket(fd2);
            Descriptors.close(fd2);

            int inUse = MappingBudget.inUse();
            ShuntConfig tight = CONFIG.withMaxMappings(inUse + MappingBudget.MOST_PER_REGION - 1);
            int fd3 = UnixSockets.socket();
            HandshakeResult own = ShuntHandshake.prepareClient(fd3, path, tight).complete();
            assertEquals(FallbackReason.MAPPING_LIMIT, own.fallbackReason(), "this side's own bound, before marking");
            UnixSockets.connect(fd3, path.toString());
            echoOnKernelSocket(fd3);
            Descriptors.close(fd3);
            assertEquals(clientLimitBefore + 1,
                    ShuntMetrics.snapshot().fallbacks().get(FallbackReason.MAPPING_LIMIT.description()));

            open.stream().close();
            Descriptors.close(fd);
            assertEquals("fast=2 fallback=2", server.expect("HANDSHAKES", 60, TimeUnit.SECONDS));
            String fallbacks = server.expect("FALLBACKS", 30, TimeUnit.SECONDS);
            assertTrue(fallbacks.contains(FallbackReason.MAPPING_LIMIT.description() + "=1"), fallbacks);
            assertTrue(fallbacks.contains(FallbackReason.PEER_NOT_SHUNT.description() + "=1"), fallbacks);
            assertEquals(0, server.waitFor(30, TimeUnit.SECONDS), server.stderr());
        } finally {
            Files.deleteIfExists(Advertisement.pathFor(path));
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
    }

    /** Connects, echoes one message of {@value #MESSAGE} bytes through the server, closes. @return fast path */
    private static boolean exchange(Path path, ShuntConfig config, int seed) throws Exception {
        int fd = UnixSockets.socket();
        try {
            ClientHandshake handshake = ShuntHandshake.prepareClient(fd, path, config);
            UnixSockets.connect(fd, path.toString());
            HandshakeResult result = handshake.complete();
            if (!result.isFastPath()) {
                echoOnKernelSocket(fd);
                return false;
            }
            try (ShuntStream stream = result.stream()) {
                byte[] data = message(seed);
                stream.write(data, 0, data.length);
                byte[] echo = new byte[data.length];
                for (int n = 0; n < echo.length; ) {
                    n += stream.read(echo, n, echo.length - n, 0);
                }
                assertArrayEquals(data, echo);
            }
            return true;
        } finally {
            Descriptors.close(fd);
        }
    }

    private static void echoOnKernelSocket(int fd) throws Exception {
        byte[] data = message(-1);
        UnixSockets.writeFully(fd, data, 0, data.length);
        byte[] echo = new byte[data.length];
        for (int n = 0; n < echo.length; ) {
            n += UnixSockets.read(fd, echo, n, echo.length - n);
        }
        assertArrayEquals(data, echo);
    }

    private static byte[] message(int seed) {
        byte[] data = new byte[MESSAGE];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (seed * 31 + i);
        }
        return data;
    }
}
