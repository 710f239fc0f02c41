package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.shunt.nativeio.Descriptors;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ring halves on a real sealed memfd region, without the handshake. */
class RingTest {
    private static final int CAPACITY = 4096;
    private SharedRegion region;
    private RingProducer producer;
    private RingConsumer consumer;
    private ControlBlock control;

    @BeforeEach
    void map() throws Exception {
        int[] memfd = {-1};
        region = SharedRegion.create(CAPACITY, AccessWindow.NONE, memfd);
        Descriptors.close(memfd[0]);
        int at = SharedRegionLayout.RING_A_CONTROL_OFFSET;
        control = region.control(at);
        producer = new RingProducer(control, region.data(at));
        consumer = new RingConsumer(region.control(at), region.data(at));
    }

    @AfterEach
    void unmap() {
        region.close();
    }

    @Test
    void emptyRingReadsNothingAndFullRingTakesNothing() throws Exception {
        assertEquals(0, consumer.read(new byte[10], 0, 10, AccessWindow.NONE));
        byte[] big = new byte[CAPACITY + 100];
        assertEquals(CAPACITY, producer.write(big, 0, big.length, AccessWindow.NONE));
        assertEquals(0, producer.write(big, 0, 1, AccessWindow.NONE));
        assertEquals(0, producer.free(1));
        assertEquals(1, consumer.read(new byte[1], 0, 1, AccessWindow.NONE));
        assertEquals(1, producer.write(big, 0, 5, AccessWindow.NONE));
    }

    @Test
    void wrapsAroundTheEndKeepingOrder() throws Exception {
        byte[] filler = new byte[CAPACITY - 10];
        producer.write(filler, 0, filler.length, AccessWindow.NONE);
        consumer.read(new byte[filler.length], 0, filler.length, AccessWindow.NONE);
        byte[] data = new byte[100];
        new Random(3).nextBytes(data);
        assertEquals(100, producer.write(data, 0, 100, AccessWindow.NONE));
        byte[] out = new byte[100];
        assertEquals(100, consumer.read(out, 0, 100, AccessWindow.NONE));
        assertArrayEquals(data, out);

        ByteBuffer src = ByteBuffer.wrap(data);
        producer.write(ByteBuffer.allocate(CAPACITY - 130), AccessWindow.NONE);
        consumer.read(ByteBuffer.allocate(CAPACITY - 130), AccessWindow.NONE);
        assertEquals(100, producer.write(src, AccessWindow.NONE));
        ByteBuffer dst = ByteBuffer.allocateDirect(100);
        assertEquals(100, consumer.read(dst, AccessWindow.NONE));
        dst.flip();
        byte[] viaBuffers = new byte[100];
        dst.get(viaBuffers);
        assertArrayEquals(data, viaBuffers);
    }

    @Test
    void concurrentProducerAndConsumerWithRandomSizesKeepEveryByte() throws Exception {
        long total = 32L << 20;
        CompletableFuture<Long> produced = CompletableFuture.supplyAsync(() -> {
            Random random = new Random(11);
            byte[] chunk = new byte[3 * CAPACITY];
            CRC32 crc = new CRC32();
            long left = total;
            try {
                while (left > 0) {
                    int len = (int) Math.min(left, 1 + random.nextInt(chunk.length));
                    random.nextBytes(chunk);
                    int off = 0;
                    while (off < len) {
                        int n = producer.write(chunk, off, len - off, AccessWindow.NONE);
                        if (n == 0) {
                            Thread.onSpinWait();
                        }
                        off += n;
                    }
                    crc.update(chunk, 0, len);
                    left -= len;
                }
            } catch (ShuntProtocolException e) {
                throw new IllegalStateException(e);
            }
            return crc.getValue();
        });
        Random random = new Random(12);
        byte[] buf = new byte[2 * CAPACITY];
        CRC32 crc = new CRC32();
        long got = 0;
        long spins = 0;
        while (got < total) {
            int n = consumer.read(buf, 0, 1 + random.nextInt(buf.length), AccessWindow.NONE);
            if (n == 0) {
                Thread.onSpinWait();
                if (++spins > 5_000_000_000L) {
                    throw new AssertionError("consumer starved at " + got);
                }
            }
            crc.update(buf, 0, n);
            got += n;
        }
        assertEquals(produced.get(60, TimeUnit.SECONDS), crc.getValue());
        assertEquals(total, consumer.position());
    }

    @Test
    void producerPositionBeyondOneRingIsAProtocolError() {
        control.publishProducerPosition(CAPACITY + 1L);
        assertThrows(ShuntProtocolException.class, () -> consumer.read(new byte[1], 0, 1, AccessWindow.NONE));
    }

    @Test
    void producerPositionGoingBackwardsIsAProtocolError() throws Exception {
        control.publishProducerPosition(100);
        assertEquals(10, consumer.read(new byte[10], 0, 10, AccessWindow.NONE));
        control.publishProducerPosition(50);
        assertThrows(ShuntProtocolException.class, () -> consumer.read(new byte[200], 0, 200, AccessWindow.NONE));
    }

    @Test
    void consumerPositionAheadOfTheProducerIsAProtocolError() throws Exception {
        producer.write(new byte[CAPACITY], 0, CAPACITY, AccessWindow.NONE);
        control.publishConsumerPosition(CAPACITY + 1L);
        assertThrows(ShuntProtocolException.class, () -> producer.write(new byte[1], 0, 1, AccessWindow.NONE));
    }

    @Test
    void negativeConsumerPositionIsAProtocolError() throws Exception {
        producer.write(new byte[CAPACITY], 0, CAPACITY, AccessWindow.NONE);
        control.publishConsumerPosition(-5);
        assertThrows(ShuntProtocolException.class, () -> producer.write(new byte[1], 0, 1, AccessWindow.NONE));
    }
}
