package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The policy's decisions from scripted waits: what it observed in, what it would spin out. No clocks involved. */
class WaitPolicyTest {
    private static final long CAP = 50_000;
    private static final long START = WaitPolicy.GROW_START_NANOS;
    private static final long SOON = WaitPolicy.BREAK_EVEN_NANOS;

    @Test
    void startsAtTheCapSoThatBackToBackTrafficSpinsAtOnce() {
        WaitPolicy policy = new WaitPolicy(CAP, 2);
        assertEquals(CAP, policy.begin(false, false));
        policy.answeredWhileSpinning(1_000);
        assertEquals(CAP, policy.begin(false, false));
    }

    @Test
    void waitsLongerThanTheCapHalveTheBudgetDownToNothing() {
        WaitPolicy policy = new WaitPolicy(CAP, 2);
        long[] expected = {25_000, 12_500, 6_250, 0};
        for (long budget : expected) {
            policy.begin(false, false);
            policy.answeredAfterSleep(10_000_000);
            assertEquals(budget, policy.budgetNanos());
        }
        assertEquals(0, policy.begin(false, false), "a sleeping peer: no spin at all");
    }

    @Test
    void sleptWaitsAnsweredWithinTheBreakEvenTimeGrowTheBudgetFromTheStartValue() {
        WaitPolicy policy = stopped();
        policy.begin(false, false);
        policy.answeredAfterSleep(SOON);
        assertEquals(START, policy.begin(false, false));
        policy.answeredAfterSleep(SOON / 2);
        assertEquals(2 * START, policy.begin(false, false));
        for (int i = 0; i < 10; i++) {
            policy.answeredAfterSleep(SOON);
            policy.begin(false, false);
        }
        assertEquals(CAP, policy.budgetNanos(), "never above the cap");
    }

    @Test
    void answersLaterThanTheBreakEvenTimeButWithinTheCapStopTheSpinning() {
        // An RPC: the reply comes after hand-offs to other threads, ~30 us later. Spinning that long would catch it,
        // at more CPU than the sleep and wake-up it saves.
        WaitPolicy policy = new WaitPolicy(CAP, 2);
        long[] expected = {25_000, 12_500, 6_250, 0};
        for (long budget : expected) {
            assertEquals(policy.budgetNanos(), policy.begin(false, false));
            if (policy.budgetNanos() >= 30_000) {
                policy.answeredWhileSpinning(30_000);
            } else {
                policy.answeredAfterSleep(30_000);
            }
            assertEquals(budget, policy.budgetNanos());
        }
        assertEquals(0, policy.begin(false, false));
        policy.answeredAfterSleep(30_000);
        assertEquals(0, policy.budgetNanos(), "such answers never grow it back");
    }

    @Test
    void aCapBelowTheBreakEvenTimeIsTheBreakEvenTime() {
        WaitPolicy policy = new WaitPolicy(8_000, 2);
        policy.begin(false, false);
        policy.answeredAfterSleep(10_000);
        assertEquals(4_000, policy.budgetNanos(), "10 us is beyond a cap of 8 us");
        policy.begin(false, false);
        policy.answeredAfterSleep(8_000);
        assertEquals(8_000, policy.budgetNanos());
    }

    @Test
    void aWaitAnsweredWhileSpinningWithinTheBreakEvenTimeKeepsTheBudget() {
        WaitPolicy policy = stopped();
        policy.begin(false, false);
        policy.answeredAfterSleep(1_000);
        for (int i = 0; i < 5; i++) {
            assertEquals(START, policy.begin(false, false));
            policy.answeredWhileSpinning(START);
        }
        assertEquals(START, policy.budgetNanos());
        assertEquals(CAP, new WaitPolicy(CAP, 2).budgetNanos());
        WaitPolicy fresh = new WaitPolicy(CAP, 2);
        fresh.begin(false, false);
        fresh.answeredWhileSpinning(SOON);
        assertEquals(CAP, fresh.budgetNanos(), "answered at the break-even time: still worth it");
    }

    @Test
    void neverSpinsWhileThePeerSharesThisCpuButKeepsLearning() {
        WaitPolicy policy = new WaitPolicy(CAP, 2);
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
        WaitPolicy policy = new WaitPolicy(CAP, 2);
        for (int round = 0; round < 3; round++) {
            for (int i = 1; i < WaitPolicy.EXPLORE_EVERY; i++) {
                assertEquals(0, policy.begin(false, true), "wait " + i + " after a wake");
                policy.answeredAfterSleep(20_000);
            }
            assertEquals(CAP, policy.begin(false, true), "the exploring wait");
            policy.answeredWhileSpinning(1_000);
        }
        assertEquals(0, policy.begin(true, true), "never onto the peer's CPU, exploring or not");
        assertEquals(CAP, policy.begin(false, false), "without a wake the budget applies");
    }

    @Test
    void oneCpuOrAZeroCapNeverSpins() {
        for (WaitPolicy policy : new WaitPolicy[] {new WaitPolicy(CAP, 1), new WaitPolicy(0, 2)}) {
            for (int i = 0; i < 2 * WaitPolicy.EXPLORE_EVERY; i++) {
                assertEquals(0, policy.begin(false, i % 2 == 0), policy.toString());
                policy.answeredAfterSleep(1_000);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new WaitPolicy(-1, 2));
    }

    @Test
    void aSpinThatFailsOnAPeerWithoutACoreShrinksOnceItsAnswersComeLate() {
        WaitPolicy policy = new WaitPolicy(CAP, 2);
        // The peer runs elsewhere but cannot get a core: every spin fails and the answer comes milliseconds later.
        for (int i = 0; i < 4; i++) {
            assertEquals(policy.budgetNanos(), policy.begin(false, false));
            policy.answeredAfterSleep(3_000_000);
        }
        assertEquals(0, policy.budgetNanos());
    }

    @Test
    void anEndWithoutABeginLearnsNothing() {
        WaitPolicy policy = new WaitPolicy(CAP, 2);
        policy.begin(false, false);
        policy.answeredWhileSpinning(1_000);
        policy.answeredAfterSleep(10_000_000);
        policy.answeredAfterSleep(10_000_000);
        assertEquals(CAP, policy.budgetNanos());
    }

    /** A policy whose waits were long enough to stop its spinning. */
    private static WaitPolicy stopped() {
        WaitPolicy policy = new WaitPolicy(CAP, 2);
        while (policy.budgetNanos() > 0) {
            policy.begin(false, false);
            policy.answeredAfterSleep(1_000_000);
        }
        return policy;
    }
}
