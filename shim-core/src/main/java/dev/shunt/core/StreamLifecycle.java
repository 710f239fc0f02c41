package dev.shunt.core;

import java.net.SocketException;

/**
 * The life of a {@link ShuntStream} apart from its data path: open, then closed by the application or by a
 * protocol failure (kept, and thrown to every later call), and the release of the shared memory. The memory goes
 * only once nobody is inside the stream: a thread that closes it from inside a read or write of its own (a protocol
 * failure found there) leaves the release to the last thread that leaves a direction's lock.
 */
final class StreamLifecycle {
    private final Object lock = new Object();
    private final Direction input;
    private final Direction output;
    private final Runnable release;
    private volatile boolean closed;
    private volatile ShuntProtocolException failure;
    /** Set once close no longer touches shared memory itself: from then on the memory may go. */
    private volatile boolean releaseWanted;
    /** Guarded by both directions' locks. */
    private boolean released;

    StreamLifecycle(Direction input, Direction output, Runnable release) {
        this.input = input;
        this.output = output;
        this.release = release;
    }

    /** @return the monitor that orders close, failure and shutdowns against each other */
    Object lock() {
        return lock;
    }

    boolean isClosed() {
        return closed;
    }

    /** @throws SocketException "Socket closed", or the protocol failure that closed the stream */
    void ensureOpen() throws SocketException {
        if (closed) {
            ShuntProtocolException cause = failure;
            if (cause != null) {
                throw cause;
            }
            throw new SocketException("Socket closed");
        }
    }

    /** @return true when this call closed the stream, false when it was closed already */
    boolean close() {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            closed = true;
            return true;
        }
    }

    /**
     * Records a protocol failure unless the stream is closed or failed already.
     *
     * @return true when this failure is the one that closes the stream (the caller then closes it)
     */
    boolean fail(ShuntProtocolException e) {
        synchronized (lock) {
            if (failure != null || closed) {
                return false;
            }
            failure = e;
            return true;
        }
    }

    /** @return the recorded failure, or null */
    ShuntProtocolException failure() {
        return failure;
    }

    /** After close: the memory may go as soon as nobody is inside the stream. */
    void wantRelease() {
        releaseWanted = true;
        releaseWhenIdle();
    }

    /** Leaves a direction, releasing the memory if close wants it and this was the last thread inside. */
    void unlock(Direction direction) {
        direction.lock.unlock();
        if (releaseWanted) {
            releaseWhenIdle();
        }
    }

    private void releaseWhenIdle() {
        if (input.lock.isHeldByCurrentThread() || output.lock.isHeldByCurrentThread()) {
            return;
        }
        input.lock.lock();
        output.lock.lock();
        try {
            if (!released) {
                released = true;
                release.run();
            }
        } finally {
            output.lock.unlock();
            input.lock.unlock();
        }
    }
}
