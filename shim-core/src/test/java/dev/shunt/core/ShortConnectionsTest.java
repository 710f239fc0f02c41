package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The decisions of {@link ShortConnections}, on a clock the test moves. */
class ShortConnectionsTest {
    private static final long MILLI = TimeUnit.MILLISECONDS.toNanos(1);

    private long now = 1_000 * MILLI;
    private final ShortConnections history = new ShortConnections(() -> now);

    /** One connection to the server: the decision, then (when it went on) a close after {@code lifetime} ms. */
    private boolean connect(long lifetimeMillis, long bytes, long gapMillis) {
        now += gapMillis * MILLI;
        boolean skipped = history.skipHandshake();
        if (!skipped) {
            long started = history.now();
            now += lifetimeMillis * MILLI;
            history.ended(started, bytes);
        }
        return skipped;
    }

    private void shortStreak() {
        for (int i = 0; i < ShortConnections.STREAK; i++) {
            assertFalse(connect(1, 64, 1), "connection " + i + " of the streak");
        }
    }

    @Test
    void frequentShortConnectionsSkipTheHandshakeOnceTheStreakIsFull() {
        shortStreak();
        assertTrue(connect(1, 64, 1));
        assertTrue(connect(1, 64, ShortConnections.FREQUENT_MILLIS - 1));
    }

    @Test
    void everyProbeEveryThSkippedConnectionTriesTheFastPathAfterAllWhenTheyComeSlowly() {
        shortStreak();
        long gap = ShortConnections.PROBE_MILLIS / ShortConnections.PROBE_EVERY + 1;
        int tried = 0;
        for (int i = 1; i <= 3 * ShortConnections.PROBE_EVERY; i++) {
            if (!connect(1, 64, gap)) {
                tried++;
                assertEquals(0, i % ShortConnections.PROBE_EVERY, "probe at connection " + i);
            }
        }
        assertEquals(3, tried);
    }

    @Test
    void probesComeAtMostEveryProbeMillisWhenConnectionsComeFast() {
        shortStreak();
        int tried = 0;
        int last = 0;
        for (int i = 1; i <= 10 * ShortConnections.PROBE_MILLIS; i++) {
            if (!connect(0, 64, 1)) {
                tried++;
                assertTrue(last == 0 || i - last >= ShortConnections.PROBE_MILLIS, "probe at " + i + " ms");
                last = i;
            }
        }
        assertEquals(10, tried, "one probe per " + ShortConnections.PROBE_MILLIS + " ms");
    }

    @Test
    void aConnectAfterAPauseTriesTheFastPath() {
        shortStreak();
        assertTrue(connect(1, 64, 1));
        assertFalse(connect(1, 64, ShortConnections.FREQUENT_MILLIS));
        assertTrue(connect(1, 64, 1), "the pause's connection closed short too: the streak stands");
    }

    @Test
    void aConnectionThatLivedLongEndsTheStreak() {
        shortStreak();
        assertFalse(connect(ShortConnections.SHORT_MILLIS, 64, ShortConnections.FREQUENT_MILLIS));
        for (int i = 0; i < ShortConnections.STREAK; i++) {
            assertFalse(connect(1, 64, 1), "connection " + i + " after the long one");
        }
        assertTrue(connect(1, 64, 1));
    }

    @Test
    void aConnectionThatMovedEnoughBytesEndsTheStreak() {
        shortStreak();
        assertFalse(connect(1, ShortConnections.SHORT_BYTES, ShortConnections.FREQUENT_MILLIS));
        assertFalse(connect(1, 64, 1));
        assertFalse(connect(1, ShortConnections.SHORT_BYTES - 1, 1), "just under the bound is short");
    }

    @Test
    void openConnectionsCountForNothing() {
        for (int i = 0; i < 4 * ShortConnections.STREAK; i++) {
            now += MILLI;
            assertFalse(history.skipHandshake(), "a pool opening connection " + i);
        }
    }

    @Test
    void eachServerHasItsOwnRecordMadeByItsFirstFastPathAttempt() {
        Path a = Path.of("/nonexistent/short-connections-a.sock");
        Path b = Path.of("/nonexistent/short-connections-b.sock");
        assertNull(ShortConnections.known(a), "no record before the first attempt");
        ShortConnections record = ShortConnections.forServer(a);
        assertSame(record, ShortConnections.known(a));
        assertSame(record, ShortConnections.forServer(a));
        assertNotSame(ShortConnections.forServer(a), ShortConnections.forServer(b));
    }
}
