package dev.shunt.jdk;

import dev.shunt.core.ShuntStream;
import dev.shunt.core.WaitPolicy;
import dev.shunt.nativeio.UnixSockets;
import java.io.IOException;
import java.nio.channels.SelectionKey;

/**
 * What a selector is told about a fast-path channel, and how its {@link PollSet} stays truthful without a system call
 * per message (design and measurements: {@code docs/jdk-channels.md}).
 *
 * <p>The JDK's selector is level-triggered and sees only descriptors. The rule kept here: the poll set is readable
 * whenever the channel is <em>awake</em>, and quiet only while it is <em>asleep</em>, that is after
 * {@link ShuntStream#prepareDoorbellSleep} announced the sleep and found nothing, so that the peer rings the doorbell
 * (one byte on the socket) with its next publication. An awake channel is readable through the doorbell byte that woke
 * it, which stays unread until the channel sleeps again, or through the poll set's own signal. So while both sides
 * are busy no doorbell is rung or read, and the selector's {@code epoll_wait} returns at once.
 *
 * <p>A wait begins where the application moves nothing (a non-blocking read found the ring empty, a write found it
 * full: it will select next) or where the selector finds an awake channel not ready (the application stopped reading
 * before the ring was empty, as Netty does after a short read). The {@link WaitPolicy} says how long to spin. Without a
 * spin the channel sleeps at once, so the next select blocks as on a kernel socket; with one, the selector's thread
 * spins on the rings for what is left of it, as it would otherwise block in {@code epoll_wait}, and sleeps after:
 * only such a spin that found nothing makes a select return empty-handed. To sleep: drain the doorbell, drop the
 * signal, then announce and re-check ({@link #sleep}).
 */
final class RingReadiness {
    private static final int RING_OPS = SelectionKey.OP_READ | SelectionKey.OP_WRITE;
    /**
     * The most one select spins: then it returns, so that the selector's other keys and its wake-ups (a task handed to
     * an event loop) wait no longer than this for a spinning channel.
     */
    private static final long SLICE_NANOS = 10_000;

    private final ShuntStream stream;
    private final PollSet pollSet;
    private final WaitPolicy policy;
    /** The key's interest among {@code OP_READ} and {@code OP_WRITE}, as last seen. */
    private int interest;
    private boolean asleep;
    /** What the sleep announced. */
    private int announced;
    /** A wait that the policy learns from: begun when the application or the selector found nothing to do. */
    private boolean waiting;
    private long waitStart;
    private long spinEnd;

    /**
     * Starts awake: the socket is watched for doorbells and hang-up, and the set is signalled, so the first select
     * looks at the rings.
     */
    RingReadiness(ShuntStream stream, PollSet pollSet, long spinNanos) throws IOException {
        this.stream = stream;
        this.pollSet = pollSet;
        this.policy = new WaitPolicy(spinNanos);
        pollSet.watchSocket(UnixSockets.POLLIN);
        pollSet.signal();
    }

    /**
     * The selector reported the poll set: the ready operations, after a spin if the policy allows one.
     *
     * @param keyInterest the key's interest set
     * @return the ready operations among {@code OP_READ} and {@code OP_WRITE}; on a failure of the stream, every one
     *     asked for, so that the operation reports it
     */
    int readyOps(int keyInterest) {
        int wanted = keyInterest & RING_OPS;
        try {
            long spinEnd;
            synchronized (this) {
                interest = wanted;
                int ready = ready(wanted);
                if (ready != 0 || wanted == 0) {
                    endWait();
                    return ready;
                }
                if (asleep) {
                    return sleep(wanted);
                }
                spinEnd = beginWait();
            }
            // Spin unlocked (the application may read, write or fall asleep meanwhile), one slice per select: the
            // selector comes back at once, having heard its other keys and its wake-ups meanwhile.
            long sliceEnd = System.nanoTime() + SLICE_NANOS;
            while (System.nanoTime() - spinEnd < 0) {
                Thread.onSpinWait();
                int ready = ready(wanted);
                if (ready != 0) {
                    synchronized (this) {
                        if (waiting && !asleep) {
                            waiting = false;
                            policy.answeredWhileSpinning();
                        }
                    }
                    return ready;
                }
                if (System.nanoTime() - sliceEnd >= 0) {
                    return 0;
                }
            }
            synchronized (this) {
                return sleep(wanted);
            }
        } catch (IOException e) {
            return wanted;
        }
    }

