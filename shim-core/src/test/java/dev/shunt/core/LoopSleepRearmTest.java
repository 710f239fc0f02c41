package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.ConnectedPair;
import dev.shunt.core.testing.TestProtection;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * An event loop announces its sleep again while the last announcement still stands: a doorbell that brought
 * nothing (late, from a sleep the loop had left another way) makes the Netty transport's driver re-arm at once, and a
 * selector re-announces when its interest changes. The space the loop waits for must still be announced, woken,
 * moved between the doorbell and futex words, and withdrawn. Before, the producer word, still holding the first
 * announcement, refused the second one ({@code announceIfAwake}): the loop forgot that it waits for space while the
 * word still asked the peer for a signal, so a loop that then slept on its futex words never heard that signal and
 * its backstop never looked for space. A 50 MB Netty write stalled for good in CI that way.
 */
class LoopSleepRearmTest {
    private static final int RING = 4096;
    private static final ShuntConfig FAST = TestProtection.fastPath(RING, 0, 5_000);

    @Test
    void aSleepForSpaceArmedTwiceIsTakenWhenSpaceFreesUp() throws Exception {
        try (ConnectedPair pair = ConnectedPair.open(FAST)) {
            ShuntStream writer = withFullRing(pair.client.stream());
            ShuntStream reader = pair.server.stream();
            assertTrue(writer.prepareLoopSleep(true, true, true));
            assertTrue(writer.prepareLoopSleep(true, true, true), "armed again: still nothing to do");
            reader.readNow(ByteBuffer.allocate(1));
            assertTrue(writer.loopSleepTaken(), "the reader freed space and signalled the loop's futex sleep");
        }
    }

    @Test
    void aDoorbellSleepArmedTwiceMovesToTheFutexWordsWhole() throws Exception {
        try (ConnectedPair pair = ConnectedPair.open(FAST)) {
            ShuntStream writer = withFullRing(pair.client.stream());
            ShuntStream reader = pair.server.stream();
            assertTrue(writer.prepareDoorbellSleep(true));
            assertTrue(writer.prepareDoorbellSleep(true));
            assertTrue(writer.moveLoopSleep(true));
            assertTrue(reader.peerWriterAsleep());
            reader.readNow(ByteBuffer.allocate(1));
            assertTrue(writer.loopSleepTaken(), "the space word asked for a futex wake, and the reader took it");
        }
    }

    @Test
    void aSleepArmedTwiceIsWithdrawnWhole() throws Exception {
        try (ConnectedPair pair = ConnectedPair.open(FAST)) {
            ShuntStream writer = withFullRing(pair.client.stream());
            ShuntStream reader = pair.server.stream();
            assertTrue(writer.prepareLoopSleep(true, true, false));
            assertTrue(writer.prepareLoopSleep(true, true, true));
            writer.cancelDoorbellSleep();
            assertFalse(reader.peerWriterAsleep(), "no announcement left for the reader to signal");
            assertFalse(reader.peerReaderAsleep());
        }
    }

    /** @return {@code writer}, its outbound ring full: a loop over it waits for space */
    private static ShuntStream withFullRing(ShuntStream writer) throws Exception {
        writer.write(new byte[RING], 0, RING);
        return writer;
    }
}
