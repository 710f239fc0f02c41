package dev.shunt.netty;

import dev.shunt.core.EmptyWakeBackoff;
import dev.shunt.core.ShuntStream;
import dev.shunt.nativeio.FutexSet;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives the rings of one fast-path channel on its {@link ShuntIoHandler}: polled while the loop is awake and the
 * channel has work (bytes wanted by the pipeline, or a write waiting for ring space), asleep otherwise, on the
 * doorbell or on its futex words as the loop sleeps ({@link ShuntIoHandler}). It plays the part epoll plays for a kernel socket: it calls {@link RingChannel#epollInReadBytes()}
 * where epoll would report {@code EPOLLIN}, and {@link RingChannel#forceFlush()} where it would report
 * {@code EPOLLOUT}. One driver per registration, made by the channel's {@link RingPath}; every method runs on the
 * loop.
 */
final class RingDriver extends RingEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(RingDriver.class);
    /** How long a channel that cannot arm its doorbell (writes waiting, reads off) waits before it retries. */
    private static final long DEFERRED_RETRY_MICROS = 1000;

    private final ShuntIoHandler owner;
    private final RingPath path;
    private final ShuntStream stream;
    private final RingChannel channel;
    private final EmptyWakeBackoff emptyRings = new EmptyWakeBackoff();
    private boolean detached;
    private boolean sleeping;
    private boolean readSuspected = true;
    private boolean retryScheduled;
    private boolean deafened;

    RingDriver(ShuntIoHandler owner, RingPath path, RingChannel channel) {
        this.owner = owner;
        this.path = path;
        this.stream = path.stream();
        this.channel = channel;
        owner.attached(this);
    }

    /** The channel left the loop: this driver does nothing more, and its handler drops it. */
    void detach() {
        if (!detached) {
            detached = true;
            owner.detached(this);
        }
    }

    @Override
    long poll() {
        if (detached) {
            return 0;
        }
        long before = path.moved();
        if (path.isAwaitingSpace()) {
            path.stopAwaitingSpace();
            channel.forceFlush();
        }
        if (channel.ringReadWanted() && (readSuspected || bytesWaiting())) {
            readSuspected = false;
            channel.epollInReadBytes();
        }
        return path.moved() - before;
    }

    private boolean bytesWaiting() {
        try {
            return stream.available() > 0;
        } catch (IOException e) {
            // The read reports it.
            return true;
        }
    }

    @Override
    boolean wantsPolling() {
        return !detached && channel.isOpen() && (path.isAwaitingSpace() || channel.ringReadWanted());
    }

    @Override
    int trySleep() {
        if (!channel.ringReadWanted()) {
            // Writes wait for space while the pipeline reads nothing: the doorbell cannot be armed for
            // space alone (prepareDoorbellSleep also re-checks inbound bytes), so retry on a timer.
            if (!retryScheduled) {
                retryScheduled = true;
                channel.eventLoop().schedule(this::retry, DEFERRED_RETRY_MICROS, TimeUnit.MICROSECONDS);
            }
            return DEFERRED;
        }
        if (armDoorbell(path.isAwaitingSpace())) {
            return SLEPT;
        }
        readSuspected = true;
        return BUSY;
    }

    @Override
    boolean peerOnThisCpu() {
        return stream.peerOnThisCpu();
    }

    @Override
    void publishThisCpu() {
        stream.publishThisCpu();
    }

    @Override
    boolean tookPeerWake() {
        return stream.takePeerWoken();
    }

    @Override
    void idle() {
        if (detached || sleeping || !channel.ringInputOpen()) {
            return;
        }
        // The pipeline reads nothing now; like epoll's EPOLLRDHUP, the end of the peer's output must still
        // be noticed. Arm the doorbell while the ring is empty; an end of stream found with no bytes before
        // it is read now. Bytes waiting unread keep the doorbell unarmed until the pipeline reads again.
        if (!armDoorbell(false) && !bytesWaiting()) {
            channel.epollInReadBytes();
        }
    }

    /** Announces a sleep, woken the way the loop sleeps now; the handler keeps the endpoints that sleep. */
    private boolean armDoorbell(boolean wantSpace) {
        try {
            sleeping = stream.prepareLoopSleep(true, wantSpace, owner.sleepsOnFutexes());
        } catch (IOException e) {
            // The next read reports it.
            LOG.debug("prepareLoopSleep: {}", e.toString());
            sleeping = false;
        }
        owner.sleeping(this, sleeping);
        return sleeping;
    }

    @Override
    boolean moveSleep(boolean onFutex) {
        try {
            return !sleeping || stream.moveLoopSleep(onFutex);
        } catch (IOException e) {
            // The next read reports it.
            LOG.debug("moveLoopSleep: {}", e.toString());
            return false;
        }
    }

    @Override
    boolean addSleepWords(FutexSet set) {
        return stream.addLoopSleepWords(set);
    }

    @Override
    boolean sleepTaken() {
        return sleeping && stream.loopSleepTaken();
    }

    @Override
    boolean sleepMissed() {
        try {
            return sleeping && stream.loopSleepMissed();
        } catch (IOException e) {
            // The next read reports it.
            LOG.debug("loopSleepMissed: {}", e.toString());
            return true;
        }
    }

    @Override
    void woken() {
        emptyRings.progress();
        owner.peerAnswered();
        wake();
    }

    @Override
    boolean needsSocketEvents() {
        return !path.readsRing() || channel.socketWriteBlocked();
    }

    private void retry() {
        retryScheduled = false;
        if (!detached && path.isAwaitingSpace()) {
            owner.schedule(this);
        }
    }

    /** The peer rang the doorbell: bytes or space arrived, or the peer closed. */
    void rang() {
        if (detached) {
            return;
        }
        // A ring that brought nothing (late, or a peer that floods the doorbell) re-arms at once, since arming
        // checks the ring again, and the loop goes back to sleep instead of spinning. Many in a row: the
        // doorbell is not listened to for a while (EmptyWakeBackoff), so that a flood cannot keep the loop busy;
        // the armed ring is checked again when listening resumes.
        if (sleeping && armDoorbell(path.isAwaitingSpace())) {
            long pause = emptyRings.emptyWake();
            if (pause > 0 && !deafened) {
                deafened = true;
                channel.listenToDoorbell(false);
                channel.eventLoop().schedule(this::listenAgain, pause, TimeUnit.NANOSECONDS);
            }
            return;
        }
        woken();
    }

    private void listenAgain() {
        deafened = false;
        if (!detached && channel.isOpen()) {
            // Level-triggered: a ring that came meanwhile fires at once.
            channel.listenToDoorbell(true);
        }
    }

    /** Leaves the doorbell sleep (if any) and joins the polled set. */
    void wake() {
        readSuspected = true;
        if (sleeping) {
            sleeping = false;
            owner.sleeping(this, false);
            try {
                stream.cancelDoorbellSleep();
            } catch (IOException e) {
                // The next read or write reports it.
                LOG.debug("cancelDoorbellSleep: {}", e.toString());
            }
        }
        owner.schedule(this);
    }
}
