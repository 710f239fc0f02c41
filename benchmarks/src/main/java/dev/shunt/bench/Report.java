package dev.shunt.bench;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The Markdown tables on stdout: one per case, one row per transport. A Shunt transport's figures carry their
 * ratio to its kernel counterpart in the same run, e.g. {@code 1.28 (0.08x)}.
 */
final class Report {
    private Report() {
    }

    /** One column of a table: a heading and the figure it shows, with a ratio on Shunt rows. */
    private record Column(String heading, String key) {
    }

    private static final List<Column> LATENCY = List.of(
            new Column("p50 µs", "p50_us"), new Column("p90 µs", "p90_us"),
            new Column("p99 µs", "p99_us"), new Column("p99.9 µs", "p99_9_us"),
            new Column("max µs", "max_us"), new Column("CPU µs/msg", "cpu"));
    private static final List<Column> THROUGHPUT = List.of(
            new Column("GB/s", "gb_per_s"), new Column("CPU µs/write", "cpu"));
    private static final List<Column> CONNECT = List.of(
            new Column("connections/s", "per_s"), new Column("p50 µs", "p50_us"),
            new Column("p99 µs", "p99_us"), new Column("CPU µs/connection", "cpu"));

    static String markdown(List<Result> results, Options options) {
        StringBuilder out = new StringBuilder();
        out.append("Ratios in parentheses compare a Shunt transport with the kernel path it replaces, in this run (")
                .append(options.transports.stream().filter(t -> t.kernelCounterpart != null)
                        .map(t -> t.id + " to " + t.kernelCounterpart.id).collect(Collectors.joining(", ")))
                .append("): below 1 is better for latency and CPU, above 1 for GB/s and connections/s. CPU is the ")
                .append("process CPU time of both JVMs. Signals and parks are Shunt's doorbell signals and sleeps, ")
                .append("client / server.\n\n");
        for (Case kase : options.cases()) {
            List<Column> columns = switch (kase.scenario()) {
                case THROUGHPUT -> THROUGHPUT;
                case CONNECT -> CONNECT;
                default -> LATENCY;
            };
            String unit = kase.scenario() == Scenario.THROUGHPUT ? "write"
                    : kase.scenario() == Scenario.CONNECT ? "connection" : "msg";
            out.append("### ").append(kase.title(options)).append("\n\n| transport | path |");
            columns.forEach(c -> out.append(' ').append(c.heading).append(" |"));
            out.append(" signals/").append(unit).append(" | parks/").append(unit).append(" |\n|---|---|");
            out.append("---:|".repeat(columns.size() + 2)).append('\n');
            for (Result r : results) {
                if (r.kase().equals(kase)) {
                    row(out, r, columns, results);
                }
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static void row(StringBuilder out, Result r, List<Column> columns, List<Result> all) {
        out.append("| ").append(r.transport().label).append(" | ");
        if (!r.measured()) {
            out.append(r.outcome() == Result.Outcome.FAILED ? "failed: " : "n/a: ").append(r.note())
                    .append(" |").append(" - |".repeat(columns.size() + 2)).append('\n');
            return;
        }
        Optional<Result> kernel = r.kernelIn(all);
        out.append(r.path()).append(" |");
        for (Column c : columns) {
            double value = value(r, c.key);
            out.append(' ').append(number(value));
            if (kernel.isPresent()) {
                out.append(String.format(Locale.ROOT, " (%.2fx)", value / value(kernel.get(), c.key)));
            }
            out.append(" |");
        }
        if (r.transport().family == Transport.Family.SHUNT) {
            out.append(String.format(Locale.ROOT, " %.3f / %.3f | %.3f / %.3f |%n", r.figure("signals_client_per_msg"),
                    r.figure("signals_server_per_msg"), r.figure("parks_client_per_msg"),
                    r.figure("parks_server_per_msg")));
        } else {
            out.append(" - | - |\n");
        }
    }

    /** A figure of the table; "cpu" is the CPU time of both JVMs per message. */
    static double value(Result r, String key) {
        return key.equals("cpu") ? r.figure("cpu_client_us_per_msg") + r.figure("cpu_server_us_per_msg")
                : r.figure(key);
    }

    /** Three significant digits or so: 0.123, 1.23, 12.3, 123, 12,345. */
    static String number(double v) {
        double a = Math.abs(v);
        String format = a >= 1000 ? "%,.0f" : a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, format, v);
    }
}
