package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shunt.nativeio.Descriptors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The lost-wake-up argument of the sleep protocol, stressed in the jcstress manner with the production code on a
 * real region. Each round, at the same moment on two threads:
 * <pre>
 *   consumer: announce a sleep (SleepWord.announce: volatile store + full fence); seen = ring has bytes?
 *   producer: write one byte (RingProducer: volatile publish);                    asleep = SleepWord.sleeping()?
 * </pre>
 * The outcome {@code seen == false && asleep == false} is forbidden: the consumer would sleep on an empty ring
 * while the producer, seeing no announcement, sends no wake-up. It is a Dekker pattern: with a plain or release
 * store in place of the fenced one, x86's store buffer lets both loads pass both stores and the outcome appears
 * (checked when this test was written: with {@code ControlBlock.announceSleep} storing with release and no fence,
 * 41 of 400,000 rounds ended that way on a 2-vCPU AMD EPYC guest; with the fence, none).
 */
class SleepProtocolStressTest {
    private static final int ROUNDS = 400_000;
    /** A random pause of up to this many spin hints before each side acts, so the two acts overlap in varied ways. */
    private static final int JITTER_SPINS = 8;

    @Test
    void noRoundEndsWithAnEmptyRingSeenAndNoAnnouncementSeen() throws Exception {
        assumeTrue(Runtime.getRuntime().availableProcessors() > 1, "needs two CPUs to run the two sides at once");
        SharedRegion.Created created = SharedRegion.create(4096, AccessWindow.NONE);
        Descriptors.close(created.memfd());
        try (SharedRegion region = created.region()) {
            int at = SharedRegionLayout.RING_A_CONTROL_OFFSET;
            RingProducer producer = new RingProducer(region.control(at), region.data(at));
            RingConsumer consumer = new RingConsumer(region.control(at), region.data(at));
            SleepWord word = new SleepWord(region.control(at), SharedRegionLayout.CONSUMER_SLEEP);
            Rounds rounds = new Rounds();
            Thread producerThread = new Thread(() -> rounds.runProducer(producer, word), "stress-producer");
            producerThread.start();
            long forbidden;
            try {
                forbidden = rounds.runConsumer(consumer, word);
            } finally {
                rounds.stop();
                producerThread.join();
            }
            assertNull(rounds.failure.get(), "the producer failed");
            assertEquals(0, forbidden, "rounds where the consumer saw an empty ring and the producer saw no sleep "
                    + "announcement (a lost wake-up), out of " + ROUNDS + "; both seen: " + rounds.bothSeen.get());
        }
    }

    /** Two threads meeting at the start and end of each round, through two counters. */
    private static final class Rounds {
        final AtomicInteger started = new AtomicInteger(-1);
        final AtomicInteger producerDone = new AtomicInteger(-1);
        final AtomicLong bothSeen = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile boolean producerSawSleep;
        volatile boolean stopped;

        long runConsumer(RingConsumer consumer, SleepWord word) throws Exception {
            byte[] one = new byte[1];
            long forbidden = 0;
            for (int round = 0; round < ROUNDS && failure.get() == null; round++) {
                started.set(round);
                jitter();
                word.announce(SharedRegionLayout.PARKED_FUTEX);
                boolean seen = consumer.available(1) > 0;
                while (producerDone.get() != round) {
                    if (failure.get() != null) {
                        return forbidden;
                    }
                    Thread.onSpinWait();
                }
                if (!seen && !producerSawSleep) {
                    forbidden++;
                } else if (seen && producerSawSleep) {
                    bothSeen.incrementAndGet();
                }
                assertEquals(1, consumer.read(one, 0, 1));
                word.withdraw(SharedRegionLayout.PARKED_FUTEX);
            }
            return forbidden;
        }

        void runProducer(RingProducer producer, SleepWord word) {
            byte[] one = {1};
            try {
                for (int round = 0; !stopped; round++) {
                    while (started.get() != round) {
                        if (stopped) {
                            return;
                        }
                        Thread.onSpinWait();
                    }
                    jitter();
                    if (producer.write(one, 0, 1, AccessWindow.NONE) != 1) {
                        throw new AssertionError("the ring had no room for one byte in round " + round);
                    }
                    producerSawSleep = word.sleeping();
                    producerDone.set(round);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }

        void stop() {
            stopped = true;
        }

        private static void jitter() {
            for (int i = ThreadLocalRandom.current().nextInt(JITTER_SPINS); i > 0; i--) {
                Thread.onSpinWait();
            }
        }
    }
}
