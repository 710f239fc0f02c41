package dev.shunt.core;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What a {@link ShuntStream} keeps for one direction as this side sees it (reading the inbound ring, or writing the
 * outbound one): the lock that lets one thread at a time in, the sleep word this side parks on and the peer's word
 * it takes to wake the peer, how it waits ({@link WaitPolicy}, {@link EmptyWakeBackoff}), whether this direction was
 * shut down, and the test for "a waiter here may go on". The ring half itself stays with the stream, which knows
 * how to move bytes. It also counts what happened in this direction for {@link StreamCounters}: the thread that holds
 * the lock adds with plain reads and opaque writes (no atomic, no fence), any thread reads opaquely (a whole value).
 */
final class Direction {
    /** Whether a thread waiting in this direction may go on; may throw when the peer broke the protocol. */
    interface Readiness {
        boolean ready() throws IOException;
    }

    private static final VarHandle BYTES;
    private static final VarHandle PARKS;
    private static final VarHandle SIGNALS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            BYTES = lookup.findVarHandle(Direction.class, "bytes", long.class);
            PARKS = lookup.findVarHandle(Direction.class, "parks", long.class);
            SIGNALS = lookup.findVarHandle(Direction.class, "signals", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final ReentrantLock lock = new ReentrantLock();
    /** This side parks here: the consumer's word of the inbound ring, or the producer's word of the outbound one. */
    final SleepWord parkWord;
    /** The peer parks here: the other word of the same ring, taken to wake it after this side moved bytes. */
    final SleepWord peerWord;
    /** Guarded by {@link #lock}. */
    final WaitPolicy policy;
    /** Guarded by {@link #lock}. */
    final EmptyWakeBackoff emptyWakes = new EmptyWakeBackoff();
    private final Readiness readiness;
    volatile boolean shutdown;
    /** The virtual thread of this process parked in this direction, for the doorbell waker to unpark. */
    volatile Thread parkedVirtual;
    /** Bytes moved through this direction's ring; written under {@link #lock}. */
    private long bytes;
    /** Sleeps of this side waiting in this direction; written under {@link #lock}. */
    private long parks;
    /** Wakes sent to the peer sleeping on {@link #peerWord}; written under {@link #lock}, or while closing or
     * taking lent bytes back. */
    private long signals;

    Direction(SleepWord parkWord, SleepWord peerWord, long spinCapNanos, Readiness readiness) {
        this.parkWord = parkWord;
        this.peerWord = peerWord;
        this.policy = new WaitPolicy(spinCapNanos);
        this.readiness = readiness;
    }

    /** @return whether a waiter in this direction may go on: bytes or space, end of stream, shutdown or close */
    boolean ready() throws IOException {
        return readiness.ready();
    }

    void countBytes(int n) {
        BYTES.setOpaque(this, bytes + n);
    }

    void countPark() {
        PARKS.setOpaque(this, parks + 1);
    }

    void countSignal() {
        SIGNALS.setOpaque(this, signals + 1);
    }

    long bytes() {
        return (long) BYTES.getOpaque(this);
    }

    long parks() {
        return (long) PARKS.getOpaque(this);
    }

    long signals() {
        return (long) SIGNALS.getOpaque(this);
    }
}
