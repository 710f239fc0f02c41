package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.ConnectedPair;
import dev.shunt.core.testing.TestProtection;
import dev.shunt.nativeio.UnixSockets;
import java.lang.reflect.Field;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A peer wakes a parked thread in two steps: it takes the sleep word (sets it back to awake), then calls
 * {@code FUTEX_WAKE}. A peer killed between the two leaves the thread parked on a word that no longer says it sleeps.
 * Whoever wakes this process's threads after that (the liveness watch when the socket hangs up, close, the shutdowns)
 * must still wake it: {@code PeerKillRoundsTest} met this about once in 200 kills, the thread waking only at the end
 * of its 10 s watched slice.
 */
class HalfWakeTest {
    private static final ShuntConfig FAST = TestProtection.fastPath(4096, 20_000, 5_000);

    @Test
    void aReaderWhosePeerTookItsSleepWordAndDiedSeesTheEndOfStreamSoon() throws Exception {
        try (ConnectedPair pair = ConnectedPair.open(FAST)) {
            ShuntStream reader = pair.client.stream();
            CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return reader.read(new byte[1], 0, 1, 0);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            SleepWord readersWord = peerWordOf(pair.server.stream());
            // Past its first liveness slice the reader is watched and parks for the long slice.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!(reader.counters().parks() >= 2 && readersWord.sleeping())) {
                assertTrue(System.nanoTime() < deadline, "the reader never parked twice");
                Thread.sleep(10);
            }
            Thread.sleep(50); // well inside its futex wait by now
            assertTrue(readersWord.sleeping());
            assertEquals(SharedRegionLayout.PARKED_FUTEX, readersWord.take(), "the peer's first step");
            UnixSockets.shutdownOutput(pair.serverFd); // the peer dies before its FUTEX_WAKE: its socket hangs up

            assertEquals(-1, read.get(3, TimeUnit.SECONDS), "end of stream within a few sweeps of the watch");
        }
    }

    /** The word through which the peer wakes this stream's reader: its outbound direction's peer word. */
    private static SleepWord peerWordOf(ShuntStream peer) throws Exception {
        Field output = ShuntStream.class.getDeclaredField("output");
        output.setAccessible(true);
        return ((Direction) output.get(peer)).peerWord;
    }
}
