package dev.shunt.netty;

import dev.shunt.nativeio.FutexSet;

/**
 * The side of a fast-path channel that its {@link ShuntIoHandler} drives: polled while the loop is awake and
 * the channel has work, put to sleep when the loop is about to block: on its doorbell (the loop sleeps in
 * {@code epoll}) or on its futex words (the loop sleeps in {@code futex_waitv}).
 *
 * <p>All methods run on the event loop thread.
 */
abstract class RingEndpoint {
    /** {@link #trySleep()}: the sleep is announced; the endpoint leaves the polled set until the peer signals. */
    static final int SLEPT = 0;
    /** {@link #trySleep()}: there is work already; keep polling. */
    static final int BUSY = 1;
    /** {@link #trySleep()}: the endpoint cannot arm its doorbell now and retries later on its own. */
    static final int DEFERRED = 2;

    /** Whether the endpoint is in its handler's polled set; maintained by the handler. */
    boolean polled;
    /** Where the endpoint is in its handler's list of sleeping endpoints, -1 when it does not sleep; the handler's. */
    int sleepingIndex = -1;
    /** Counts the endpoint's sleep announcements; the handler's. */
    int sleepSerial;
    /** {@link #sleepSerial} at the handler's last backstop check: equal when one sleep outlasted a whole period. */
    int checkedSerial;

    /**
     * Moves bytes between the rings and the pipeline if the channel wants that.
     *
     * @return bytes moved (0 when there was nothing to do)
     */
    abstract long poll();

    /** @return whether the channel still waits for ring data or ring space */
    abstract boolean wantsPolling();

    /** @return {@link #SLEPT}, {@link #BUSY} or {@link #DEFERRED} */
    abstract int trySleep();

    /**
     * Changes how the endpoint's announced sleep is to be woken, if it sleeps.
     *
     * @param onFutex true for a futex wake, false for the doorbell
     * @return false when the peer signalled meanwhile (the caller then calls {@link #woken()})
     */
    abstract boolean moveSleep(boolean onFutex);

    /**
     * Adds the words of the endpoint's futex sleep to the set its loop sleeps on.
     *
     * @return false when the set is full
     */
    abstract boolean addSleepWords(FutexSet set);

    /** @return whether the peer took the endpoint's futex sleep (it signalled) */
    abstract boolean sleepTaken();

    /**
     * @return whether the endpoint's sleep has work although its loop's backstop, not a signal, ended the sleep (a
     *     lost, withheld or late wake-up; counted); the caller then calls {@link #woken()}
     */
    abstract boolean sleepMissed();

    /** The peer signalled a futex sleep, or the loop could not move a sleep: leave the sleep and be polled. */
    abstract void woken();

    /** @return whether the channel needs events of its kernel socket beyond hang-up (it is not ring-only) */
    abstract boolean needsSocketEvents();

    /** Called after the endpoint left the polled set because it waits for nothing; may fire pipeline events. */
    abstract void idle();

    /** @return whether the peer last ran on the CPU this loop last ran on (a hint for the loop's wait policy) */
    abstract boolean peerOnThisCpu();

    /** Tells the peer the CPU the loop runs on now: after the loop moved off the peer's CPU. */
    abstract void publishThisCpu();

    /** @return whether this channel woke its peer since the last call (a hint for the loop's wait policy) */
    abstract boolean tookPeerWake();
}
