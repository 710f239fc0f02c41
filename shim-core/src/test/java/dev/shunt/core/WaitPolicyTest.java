package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The policy's decisions from scripted waits: what it observed in, what it would spin out. No clocks involved. */
class WaitPolicyTest {
    private static final long CAP = 50_000;
    private static final long START = WaitPolicy.GROW_START_NANOS;

    @Test
    void startsAtTheCapSoThatBackToBackTrafficSpinsAtOnce() {
        WaitPolicy policy = new WaitPolicy(CAP, 2);
        assertEquals(CAP, policy.begin(false, false));
        policy.answeredWhileSpinning();
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
            policy.answeredWhileSpinning();
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
        policy.answeredWhileSpinning();
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
