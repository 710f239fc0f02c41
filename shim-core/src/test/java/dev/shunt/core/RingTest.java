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
        SharedRegion.Created created = SharedRegion.create(CAPACITY, AccessWindow.NONE);
        Descriptors.close(created.memfd());
        region = created.region();
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
        assertEquals(0, consumer.read(new byte[10], 0, 10));
        byte[] big = new byte[CAPACITY + 100];
        assertEquals(CAPACITY, producer.write(big, 0, big.length, AccessWindow.NONE));
        assertEquals(0, producer.write(big, 0, 1, AccessWindow.NONE));
        assertEquals(0, producer.free(1));
        assertEquals(1, consumer.read(new byte[1], 0, 1));
        assertEquals(1, producer.write(big, 0, 5, AccessWindow.NONE));
    }

    @Test
    void wrapsAroundTheEndKeepingOrder() throws Exception {
        byte[] filler = new byte[CAPACITY - 10];
        producer.write(filler, 0, filler.length, AccessWindow.NONE);
        consumer.read(new byte[filler.length], 0, filler.length);
        byte[] data = new byte[100];
        new Random(3).nextBytes(data);
        assertEquals(100, producer.write(data, 0, 100, AccessWindow.NONE));
        byte[] out = new byte[100];
        assertEquals(100, consumer.read(out, 0, 100));
        assertArrayEquals(data, out);

        ByteBuffer src = ByteBuffer.wrap(data);
        producer.write(ByteBuffer.allocate(CAPACITY - 130), AccessWindow.NONE);
        consumer.read(ByteBuffer.allocate(CAPACITY - 130));
        assertEquals(100, producer.write(src, AccessWindow.NONE));
        ByteBuffer dst = ByteBuffer.allocateDirect(100);
        assertEquals(100, consumer.read(dst));
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
            int n = consumer.read(buf, 0, 1 + random.nextInt(buf.length));
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
        assertThrows(ShuntProtocolException.class, () -> consumer.read(new byte[1], 0, 1));
    }

    @Test
    void producerPositionGoingBackwardsIsAProtocolError() throws Exception {
        control.publishProducerPosition(100);
        assertEquals(10, consumer.read(new byte[10], 0, 10));
        control.publishProducerPosition(50);
        assertThrows(ShuntProtocolException.class, () -> consumer.read(new byte[200], 0, 200));
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

    @Test
    void lentRunsHoldTheirSpaceUntilAllBeforeThemCameBack() throws Exception {
        byte[] data = new byte[1000];
        new Random(3).nextBytes(data);
        producer.write(data, 0, 1000, AccessWindow.NONE);
        long first = consumer.position();
        assertEquals(300, consumer.lend(300));
        long second = consumer.position();
        assertEquals(200, consumer.lend(200));
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 300, 500), bytes(consumer.view(second, 200)));
        byte[] copied = new byte[100];
        assertEquals(100, consumer.read(copied, 0, 100));
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 500, 600), copied);
        assertEquals(0L, control.consumerPosition(), "nothing released while the first run is out");

        int[] releases = {0};
        Runnable released = () -> releases[0]++;
        consumer.giveBack(second, released);
        assertEquals(0, releases[0], "the first run still holds the front");
        assertEquals(0L, control.consumerPosition());
        consumer.giveBack(first, released);
        assertEquals(1, releases[0]);
        assertEquals(600L, control.consumerPosition(), "both runs and the copy behind them are released");
        consumer.giveBack(first, released);
        assertEquals(1, releases[0], "a second give-back does nothing");

        assertEquals(100, consumer.read(copied, 0, 100));
        assertEquals(700L, control.consumerPosition(), "with nothing out, reads release at once");
    }

    @Test
    void lendingStopsAtTheRingEndAndAtHalfTheRing() throws Exception {
        byte[] filler = new byte[CAPACITY - 100];
        producer.write(filler, 0, filler.length, AccessWindow.NONE);
        consumer.read(new byte[filler.length], 0, filler.length);
        producer.write(new byte[CAPACITY], 0, CAPACITY, AccessWindow.NONE);
        long start = consumer.position();
        assertEquals(100, consumer.lend(CAPACITY), "a lent run never wraps");
        assertEquals(CAPACITY / 2 - 100, consumer.lend(CAPACITY / 2 - 100));
        assertEquals(0, consumer.lend(1), "half the ring is out");
        byte[] rest = new byte[CAPACITY];
        assertEquals(CAPACITY / 2, consumer.read(rest, 0, rest.length), "copies still proceed");
        assertEquals(0, producer.write(new byte[1], 0, 1, AccessWindow.NONE), "no space until the runs come back");
        consumer.giveBack(start + 100, () -> { });
        consumer.giveBack(start, () -> { });
        assertEquals(CAPACITY, producer.write(new byte[CAPACITY], 0, CAPACITY, AccessWindow.NONE));
    }

    @Test
    void aFullLedgerRefusesLendingButNotCopying() throws Exception {
        producer.write(new byte[CAPACITY], 0, CAPACITY, AccessWindow.NONE);
        long first = consumer.position();
        int lent = 0;
        while (consumer.lend(1) == 1) {
            lent++;
        }
        assertEquals(LendLedger.MAX_RUNS - 1, lent);
        byte[] rest = new byte[CAPACITY];
        assertEquals(CAPACITY - lent, consumer.read(rest, 0, 10) + consumer.read(rest, 10, rest.length - 10));
        for (int i = lent - 1; i >= 0; i--) {
            consumer.giveBack(first + i, () -> { });
        }
        assertEquals((long) CAPACITY, control.consumerPosition());
    }

    @Test
    void closingWaitsForTheLastLentRun() throws Exception {
        producer.write(new byte[64], 0, 64, AccessWindow.NONE);
        long start = consumer.position();
        assertEquals(64, consumer.lend(64));
        int[] released = {0};
        consumer.closeWhenReturned(() -> released[0]++);
        assertEquals(0, released[0]);
        producer.write(new byte[64], 0, 64, AccessWindow.NONE);
        assertEquals(0, consumer.lend(64), "no lending once closing");
        consumer.giveBack(start, () -> { });
        assertEquals(1, released[0]);
        consumer.giveBack(start, () -> { });
        assertEquals(1, released[0]);
    }

    private static byte[] bytes(ByteBuffer view) {
        byte[] out = new byte[view.remaining()];
        view.duplicate().get(out);
        return out;
    }
}
