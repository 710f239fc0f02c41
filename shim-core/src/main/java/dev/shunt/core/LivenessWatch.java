package dev.shunt.core;

import dev.shunt.nativeio.NativeCallException;
import dev.shunt.nativeio.PollGroup;
import dev.shunt.nativeio.UnixSockets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells platform threads parked on fast-path streams that the peer hung up, so that a thread waiting for a quiet
 * peer need not wake up to ask. A parked platform thread sleeps on a futex word in shared memory, which the death
 * of the peer process never changes; the kernel socket beside the rings is what tells. A stream whose thread waited
 * longer than one liveness slice joins this watch for the rest of its life, and its threads then park without
 * slices: one thread per process checks the sockets of every watched stream in one {@code poll(2)} call every
 * {@value #SWEEP_MILLIS} ms and wakes the parked threads of those whose peer hung up. A thousand idle blocked
 * readers then cost one system call per sweep instead of ten thousand futex time-outs a second.
 */
final class LivenessWatch {
    static final long SWEEP_MILLIS = ShuntStream.LIVENESS_SLICE_MILLIS;
    private static final Logger LOG = LoggerFactory.getLogger(LivenessWatch.class);
    /** Touched by the sweeping thread only, like {@link #ORDER}: the sockets of one sweep. */
    private static final PollGroup SOCKETS = new PollGroup();
    /** The stream of each socket in {@link #SOCKETS}, in the same order. */
    private static final List<ShuntStream> ORDER = new ArrayList<>();
    private static final StreamSweep SWEEP = new StreamSweep("shunt-liveness-watch", SWEEP_MILLIS,
            LivenessWatch::check);

    private LivenessWatch() {
    }

    /** Watches a stream's socket until {@link #forget}. */
    static void watch(ShuntStream stream) {
        SWEEP.add(stream);
    }

    /** Stops watching a stream; must run before its socket is closed. */
    static void forget(ShuntStream stream) {
        SWEEP.remove(stream);
    }

    private static void check(Set<ShuntStream> streams) {
        SOCKETS.clear();
        ORDER.clear();
        for (ShuntStream stream : streams) {
            SOCKETS.add(stream.socketFd(), UnixSockets.POLLRDHUP);
            ORDER.add(stream);
        }
        try {
            if (SOCKETS.pollNow() > 0) {
                for (int i = 0; i < ORDER.size(); i++) {
                    if ((SOCKETS.returned(i) & PeerLiveness.HANG_UP) != 0) {
                        ORDER.get(i).peerHungUp();
                    }
                }
            }
        } catch (NativeCallException e) {
            LOG.debug("Checking {} sockets for hang-up: {}", ORDER.size(), e.getMessage());
        } finally {
            ORDER.clear();
        }
    }
}
