package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The policy's decisions from scripted waits: what it observed in, what it would spin out. No clocks involved. */
class WaitPolicyTest {
    private static final long CAP = 50_000;
    private static final long START = WaitPolicy.GROW_START_NANOS;

    @Test
    void startsWithoutSpinningAndGrowsWhileSleptWaitsAreAnsweredWithinTheCap() {
        WaitPolicy policy = new WaitPolicy(CAP, 2);
        assertEquals(0, policy.begin(false));
        policy.answeredAfterSleep(30_000);
        assertEquals(START, policy.begin(false));
        policy.answeredAfterSleep(30_000);
        assertEquals(2 * START, policy.begin(false));
        for (int i = 0; i < 10; i++) {
            policy.answeredAfterSleep(40_000);
            policy.begin(false);
        }
        assertEquals(CAP, policy.budgetNanos(), "never above the cap");
    }

    @Test
    void aWaitAnsweredWhileSpinningKeepsTheBudget() {
        WaitPolicy policy = grown(32_000);
        for (int i = 0; i < 5; i++) {
            assertEquals(32_000, policy.begin(false));
            policy.answeredWhileSpinning();
        }
        assertEquals(32_000, policy.budgetNanos());
    }

    @Test
    void waitsLongerThanTheCapHalveTheBudgetDownToNothing() {
        WaitPolicy policy = grown(CAP);
        long[] expected = {25_000, 12_500, 6_250, 0};
        for (long budget : expected) {
            policy.begin(false);
            policy.answeredAfterSleep(10_000_000);
            assertEquals(budget, policy.budgetNanos());
        }
        assertEquals(0, policy.begin(false), "a sleeping peer: no spin at all");
    }

    @Test
    void neverSpinsWhileThePeerSharesThisCpuButKeepsLearning() {
        WaitPolicy policy = grown(32_000);
        assertEquals(0, policy.begin(true));
        policy.answeredAfterSleep(10_000);
        assertEquals(CAP, policy.budgetNanos(), "short waits while sharing a CPU still say the traffic is busy");
        assertEquals(0, policy.begin(true));
        policy.answeredAfterSleep(10_000_000);
        assertEquals(CAP / 2, policy.budgetNanos());
        assertEquals(CAP / 2, policy.begin(false), "the peer moved to another CPU: spinning may pay again");
    }

    @Test
    void oneCpuOrAZeroCapNeverSpins() {
        for (WaitPolicy policy : new WaitPolicy[] {new WaitPolicy(CAP, 1), new WaitPolicy(0, 2)}) {
            for (int i = 0; i < 10; i++) {
                assertEquals(0, policy.begin(false), policy.toString());
                policy.answeredAfterSleep(1_000);
            }
            assertEquals(0, policy.budgetNanos(), policy.toString());
        }
        assertThrows(IllegalArgumentException.class, () -> new WaitPolicy(-1, 2));
    }

    @Test
    void aSpinThatFailedOnAPeerWithoutACoreShrinksOnceItsAnswersComeLate() {
        WaitPolicy policy = grown(CAP);
        // The peer runs elsewhere but cannot get a core: every spin fails and the answer comes milliseconds later.
        for (int i = 0; i < 4; i++) {
            assertEquals(policy.budgetNanos(), policy.begin(false));
            policy.answeredAfterSleep(3_000_000);
        }
        assertEquals(0, policy.budgetNanos());
    }

    @Test
    void anEndWithoutABeginLearnsNothing() {
        WaitPolicy policy = grown(16_000);
        policy.answeredAfterSleep(1_000);
        policy.answeredAfterSleep(1_000);
        assertEquals(16_000, policy.budgetNanos());
    }

    /** A policy whose budget grew to {@code budget} (a power-of-two multiple of the start, or the cap). */
    private static WaitPolicy grown(long budget) {
        WaitPolicy policy = new WaitPolicy(CAP, 2);
        while (policy.budgetNanos() < budget) {
            policy.begin(false);
            policy.answeredAfterSleep(1_000);
        }
        assertEquals(budget, policy.budgetNanos());
        return policy;
    }
}
