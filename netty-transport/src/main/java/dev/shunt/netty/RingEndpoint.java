package dev.shunt.netty;

/**
 * The side of a fast-path channel that its {@link ShuntIoHandler} drives: polled while the loop is awake and
 * the channel has work, put to sleep on its doorbell when the loop is about to block.
 *
 * <p>All methods run on the event loop thread.
 */
abstract class RingEndpoint {
    /** {@link #trySleep()}: the doorbell is armed; the endpoint leaves the polled set until it rings. */
    static final int SLEPT = 0;
    /** {@link #trySleep()}: there is work already; keep polling. */
    static final int BUSY = 1;
    /** {@link #trySleep()}: the endpoint cannot arm its doorbell now and retries later on its own. */
    static final int DEFERRED = 2;

    /** Whether the endpoint is in its handler's polled set; maintained by the handler. */
    boolean polled;

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

    /** Called after the endpoint left the polled set because it waits for nothing; may fire pipeline events. */
    abstract void idle();

    /** @return whether the peer last ran on the CPU this loop last ran on (a hint for the loop's wait policy) */
    abstract boolean peerOnThisCpu();

    /** @return whether this channel woke its peer since the last call (a hint for the loop's wait policy) */
    abstract boolean tookPeerWake();
}
