package dev.shunt.core;

import static dev.shunt.core.SharedRegionLayout.AWAKE;
import static dev.shunt.core.SharedRegionLayout.CLOSED;
import static dev.shunt.core.SharedRegionLayout.CONSUMER_CLOSED;
import static dev.shunt.core.SharedRegionLayout.CONSUMER_CPU;
import static dev.shunt.core.SharedRegionLayout.CONSUMER_POSITION;
import static dev.shunt.core.SharedRegionLayout.OPEN;
import static dev.shunt.core.SharedRegionLayout.PRODUCER_CLOSED;
import static dev.shunt.core.SharedRegionLayout.PRODUCER_POSITION;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Ordered access to one ring's control block (see {@link SharedRegionLayout}). Stores that publish are volatile
 * (sequentially consistent: each is followed by a load that must not pass it), loads are acquire or volatile; the
 * CPU hint alone is opaque. Flag values read back are validated here, positions by the ring halves that know their
 * bounds.
 */
final class ControlBlock {
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private final ByteBuffer region;
    private final long regionAddress;
    private final int base;

    ControlBlock(ByteBuffer region, long regionAddress, int base) {
        this.region = region;
        this.regionAddress = regionAddress;
        this.base = base;
    }

    long producerPosition() {
        return (long) LONG.getAcquire(region, base + PRODUCER_POSITION);
    }

    /** Publishes a producer position; sequentially consistent so that a following sleep-word load is ordered. */
    void publishProducerPosition(long position) {
        LONG.setVolatile(region, base + PRODUCER_POSITION, position);
    }

    long consumerPosition() {
        return (long) LONG.getAcquire(region, base + CONSUMER_POSITION);
    }

    /** Publishes a consumer position; sequentially consistent for the same reason. */
    void publishConsumerPosition(long position) {
        LONG.setVolatile(region, base + CONSUMER_POSITION, position);
    }

    boolean producerClosed() throws ShuntProtocolException {
        return flag(PRODUCER_CLOSED, "producer closed");
    }

    boolean consumerClosed() throws ShuntProtocolException {
        return flag(CONSUMER_CLOSED, "consumer closed");
    }

    void closeProducer() {
        INT.setVolatile(region, base + PRODUCER_CLOSED, CLOSED);
    }

    void closeConsumer() {
        INT.setVolatile(region, base + CONSUMER_CLOSED, CLOSED);
    }

    private boolean flag(int offset, String name) throws ShuntProtocolException {
        int value = (int) INT.getAcquire(region, base + offset);
        if (value == OPEN) {
            return false;
        }
        if (value == CLOSED) {
            return true;
        }
        throw new ShuntProtocolException("impossible " + name + " flag " + value + " in shared memory");
    }

    /** @return the sleep word at {@code offset} (CONSUMER_SLEEP or PRODUCER_SLEEP), unvalidated */
    int sleepState(int offset) {
        return (int) INT.getVolatile(region, base + offset);
    }

    /**
     * Announces that the owner of the sleep word is about to park in the given way. The full fence orders
     * the announcement before the re-check that follows, whatever access mode that re-check uses: together
     * with the producer's volatile publish-then-check this rules out a lost wake-up.
     */
    void announceSleep(int offset, int how) {
        INT.setVolatile(region, base + offset, how);
        VarHandle.fullFence();
    }

    /**
     * Announces a sleep only if the word is awake (another thread of this process may be parked on it), with the
     * same fence as {@link #announceSleep}.
     *
     * @return whether the announcement was made
     */
    boolean announceSleepIfAwake(int offset, int how) {
        boolean made = INT.compareAndSet(region, base + offset, AWAKE, how);
        VarHandle.fullFence();
        return made;
    }

    /** Sets the sleep word back to awake. @return the value it held, unvalidated */
    int clearSleep(int offset) {
        return (int) INT.getAndSet(region, base + offset, AWAKE);
    }

    /**
     * Changes an announced sleep from {@code from} to {@code to} if the word still holds {@code from}, with the fence
     * of {@link #announceSleep} (a re-check may follow).
     *
     * @return whether the word now holds {@code to}
     */
    boolean moveSleep(int offset, int from, int to) {
        boolean moved = INT.compareAndSet(region, base + offset, from, to);
        VarHandle.fullFence();
        return moved;
    }

    /** Sets the sleep word back to awake if it still holds {@code how}; any other value is left alone. */
    void clearSleepIf(int offset, int how) {
        INT.compareAndSet(region, base + offset, how, AWAKE);
    }

    /**
     * Publishes the CPU the consumer's side woke up on. A hint only: opaque access, no ordering with anything.
     *
     * @param cpu the CPU, or -1 when unknown
     */
    void publishConsumerCpu(int cpu) {
        INT.setOpaque(region, base + CONSUMER_CPU, cpu + 1);
    }

    /** @return the CPU the consumer's side last woke up on, or -1 when unknown (any value is accepted: a hint) */
    int consumerCpu() {
        return (int) INT.getOpaque(region, base + CONSUMER_CPU) - 1;
    }

    /** @return the absolute address of a futex word, for {@code futex(2)} */
    long address(int offset) {
        return regionAddress + base + offset;
    }
}
