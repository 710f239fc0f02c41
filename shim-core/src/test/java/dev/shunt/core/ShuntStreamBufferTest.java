package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.shunt.core.testing.ConnectedPair;
import dev.shunt.core.testing.TestProtection;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The blocking calls that take buffers: {@link ShuntStream#read(ByteBuffer, long)} and {@link ShuntStream#write(ByteBuffer)}. */
class ShuntStreamBufferTest {
    private static final ShuntConfig FAST = TestProtection.fastPath(4096, 50_000, 5_000);

    @Test
    void directBuffersStreamMoreThanTheRingHoldsBlockingOnBothSides() throws Exception {
        try (ConnectedPair pair = ConnectedPair.open(FAST)) {
            ShuntStream writer = pair.client.stream();
            ShuntStream reader = pair.server.stream();
            byte[] data = new byte[300_000];
            new Random(7).nextBytes(data);
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    ByteBuffer src = ByteBuffer.allocateDirect(data.length).put(data).flip();
                    writer.write(src);
                    assertEquals(0, src.remaining());
                    writer.shutdownOutput();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            ByteBuffer dst = ByteBuffer.allocateDirect(data.length + 1);
            ByteBuffer chunk = ByteBuffer.allocateDirect(5_000);
            for (int n; (n = reader.read(chunk.clear(), 0)) > 0; ) {
                dst.put(chunk.flip());
            }
            writing.get(30, TimeUnit.SECONDS);
            byte[] received = new byte[dst.flip().remaining()];
            dst.get(received);
            assertArrayEquals(data, received);
            assertEquals(-1, reader.read(chunk.clear(), 0));
        }
    }

    @Test
    void aBufferReadTimesOutAndAFullBufferReadsNothing() throws Exception {
        try (ConnectedPair pair = ConnectedPair.open(FAST)) {
            ShuntStream reader = pair.server.stream();
            assertThrows(SocketTimeoutException.class,
                    () -> reader.read(ByteBuffer.allocate(10), TimeUnit.MILLISECONDS.toNanos(50)));
            assertEquals(0, reader.read(ByteBuffer.allocate(0), 0));
            pair.client.stream().write(ByteBuffer.wrap(new byte[] {1, 2}));
            ByteBuffer heap = ByteBuffer.allocate(10);
            assertEquals(2, reader.read(heap, 0));
            assertEquals(2, heap.position());
        }
    }
}
