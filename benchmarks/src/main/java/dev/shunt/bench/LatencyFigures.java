package dev.shunt.bench;

import java.util.Map;
import org.HdrHistogram.Histogram;

/** The figures of a latency case: percentiles and rate of its round trips, and what its measured phase cost. */
final class LatencyFigures {
    private LatencyFigures() {
    }

    /**
     * @param h every round trip of the measured phase, in nanoseconds
     * @param usage time and CPU of the measured phase
     * @param figures where the figures go, by JSON key (latencies in µs)
     */
    static void add(Histogram h, Usage usage, Map<String, Double> figures) {
        long count = h.getTotalCount();
        figures.put("count", (double) count);
        figures.put("per_s", count / (usage.wallNanos() / 1e9));
        figures.put("p50_us", h.getValueAtPercentile(50) / 1e3);
        figures.put("p90_us", h.getValueAtPercentile(90) / 1e3);
        figures.put("p99_us", h.getValueAtPercentile(99) / 1e3);
        figures.put("p99_9_us", h.getValueAtPercentile(99.9) / 1e3);
        figures.put("max_us", h.getMaxValue() / 1e3);
        figures.put("mean_us", h.getMean() / 1e3);
        usage.addPerMessage(figures, count);
    }
}
