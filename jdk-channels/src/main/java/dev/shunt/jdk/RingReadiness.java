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
 * whenever the channel is <em>awake</em>, so the selector comes back at once and this class looks at the rings; it
 * becomes quiet only while the channel is <em>asleep</em>, that is after {@link ShuntStream#prepareDoorbellSleep}
 * announced the sleep and found nothing, so that the peer rings the doorbell (one byte on the socket) with its next
 * publication. An awake channel is readable through the doorbell byte that woke it, which stays unread until the
 * channel sleeps again, or through the poll set's own signal. So while both sides are busy no doorbell is rung or
 * read; the selector's {@code epoll_wait} returns at once.
 *
 * <p>A channel that finds nothing stays awake (spins through the selector) for what the {@link WaitPolicy} allows,
 * then sleeps: announce, re-check, discard the doorbell bytes, drop the signal, and re-check once more, since the
 * peer may have published (and rung, into the bytes just discarded) after the announcement. Called by the selector
 * thread and by interest changes; synchronized.
 */
final class RingReadiness {
    private static final int RING_OPS = SelectionKey.OP_READ | SelectionKey.OP_WRITE;

    private final ShuntStream stream;
    private final PollSet pollSet;
    private final WaitPolicy policy;
    private boolean waiting;
    private boolean asleep;
    /** What the sleep announced: {@code OP_READ} and/or {@code OP_WRITE}. */
    private int announced;
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
     * The selector reported the poll set.
     *
     * @param interest the key's interest set
     * @return the ready operations among {@code OP_READ} and {@code OP_WRITE}; on a failure of the stream, every one
     *     asked for, so that the operation reports it
     */
    synchronized int readyOps(int interest) {
        int wanted = interest & RING_OPS;
        try {
            int ready = ready(wanted);
            long now = System.nanoTime();
            if (ready != 0 || wanted == 0) {
                endWait(now);
                return ready;
            }
            if (!waiting) {
                waiting = true;
                waitStart = now;
                spinEnd = now + policy.begin(stream.peerOnThisCpu(), stream.takePeerWoken());
            }
            if (!asleep && now - spinEnd < 0) {
                return 0;
            }
            return sleep(wanted, now);
        } catch (IOException e) {
            return wanted;
        }
    }

    /**
     * The key's interest changed. An asleep channel whose new interest asks for more than its sleep announced wakes
     * up, so that the next select announces the rest.
     */
    synchronized void interestChanged(int interest) throws IOException {
        if (asleep && (interest & RING_OPS & ~announced) != 0) {
            wake();
        }
    }

    /** Awake from now on (after blocking use, or when the interest grew): the next select looks at the rings. */
    synchronized void wake() throws IOException {
        asleep = false;
        pollSet.signal();
    }

    private int sleep(int wanted, long now) throws IOException {
        boolean wantInput = (wanted & SelectionKey.OP_READ) != 0;
        boolean wantSpace = (wanted & SelectionKey.OP_WRITE) != 0;
        if (!stream.prepareDoorbellSleep(wantInput, wantSpace)) {
            endWait(now);
            return ready(wanted);
        }
        asleep = true;
        announced = wanted;
        stream.drainDoorbell();
        pollSet.unsignal();
        int ready = ready(wanted);
        if (ready != 0) {
            // The peer published after the announcement; the doorbell it rang may be among the bytes discarded.
            pollSet.signal();
            endWait(System.nanoTime());
        }
        return ready;
    }

    private void endWait(long now) {
        if (!waiting) {
            return;
        }
        waiting = false;
        if (asleep) {
            asleep = false;
            policy.answeredAfterSleep(now - waitStart);
        } else {
            policy.answeredWhileSpinning();
        }
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
}
