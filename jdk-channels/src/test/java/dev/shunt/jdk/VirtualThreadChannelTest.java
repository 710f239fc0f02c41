package dev.shunt.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.ShuntConfig;
import dev.shunt.core.testing.ChildJvm;
import dev.shunt.core.testing.TestProtection;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blocking channels on virtual threads (JDK 21+; the build runs this class on JDK 25 with one carrier thread): the
 * fast path's waits park the virtual thread, not its carrier, so many connections share one carrier.
 */
class VirtualThreadChannelTest {
    private static final ShuntConfig CONFIG = TestProtection.fastPath(1 << 16, 50_000, 5_000);

    @TempDir
    Path dir;

    @Test
    void manyBlockingConnectionsOnVirtualThreadsShareOneCarrier() throws Exception {
        Path socket = dir.resolve("echo");
        ShuntSelectorProvider provider = new ShuntSelectorProvider(CONFIG);
        ExecutorService threads = virtualThreads();
        try (ChildJvm server = JdkChildren.start(true, List.of(), EchoPeer.class, socket.toString(), "blocking")) {
            server.expect("READY", 30, TimeUnit.SECONDS);
            List<Future<long[]>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(threads.submit(() -> {
                    try (SocketChannel channel = TwoJvmChannelTest.connect(provider, socket)) {
                        assertTrue(((ShuntSocketChannel) channel).isFastPath());
                        return TwoJvmChannelTest.echoThrough(channel, 4L << 20);
                    }
                }));
            }
            for (Future<long[]> result : results) {
                long[] crcs = result.get(60, TimeUnit.SECONDS);
                assertEquals(crcs[0], crcs[1]);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aVirtualThreadBlockedInReadWakesWhenBytesArrive() throws Exception {
        ExecutorService threads = virtualThreads();
        try (ChannelPair pair = ChannelPair.open(new ShuntSelectorProvider(CONFIG), dir.resolve("s"))) {
            Future<Integer> read = threads.submit(() -> pair.accepted.read(ByteBuffer.allocate(10)));
            Thread.sleep(200);
            pair.client.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            assertEquals(3, read.get(10, TimeUnit.SECONDS));
        } finally {
            threads.shutdownNow();
        }
    }

    /** {@code Executors.newVirtualThreadPerTaskExecutor()}, which the JDK 17 this compiles against lacks. */
    private static ExecutorService virtualThreads() throws ReflectiveOperationException {
        return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
    }
}
