package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.ConnectedPair;
import dev.shunt.core.testing.TestProtection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Idle blocked readers cost no wake-ups once their first liveness slice has passed, as readers blocked on a kernel
 * socket cost none: the {@link LivenessWatch} polls their sockets for them. Counted in parks (each wake-up of a
 * parked thread that finds nothing parks again) over a window, not timed.
 */
class IdleWaitTest {
    private static final ShuntConfig FAST = TestProtection.fastPath(4096, 20_000, 5_000);
    private static final int READERS = 40;
    private static final long WINDOW_MILLIS = 1_000;

    @Test
    void idleBlockedReadersStopWakingUpAfterTheirFirstSlice() throws Exception {
        List<ConnectedPair> pairs = new ArrayList<>();
        List<Future<Integer>> reads = new ArrayList<>();
        ExecutorService readers = Executors.newFixedThreadPool(READERS);
        try {
            for (int i = 0; i < READERS; i++) {
                ConnectedPair pair = ConnectedPair.open(FAST);
                pairs.add(pair);
                ShuntStream stream = pair.server.stream();
                reads.add(readers.submit(() -> {
                    byte[] one = new byte[1];
                    return stream.read(one, 0, 1, 0) == 1 ? one[0] & 0xff : -1;
                }));
            }
            Thread.sleep(3 * ShuntStream.LIVENESS_SLICE_MILLIS);
            long before = ShuntMetrics.snapshot().parks();
            Thread.sleep(WINDOW_MILLIS);
            long parks = ShuntMetrics.snapshot().parks() - before;
            long sliced = READERS * WINDOW_MILLIS / ShuntStream.LIVENESS_SLICE_MILLIS;
            assertTrue(parks < READERS / 2, parks + " parks in " + WINDOW_MILLIS + " ms by " + READERS
                    + " idle readers (a liveness slice each would make " + sliced + ")");
            for (int i = 0; i < READERS; i++) {
                pairs.get(i).client.stream().write(new byte[] {(byte) i}, 0, 1);
            }
            for (int i = 0; i < READERS; i++) {
                assertEquals(i, reads.get(i).get(5, TimeUnit.SECONDS), "reader " + i + " after its idle wait");
            }
        } finally {
            readers.shutdownNow();
            for (ConnectedPair pair : pairs) {
                pair.close();
            }
        }
    }
}
