package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The policy's decisions from scripted waits: what it observed in, what it would spin out. No clocks involved: moves
 * are timed by the scripted start of each wait, and made by a counting stand-in.
 */
class WaitPolicyTest {
    private static final long CAP = 50_000;
    private static final long START = WaitPolicy.GROW_START_NANOS;
    /** Between the starts of back-to-back waits in the move tests. */
    private static final long GAP = 10_000;

    @Test
    void startsAtTheCapSoThatBackToBackTrafficSpinsAtOnce() {
        WaitPolicy policy = policy();
        assertEquals(CAP, policy.begin(false, false));
        policy.answeredWhileSpinning();
        assertEquals(CAP, policy.begin(false, false));
    }

    @Test
    void waitsLongerThanTheCapHalveTheBudgetDownToNothing() {
        WaitPolicy policy = policy();
        long[] expected = {25_000, 12_500, 6_250, 0};
        for (long budget : expected) {
            policy.begin(false, false);
            policy.answeredAfterSleep(10_000_000);
            assertEquals(budget, policy.budgetNanos());
        }
        assertEquals(0, policy.begin(false, false), "a sleeping peer: no spin at all");
    }

    @Test
    void sleptWaitsAnsweredWithinTheCapGrowTheBudgetFromTheStartValue() {
        WaitPolicy policy = stopped();
        policy.begin(false, false);
        policy.answeredAfterSleep(30_000);
        assertEquals(START, policy.begin(false, false));
        policy.answeredAfterSleep(30_000);
        assertEquals(2 * START, policy.begin(false, false));
        for (int i = 0; i < 10; i++) {
            policy.answeredAfterSleep(40_000);
            policy.begin(false, false);
        }
        assertEquals(CAP, policy.budgetNanos(), "never above the cap");
    }

    @Test
    void aWaitAnsweredWhileSpinningKeepsTheBudget() {
        WaitPolicy policy = stopped();
        policy.begin(false, false);
        policy.answeredAfterSleep(1_000);
        for (int i = 0; i < 5; i++) {
            assertEquals(START, policy.begin(false, false));
            policy.answeredWhileSpinning();
        }
        assertEquals(START, policy.budgetNanos());
    }

    @Test
    void neverSpinsWhileThePeerSharesThisCpuButKeepsLearning() {
        WaitPolicy policy = policy();
        assertEquals(0, policy.begin(true, false));
        policy.answeredAfterSleep(10_000_000);
        assertEquals(CAP / 2, policy.budgetNanos(), "long waits while sharing a CPU still say the traffic has gaps");
        assertEquals(0, policy.begin(true, false));
        policy.answeredAfterSleep(10_000);
        assertEquals(CAP, policy.budgetNanos());
        assertEquals(CAP, policy.begin(false, false), "the peer moved to another CPU: spinning may pay again");
    }

    @Test
    void rightAfterWakingThePeerOnlyEverySixteenthWaitSpins() {
        WaitPolicy policy = policy();
        for (int round = 0; round < 3; round++) {
            for (int i = 1; i < WaitPolicy.EXPLORE_EVERY; i++) {
                assertEquals(0, policy.begin(false, true), "wait " + i + " after a wake");
                policy.answeredAfterSleep(20_000);
            }
            assertEquals(CAP, policy.begin(false, true), "the exploring wait");
            policy.answeredWhileSpinning();
        }
        assertEquals(0, policy.begin(true, true), "never onto the peer's CPU, exploring or not");
        assertEquals(CAP, policy.begin(false, false), "without a wake the budget applies");
    }

