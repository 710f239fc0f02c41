package dev.shunt.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one transport gave for one case in one round. The client JVM reports it to the orchestrator as one
 * tab-separated line ({@link #toLine}, {@link #parse}); {@link Summary} brings the rounds together.
 *
 * @param transport the transport
 * @param kase the case
 * @param outcome measured, not applicable, not measured, or failed
 * @param path the path the connections took, e.g. "fast path, keys" ({@link ShuntPath}); empty unless measured
 * @param figures every figure, by JSON key (latencies in µs); empty unless measured
 * @param note why the case is not applicable, not measured or failed; empty otherwise
 */
record Result(Transport transport, Case kase, Outcome outcome, String path, Map<String, Double> figures,
        String note) {

    /** How a case ended. */
    enum Outcome {
        MEASURED,
        /** The scenario has no meaning for the transport (Aeron has no connections). */
        NOT_APPLICABLE,
        /** Something the measurement needs is missing on this machine (no C compiler for the C floor). */
        NOT_MEASURED,
        /** The measurement broke: a bug or a crash, and the exit status becomes 1. */
        FAILED
    }

    static Result measured(Transport transport, Case kase, String path, Map<String, Double> figures) {
        return new Result(transport, kase, Outcome.MEASURED, path, Map.copyOf(figures), "");
    }

    /** @param note why, on one line (an exception's stack or a compiler's output is folded into it) */
    static Result failed(Transport transport, Case kase, String note) {
        return new Result(transport, kase, Outcome.FAILED, "", Map.of(), oneLine(note));
    }

    static Result notApplicable(Transport transport, Case kase, String note) {
        return new Result(transport, kase, Outcome.NOT_APPLICABLE, "", Map.of(), oneLine(note));
    }

    static Result notMeasured(Transport transport, Case kase, String note) {
        return new Result(transport, kase, Outcome.NOT_MEASURED, "", Map.of(), oneLine(note));
    }

    boolean measured() {
        return outcome == Outcome.MEASURED;
    }

    /** A figure, NaN when absent. */
    double figure(String key) {
        return figures.getOrDefault(key, Double.NaN);
    }

    /** {@code OUTCOME \t case key \t path or note \t key=value ...}, figures in the order they were added. */
    String toLine() {
        StringBuilder line = new StringBuilder(outcome.name()).append('\t').append(kase.key()).append('\t')
                .append(measured() ? path : note);
        figures.forEach((k, v) -> line.append('\t').append(k).append('=').append(v));
        return line.toString();
    }

    /** Reads a line written by {@link #toLine}; the case is looked up among those the orchestrator expects. */
    static Result parse(String line, Transport transport, List<Case> cases) {
        String[] fields = line.split("\t");
        Outcome outcome = Outcome.valueOf(fields[0]);
        Case kase = Case.find(cases, fields[1]);
        Map<String, Double> figures = new LinkedHashMap<>();
        for (int i = 3; i < fields.length; i++) {
            int eq = fields[i].indexOf('=');
            figures.put(fields[i].substring(0, eq), Double.parseDouble(fields[i].substring(eq + 1)));
        }
        return switch (outcome) {
            case MEASURED -> new Result(transport, kase, outcome, fields[2], figures, "");
            case FAILED -> failed(transport, kase, fields[2]);
            case NOT_APPLICABLE -> notApplicable(transport, kase, fields[2]);
            case NOT_MEASURED -> notMeasured(transport, kase, fields[2]);
        };
    }

    /** Whether a client line is a result (others are progress or stray output). */
    static boolean isResultLine(String line) {
        for (Outcome o : Outcome.values()) {
            if (line.startsWith(o.name() + "\t")) {
                return true;
            }
        }
        return false;
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s+", " ").trim();
    }
}