    /**
     * A non-blocking read found the ring empty ({@code OP_READ}) or a write found it full ({@code OP_WRITE}): the
     * application will select next, and a wait begins. Where the policy allows no spin the channel sleeps now, so
     * that the select blocks at once; else it stays awake, and the selector spins what is left of the budget.
     *
     * @param op the operation that moved nothing
     * @return whether it can move something after all (the peer published meanwhile): try again
     */
    synchronized boolean sleepAfterEmptyTransfer(int op) throws IOException {
        int wanted = interest | op;
        if (asleep && (wanted & ~announced) == 0) {
            return false;
        }
        long spinEnd = beginWait();
        if (System.nanoTime() - spinEnd < 0) {
            return false;
        }
        return (sleep(wanted) & op) != 0;
    }

    /** @return when the spin of the wait in progress ends; a wait begins here if none is in progress */
    private long beginWait() {
        if (!waiting) {
            waiting = true;
            waitStart = System.nanoTime();
            // Two busy sides that fell onto one CPU part here too: the selector's thread moves off the peer's.
            spinEnd = waitStart + stream.beginWait(policy, waitStart);
        }
        return spinEnd;
    }

    /**
     * The key's interest changed. An asleep channel whose new interest asks for more than its sleep announced wakes
     * up, so that the next select announces the rest.
     */
    synchronized void interestChanged(int keyInterest) throws IOException {
        interest = keyInterest & RING_OPS;
        if (asleep && (interest & ~announced) != 0) {
            wake();
        }
    }

    /** Awake from now on (after blocking use, or when the interest grew): the next select looks at the rings. */
    synchronized void wake() throws IOException {
        asleep = false;
        pollSet.signal();
    }

    /**
     * Drains the doorbell, then announces the sleep: any byte that arrives after the announcement is a ring of it and
     * stays in the socket, keeping the poll set readable whoever consumes the bytes it announced (a worker thread may
     * read while the selector's thread falls asleep). Where the announcement's re-check finds work, the channel stays
     * awake and, its doorbell drained, signals itself.
     */
    private int sleep(int wanted) throws IOException {
        stream.drainDoorbell();
        pollSet.unsignal();
        if (!stream.prepareDoorbellSleep((wanted & SelectionKey.OP_READ) != 0, (wanted & SelectionKey.OP_WRITE) != 0)) {
            pollSet.signal();
            endWait();
            return ready(wanted);
        }
        asleep = true;
        announced = wanted;
        return 0;
    }

    /** The channel is ready: awake, and a selector's wait that outlasted its spin is over. */
    private void endWait() {
        if (waiting) {
            policy.answeredAfterSleep(System.nanoTime() - waitStart);
        }
        waiting = false;
        asleep = false;
    }

    private int ready(int wanted) throws IOException {
        int ready = 0;
        if ((wanted & SelectionKey.OP_READ) != 0 && stream.isReadable()) {
            ready |= SelectionKey.OP_READ;
        }
        if ((wanted & SelectionKey.OP_WRITE) != 0 && stream.isWritable()) {
            ready |= SelectionKey.OP_WRITE;
        }
        return ready;
    }

    @Override
    public synchronized String toString() {
        return (asleep ? "asleep for " + announced : "awake") + " interest=" + interest + (waiting ? " waiting" : "")
                + ", " + pollSet;
    }
}