    @Test
    void oneCpuOrAZeroCapNeverSpins() {
        for (WaitPolicy policy : new WaitPolicy[] {new WaitPolicy(CAP, 1, () -> true),
                new WaitPolicy(0, 2, () -> true)}) {
            for (int i = 0; i < 2 * WaitPolicy.EXPLORE_EVERY; i++) {
                assertEquals(0, policy.begin(false, i % 2 == 0), policy.toString());
                policy.answeredAfterSleep(1_000);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new WaitPolicy(-1, 2, () -> true));
    }

    @Test
    void aSpinThatFailsOnAPeerWithoutACoreShrinksOnceItsAnswersComeLate() {
        WaitPolicy policy = policy();
        // The peer runs elsewhere but cannot get a core: every spin fails and the answer comes milliseconds later.
        for (int i = 0; i < 4; i++) {
            assertEquals(policy.budgetNanos(), policy.begin(false, false));
            policy.answeredAfterSleep(3_000_000);
        }
        assertEquals(0, policy.budgetNanos());
    }

    @Test
    void anEndWithoutABeginLearnsNothing() {
        WaitPolicy policy = policy();
        policy.begin(false, false);
        policy.answeredWhileSpinning();
        policy.answeredAfterSleep(10_000_000);
        policy.answeredAfterSleep(10_000_000);
        assertEquals(CAP, policy.budgetNanos());
    }

    @Test
    void aPartySharingItsPeersCpuWhileAnswersComeBackToBackMovesAtMostOncePerInterval() {
        int[] moves = {0};
        WaitPolicy policy = new WaitPolicy(CAP, 2, () -> ++moves[0] > 0);
        long t = sleepShort(policy, WaitPolicy.MOVE_AFTER_SHORT_SLEEPS, 1_000_000_000L);
        assertEquals(0, moves[0], "not before the last of the short sleeps ended");
        long firstMove = t;
        t = sleepShort(policy, 1, t);
        assertEquals(1, moves[0], "moved at the wait after them");
        while (t - firstMove < WaitPolicy.MOVE_INTERVAL_NANOS - GAP) {
            t = sleepShort(policy, 1, t);
        }
        assertEquals(1, moves[0], "no second move within the interval");
        sleepShort(policy, 2, t);
        assertEquals(2, moves[0], "the next one once the interval passed");
    }

    @Test
    void aMoveTheMoverRefusedWaitsForTheNextIntervalToo() {
        int[] tries = {0};
        WaitPolicy policy = new WaitPolicy(CAP, 2, () -> ++tries[0] < 0);
        sleepShort(policy, 100 * WaitPolicy.MOVE_AFTER_SHORT_SLEEPS, 0);
        assertEquals(1, tries[0]);
    }

    @Test
    void waitsEndedWhileSpinningAnsweredLateOrApartLeadToNoMove() {
        int[] moves = {0};
        WaitPolicy policy = new WaitPolicy(CAP, 2, () -> ++moves[0] > 0);
        long t = sleepShort(policy, WaitPolicy.MOVE_AFTER_SHORT_SLEEPS - 1, 0);
        policy.begin(false, false);
        policy.answeredWhileSpinning();
        t = sleepShort(policy, 1, t);
        assertEquals(0, moves[0], "busy on two CPUs: the CPU words may be stale");
        t = sleepShort(policy, WaitPolicy.MOVE_AFTER_SHORT_SLEEPS - 2, t);
        policy.begin(true, false);
        policy.answeredAfterSleep(CAP + 1);
        t = sleepShort(policy, 1, t);
        assertEquals(0, moves[0], "an answer later than the cap");
        for (int i = 0; i < 4 * WaitPolicy.MOVE_AFTER_SHORT_SLEEPS; i++) {
            t = sleepShort(policy, 1, t + CAP);
        }
        assertEquals(0, moves[0], "waits begun a pause apart: the peer sleeps between messages anyway");
    }

    @Test
    void noMoveWhereSpinningCannotPay() {
        int[] moves = {0};
        for (WaitPolicy policy : new WaitPolicy[] {new WaitPolicy(CAP, 1, () -> ++moves[0] > 0),
                new WaitPolicy(0, 2, () -> ++moves[0] > 0)}) {
            sleepShort(policy, 4 * WaitPolicy.MOVE_AFTER_SHORT_SLEEPS, 0);
        }
        assertEquals(0, moves[0]);
    }

    /**
     * Scripts waits with the peer on this CPU, {@link #GAP} apart, each slept and answered well within the cap, as a
     * caller makes them: asks whether to move, then waits.
     *
     * @return the time of the next wait
     */
    private static long sleepShort(WaitPolicy policy, int waits, long t) {
        for (int i = 0; i < waits; i++) {
            policy.moveOffPeerCpu(t);
            policy.begin(true, true);
            policy.answeredAfterSleep(GAP / 2);
            t += GAP;
        }
        return t;
    }

    /** A policy for two CPUs whose moves always succeed. */
    private static WaitPolicy policy() {
        return new WaitPolicy(CAP, 2, () -> true);
    }

    /** A policy whose waits were long enough to stop its spinning. */
    private static WaitPolicy stopped() {
        WaitPolicy policy = policy();
        while (policy.budgetNanos() > 0) {
            policy.begin(false, false);
            policy.answeredAfterSleep(1_000_000);
        }
        return policy;
    }
}
