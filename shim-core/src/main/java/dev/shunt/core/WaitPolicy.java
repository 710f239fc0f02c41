package dev.shunt.core;

import java.util.function.BooleanSupplier;

/**
 * When a party waiting for its peer (bytes to read, ring space to write, an event loop waiting for any of its
 * rings) spins and when it goes to sleep at once. One instance per waiting party: each direction of a blocking
 * stream, each event loop. Not thread-safe; its party's lock or thread guards it.
 *
 * <p>A wait is {@link #begin begun}, spins for at most the budget it returns, and ends either
 * {@link #answeredWhileSpinning() while spinning} or {@link #answeredAfterSleep(long) after a sleep}. The decision,
 * in order (the measurements behind it are in {@code docs/architecture.md}, "Wait policy"):
 * <ol>
 *   <li>With one CPU, or a cap of zero, spinning can never pay: the peer needs the CPU the spinner holds.</li>
 *   <li>When the peer last woke up on the CPU this party runs on, it will most likely run here again (a woken
 *       thread lands on its waker's vCPU almost always on these guests): a spin would keep it off the CPU it
 *       needs for the whole budget. No spin. Two busy parties caught this way stay on one CPU, each sleeping for
 *       every answer, while another CPU idles: after {@value #MOVE_AFTER_SHORT_SLEEPS} such waits back to back,
 *       the waiting thread {@link #moveOffPeerCpu moves itself} to another CPU its mask allows (at most once per
 *       {@link #MOVE_INTERVAL_NANOS} per party, and once per 10 ms in a process).</li>
 *   <li>Right after this party woke the peer, no spin either: the peer still has to be scheduled, which on these
 *       guests costs tens of microseconds, and a spin that long costs more CPU than the sleep and wake it saves.
 *       Every {@value #EXPLORE_EVERY}th such wait spins anyway, so that two busy sides that fell into waking each
 *       other (after a pause, a collection) find their way back to spinning on two CPUs.</li>
 *   <li>Otherwise spin for a budget learned per party the way KVM's halt polling learns its window: a wait that
 *       ended while spinning leaves the budget as it is; a wait that slept but was answered within the cap
 *       ({@code shunt.spinNanos}) would have been caught by a longer spin, so the budget doubles (from
 *       {@value #GROW_START_NANOS} ns, up to the cap); a wait answered later than the cap shrinks it by half,
 *       to zero below {@value #GROW_START_NANOS} ns. Gaps between messages, or a peer that cannot get a core,
 *       make waits long, and spinning stops. The budget starts at the cap: back-to-back traffic starts spinning
 *       at once, and a connection with gaps stops within a few messages.</li>
 * </ol>
 * Every wait that slept teaches the budget, whatever the rules above decided for it.
 *
 * <p>Each wait is also a JFR event ({@code dev.shunt.Wait}, disabled by default: then nothing is allocated).
 */
public final class WaitPolicy {
    /** The smallest budget a growing budget starts from. */
    public static final long GROW_START_NANOS = 4_000;
    /** One wait in this many right after waking the peer spins anyway. */
    public static final int EXPLORE_EVERY = 16;

    /** A party moves its thread off the peer's CPU at most once per this interval. */
    public static final long MOVE_INTERVAL_NANOS = 100_000_000;
    /** A party moves only after this many waits in a row slept and were answered within the cap. */
    public static final int MOVE_AFTER_SHORT_SLEEPS = 8;

    private final long capNanos;
    private final boolean spinningCanPay;
    private final BooleanSupplier mover;
    private long budgetNanos;
    private boolean movedBefore;
    private long lastMoveNanos;
    private boolean askedBefore;
    private long lastAskedNanos;
    private int shortSleepsInARow;
    private boolean learning;
    private int wakesSinceExplored;
    /** The JFR event of the wait in progress, or null when waits are not recorded. */
    private WaitEvent event;

    /**
     * A policy for this machine: spinning is considered only with more than one CPU available to the JVM.
     *
     * @param capNanos the most a wait may spin ({@code shunt.spinNanos}); 0 never spins
     */
    public WaitPolicy(long capNanos) {
        this(capNanos, Runtime.getRuntime().availableProcessors(), CpuMove::tryMove);
    }

