package dev.shunt.bench;

import java.util.concurrent.locks.LockSupport;

/** When the client sends the next message of a measured phase. */
interface Pacing {
    /**
     * Waits until the next message is due.
     *
     * @param start when the measured phase started
     * @param index how many messages were sent before in this phase
     * @return the intended send time, which latency is measured from
     */
    long await(long start, long index);

    /** Send as soon as the previous reply is in. */
    static Pacing backToBack() {
        return (start, index) -> System.nanoTime();
    }

    /**
     * Send on a fixed schedule, busy-waiting for each slot (a timed sleep would add the kernel's timer slack).
     * A late reply makes the next messages late, and they are measured from their slot, not from when they
     * could finally be sent: no coordinated omission.
     */
    static Pacing fixedRate(long perSecond) {
        return (start, index) -> {
            long intended = start + index * 1_000_000_000L / perSecond;
            while (System.nanoTime() - intended < 0) {
                Thread.onSpinWait();
            }
            return intended;
        };
    }

    /** Sleep before each message, so that the peer parks in between; measured from the actual send. */
    static Pacing sleeping(long gapNanos) {
        return (start, index) -> {
            LockSupport.parkNanos(gapNanos);
            return System.nanoTime();
        };
    }
}
