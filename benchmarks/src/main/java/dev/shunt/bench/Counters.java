package dev.shunt.bench;

import dev.shunt.core.MetricsSnapshot;
import dev.shunt.core.ShuntMetrics;

/**
 * What one JVM has spent so far: process CPU time and Shunt's wake-up counters (zero for JVMs that do not
 * run Shunt's fast path).
 *
 * @param cpuNanos process CPU time
 * @param signals Shunt doorbell signals sent (futex wakes and doorbell bytes)
 * @param parks times a Shunt reader or writer went to sleep
 */
record Counters(long cpuNanos, long signals, long parks) {

    /** This JVM's counters now: Shunt's are the agent's where {@code shunt-agent.jar} runs ({@link AgentShunt}). */
    static Counters local() {
        if (AgentShunt.present()) {
            long[] shunt = AgentShunt.signalsAndParks();
            return new Counters(ProcessCpu.nanos(), shunt[0], shunt[1]);
        }
        MetricsSnapshot shunt = ShuntMetrics.snapshot();
        return new Counters(ProcessCpu.nanos(), shunt.doorbellSignals(), shunt.parks());
    }

    Counters minus(Counters earlier) {
        return new Counters(cpuNanos - earlier.cpuNanos, signals - earlier.signals, parks - earlier.parks);
    }
}