    /**
     * @param capNanos the most a wait may spin; 0 never spins
     * @param cpus the CPUs the party and its peer share
     * @param mover moves the calling thread to another CPU, and says whether it did
     */
    WaitPolicy(long capNanos, int cpus, BooleanSupplier mover) {
        if (capNanos < 0) {
            throw new IllegalArgumentException("capNanos must not be negative; got " + capNanos);
        }
        this.capNanos = capNanos;
        this.spinningCanPay = cpus > 1 && capNanos > 0;
        this.mover = mover;
        this.budgetNanos = capNanos;
    }

    /**
     * Before each wait whose peer last woke up on this party's CPU: moves the calling thread to another CPU when the
     * two exchange back to back yet sleep for it (the last {@value #MOVE_AFTER_SHORT_SLEEPS} waits slept and were
     * answered within the cap, each begun within the cap of the one before) and this party has not moved for
     * {@link #MOVE_INTERVAL_NANOS}. Two such parties stay on one CPU on these guests while another idles: each wakes
     * the other onto its own CPU (an idle vCPU halts, and the scheduler counts a halted vCPU as preempted and does
     * not choose it for a woken thread), and only a load-balancer tick that finds both runnable would part them.
     * Waits that ended while spinning never lead to a move (the CPU words are refreshed only by sleeps, so between
     * parties busy on two CPUs they may be stale), nor do waits begun a pause apart (a sleeping peer, a fixed rate:
     * the peer sleeps between messages wherever it runs, and a move would only delay one message). The caller tells
     * the peer its new CPU.
     *
     * @param nowNanos the wait's start, on {@link System#nanoTime()}'s scale
     * @return whether the thread moved: the peer is not on its CPU any more
     */
    public boolean moveOffPeerCpu(long nowNanos) {
        boolean backToBack = askedBefore && nowNanos - lastAskedNanos <= capNanos;
        askedBefore = true;
        lastAskedNanos = nowNanos;
        if (!backToBack) {
            shortSleepsInARow = 0;
        }
        if (!spinningCanPay || shortSleepsInARow < MOVE_AFTER_SHORT_SLEEPS
                || movedBefore && nowNanos - lastMoveNanos < MOVE_INTERVAL_NANOS) {
            return false;
        }
        movedBefore = true;
        shortSleepsInARow = 0;
        lastMoveNanos = nowNanos;
        return mover.getAsBoolean();
    }

    /**
     * Begins a wait.
     *
     * @param peerOnThisCpu whether the peer last woke up on the CPU the waiting thread runs on
     * @param wokePeer whether this party woke the peer (futex or doorbell) since its last wait
     * @return how long to spin before sleeping, in nanoseconds (0: sleep at once)
     */
    public long begin(boolean peerOnThisCpu, boolean wokePeer) {
        long spin = decide(peerOnThisCpu, wokePeer);
        event = ShuntEvents.waitBegan(spin, peerOnThisCpu, wokePeer);
        return spin;
    }

    private long decide(boolean peerOnThisCpu, boolean wokePeer) {
        learning = spinningCanPay;
        if (!learning || peerOnThisCpu) {
            return 0;
        }
        if (wokePeer && ++wakesSinceExplored < EXPLORE_EVERY) {
            return 0;
        }
        if (wokePeer) {
            wakesSinceExplored = 0;
        }
        return budgetNanos;
    }

    /** The wait begun last ended while spinning: the budget was enough. */
    public void answeredWhileSpinning() {
        learning = false;
        shortSleepsInARow = 0;
        ShuntEvents.waitEnded(event, false);
        event = null;
    }

    /**
     * The wait begun last ended after a sleep.
     *
     * @param waitedNanos from the start of the wait (spin included) to the answer
     */
    public void answeredAfterSleep(long waitedNanos) {
        ShuntEvents.waitEnded(event, true);
        event = null;
        shortSleepsInARow = waitedNanos <= capNanos ? shortSleepsInARow + 1 : 0;
        if (!learning) {
            return;
        }
        learning = false;
        if (waitedNanos <= capNanos) {
            budgetNanos = Math.min(capNanos, Math.max(GROW_START_NANOS, budgetNanos * 2));
        } else {
            budgetNanos = budgetNanos / 2 < GROW_START_NANOS ? 0 : budgetNanos / 2;
        }
    }

    /** @return the spin budget learned so far, in nanoseconds */
    public long budgetNanos() {
        return budgetNanos;
    }

    @Override
    public String toString() {
        return "WaitPolicy[budget=" + budgetNanos + "ns cap=" + capNanos + "ns"
                + (spinningCanPay ? "" : " never spins") + "]";
    }
}
