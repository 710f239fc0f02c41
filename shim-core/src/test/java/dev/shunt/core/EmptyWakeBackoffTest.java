package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EmptyWakeBackoffTest {
    @Test
    void aFewEmptyWakesAreFreeThenThePauseDoublesUpToALivenessSlice() {
        EmptyWakeBackoff backoff = new EmptyWakeBackoff();
        for (int i = 0; i < EmptyWakeBackoff.TOLERATED; i++) {
            assertEquals(0, backoff.emptyWake());
        }
        long pause = EmptyWakeBackoff.MIN_PAUSE_NANOS;
        while (pause < EmptyWakeBackoff.MAX_PAUSE_NANOS) {
            assertEquals(pause, backoff.emptyWake());
            pause *= 2;
        }
        for (int i = 0; i < 100; i++) {
            assertEquals(EmptyWakeBackoff.MAX_PAUSE_NANOS, backoff.emptyWake());
        }
    }

    @Test
    void progressMakesThePeerHonestAgain() {
        EmptyWakeBackoff backoff = new EmptyWakeBackoff();
        for (int i = 0; i < 20; i++) {
            backoff.emptyWake();
        }
        backoff.progress();
        for (int i = 0; i < EmptyWakeBackoff.TOLERATED; i++) {
            assertEquals(0, backoff.emptyWake());
        }
        assertEquals(EmptyWakeBackoff.MIN_PAUSE_NANOS, backoff.emptyWake());
    }
}
