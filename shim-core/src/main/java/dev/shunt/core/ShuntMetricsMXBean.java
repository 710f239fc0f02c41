package dev.shunt.core;

import java.util.Map;

/**
 * The JMX view of Shunt's counters: one copy's ({@link ShuntMetrics}, {@code dev.shunt:type=Shunt,copy=<package>})
 * or the process's total over every copy ({@link ProcessMetrics}, {@code dev.shunt:type=Shunt}).
 */
public interface ShuntMetricsMXBean {
    /** @return fast-path connections open now */
    long getFastPathConnections();

    /** @return fast-path connections established since start */
    long getFastPathConnectionsOpened();

    /** @return connections that stayed on the kernel socket, by reason description */
    Map<String, Long> getFallbacks();

    /** @return bytes read from fast-path rings */
    long getFastPathBytesIn();

    /** @return bytes written into fast-path rings */
    long getFastPathBytesOut();

    /** @return futex wakes and doorbell bytes (on the kernel socket) sent to a sleeping peer */
    long getDoorbellSignals();

    /**
     * @return those of {@link #getDoorbellSignals()} that went out as a byte on the kernel socket (to an event loop
     *     sleeping in {@code epoll}, or to a virtual thread's waker); the rest were futex wakes
     */
    long getDoorbellBytes();

    /** @return times a local thread parked waiting for the peer */
    long getParks();

    /** @return connections closed because the peer broke the protocol */
    long getProtocolErrors();

    /** @return handshakes that could neither finish nor fall back (the connection was closed) */
    long getHandshakeFailures();

    /**
     * @return event-loop sleeps that the loop's backstop ended with work that no wake-up brought
     *     ({@link ShuntStream#loopSleepMissed()}): a signal lost or withheld by the peer; 0 in a healthy process
     */
    long getMissedWakeups();

    /**
     * @return times a waiting thread moved itself off the CPU its peer shared with it, for the two to run on two CPUs
     *     ({@link WaitPolicy}, rule 2); a few a second at most
     */
    long getThreadMoves();
}
