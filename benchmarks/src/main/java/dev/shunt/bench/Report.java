package dev.shunt.bench;

import java.util.List;
import java.util.Locale;

/** Formats results as a Markdown table, Shunt figures with their ratio to the kernel path of the same run. */
final class Report {
    private static final double[] PERCENTILES = {50, 90, 99, 99.9};

    private Report() {
    }

    static String table(List<RoundTripResult> results, int size) {
        RoundTripResult kernel = results.stream().filter(r -> r.transport() == Transport.KERNEL).findFirst()
                .orElse(null);
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%d-byte round trip, microseconds (ratio to the kernel path)%n%n", size));
        out.append("| transport | path | round trips | p50 | p90 | p99 | p99.9 | max | signals/msg | parks/msg |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (RoundTripResult r : results) {
            out.append("| ").append(r.transport().label).append(" | ").append(r.path()).append(" | ")
                    .append(r.histogram().getTotalCount());
            for (double p : PERCENTILES) {
                out.append(" | ").append(cell(r.micros(p), kernel == null ? Double.NaN : kernel.micros(p), r, kernel));
            }
            double max = r.histogram().getMaxValue() / 1000.0;
            double kernelMax = kernel == null ? Double.NaN : kernel.histogram().getMaxValue() / 1000.0;
            out.append(" | ").append(cell(max, kernelMax, r, kernel));
            out.append(String.format(Locale.ROOT, " | %.3f | %.3f |%n", r.signalsPerMessage(), r.parksPerMessage()));
        }
        return out.toString();
    }

    private static String cell(double value, double kernelValue, RoundTripResult r, RoundTripResult kernel) {
        if (kernel == null || r == kernel) {
            return String.format(Locale.ROOT, "%.2f", value);
        }
        return String.format(Locale.ROOT, "%.2f (%.2fx)", value, value / kernelValue);
    }
}
