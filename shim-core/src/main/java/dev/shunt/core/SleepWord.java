package dev.shunt.core;

import static dev.shunt.core.SharedRegionLayout.AWAKE;
import static dev.shunt.core.SharedRegionLayout.PARKED_DOORBELL;
import static dev.shunt.core.SharedRegionLayout.PARKED_FUTEX;

/**
 * One sleep word of a control block ({@link SharedRegionLayout}), as its owner and its waker use it. The owner
 * announces how it is about to sleep ({@link SharedRegionLayout#PARKED_FUTEX} or
 * {@link SharedRegionLayout#PARKED_DOORBELL}), re-checks its ring, sleeps, and withdraws the announcement; a waker
 * that finds the announcement takes it (sets the word back to awake) and signals the way it asks. Taking it with
 * one atomic exchange coalesces wake-ups: however many wakers race, one signal goes out per announcement. Every
 * value read back is validated: the peer may have written anything.
 */
final class SleepWord {
    private final ControlBlock control;
    private final int offset;

    SleepWord(ControlBlock control, int offset) {
        this.control = control;
        this.offset = offset;
    }

    /** Owner: announces a sleep, fenced before the re-check that must follow. */
    void announce(int how) {
        control.announceSleep(offset, how);
    }

    /**
     * Owner: announces a sleep unless another thread of this process already sleeps on the word.
     *
     * @return whether the announcement was made
     */
    boolean announceIfAwake(int how) {
        return control.announceSleepIfAwake(offset, how);
    }

    /**
     * Owner: takes back its announcement after waking up (a waker may have taken it already).
     *
     * @throws ShuntProtocolException when the word holds neither the announcement nor awake
     */
    void withdraw(int how) throws ShuntProtocolException {
        int was = control.clearSleep(offset);
        if (was != how && was != AWAKE) {
            throw impossible(was);
        }
    }

    /** Owner: takes back an announcement of {@code how} if it is still there, leaving any other value alone. */
    void withdrawIf(int how) {
        control.clearSleepIf(offset, how);
    }

    /**
     * Owner: changes its announcement from {@code from} to {@code to}, unless a waker took it meanwhile.
     *
     * @return whether the word now holds {@code to}
     */
    boolean move(int from, int to) {
        return control.moveSleep(offset, from, to);
    }

    /** @return whether the word holds {@code how} (the owner's check that no waker took its announcement) */
    boolean holds(int how) {
        return control.sleepState(offset) == how;
    }

    /** @return whether the owner announced a sleep (one volatile load: the waker's check on every message) */
    boolean sleeping() {
        return control.sleepState(offset) != AWAKE;
    }

    /**
     * Waker: takes the owner's announcement.
     *
     * @return how the owner sleeps ({@code PARKED_FUTEX} or {@code PARKED_DOORBELL}), or {@code AWAKE} when another
     *     waker took it first
     * @throws ShuntProtocolException when the word holds an impossible value
     */
    int take() throws ShuntProtocolException {
        int was = control.clearSleep(offset);
        if (was == AWAKE || was == PARKED_FUTEX || was == PARKED_DOORBELL) {
            return was;
        }
        throw impossible(was);
    }

    /** @return the absolute address of the word, for {@code futex(2)} */
    long address() {
        return control.address(offset);
    }

    private static ShuntProtocolException impossible(int was) {
        return new ShuntProtocolException("impossible sleep word " + was + " in shared memory");
    }
}
