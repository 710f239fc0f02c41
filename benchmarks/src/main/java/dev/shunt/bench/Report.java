package dev.shunt.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The Markdown tables on stdout: one per case, one row per transport, each figure the median over the rounds.
 * A Shunt transport's figures carry their ratio to its kernel counterpart, the median of the per-round ratios
 * and their range, e.g. {@code 1.28 (0.080x, 0.070-0.100)}; its ping-pong rows also its p50 over the C floor's.
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
            new Column("max µs", "max_us"), new Column("CPU µs/msg", "cpu_us_per_msg"));
    private static final List<Column> THROUGHPUT = List.of(
            new Column("GB/s", "gb_per_s"), new Column("CPU µs/write", "cpu_us_per_msg"));
    private static final List<Column> GRPC_STREAM = List.of(
            new Column("msgs/s", "msgs_per_s"), new Column("CPU µs/msg", "cpu_us_per_msg"));
    private static final List<Column> CONNECT = List.of(
            new Column("connections/s", "per_s"), new Column("p50 µs", "p50_us"),
            new Column("p99 µs", "p99_us"), new Column("CPU µs/connection", "cpu_us_per_msg"));
    /** Columns after the figures: CPU by side, signals, parks. */
    private static final int SIDE_COLUMNS = 3;

    static String markdown(List<Summary> summaries, Options options) {
        StringBuilder out = new StringBuilder();
        out.append("Figures are medians over ").append(options.rounds).append(" round(s). Ratios in parentheses ")
                .append("compare a Shunt transport with the kernel path it replaces (")
                .append(options.transports.stream().filter(t -> t.kernelCounterpart != null)
                        .map(t -> t.id + " to " + t.kernelCounterpart.id).collect(Collectors.joining(", ")))
                .append("), measured in alternating rounds: the median of the per-round ratios, then their range ")
                .append("(min-max). Below 1 is better for latency and CPU, above 1 for GB/s, msgs/s and connections/s. ")
                .append("\"p50 x c-floor\" is a Shunt ping-pong p50 over the C floor's, round by round likewise. ")
                .append("CPU is process CPU time per message: both sides, then client / server. Signals and parks ")
                .append("are Shunt's doorbell signals and sleeps, client / server.\n\n");
        for (Case kase : options.cases()) {
            List<Summary> rows = summaries.stream().filter(s -> s.kase().equals(kase)).toList();
            List<Column> columns = switch (kase.scenario()) {
                case THROUGHPUT -> THROUGHPUT;
                case CONNECT -> CONNECT;
                case GRPC_STREAM -> GRPC_STREAM;
                default -> LATENCY;
            };
            boolean floor = kase.scenario() == Scenario.PINGPONG
                    && rows.stream().anyMatch(s -> s.transport().family == Transport.Family.FLOOR);
            String unit = kase.scenario() == Scenario.THROUGHPUT ? "write"
                    : kase.scenario() == Scenario.CONNECT ? "connection" : "msg";
            out.append("### ").append(kase.title(options)).append("\n\n| transport | path |");
            columns.forEach(c -> out.append(' ').append(c.heading).append(" |"));
            out.append(" CPU client / server µs/").append(unit).append(" | signals/").append(unit)
                    .append(" | parks/").append(unit).append(" |").append(floor ? " p50 x c-floor |" : "")
                    .append("\n|---|---|").append("---:|".repeat(columns.size() + SIDE_COLUMNS + (floor ? 1 : 0)))
                    .append('\n');
            rows.forEach(r -> row(out, r, columns, floor, summaries));
            out.append('\n');
        }
        return out.toString();
    }

    private static void row(StringBuilder out, Summary s, List<Column> columns, boolean floor, List<Summary> all) {
        out.append("| ").append(s.transport().label).append(" | ");
        if (!s.measured()) {
            String outcome = switch (s.outcome()) {
                case FAILED -> "failed: ";
                case NOT_MEASURED -> "not measured: ";
                default -> "n/a: ";
            };
            out.append(outcome).append(s.note()).append(" |")
                    .append(" - |".repeat(columns.size() + SIDE_COLUMNS + (floor ? 1 : 0))).append('\n');
            return;
        }
        Map<String, Spread> ratios = s.kernelIn(all).map(s::ratiosTo).orElse(Map.of());
        out.append(s.path()).append(" |");
        for (Column c : columns) {
            out.append(' ').append(number(s.figure(c.key)));
            Spread ratio = ratios.get(c.key);
            if (ratio != null) {
                out.append(" (").append(ratio(ratio)).append(')');
            }
            out.append(" |");
        }
        out.append(' ').append(number(s.figure("cpu_client_us_per_msg"))).append(" / ")
                .append(number(s.figure("cpu_server_us_per_msg"))).append(" |");
        if (s.transport().family == Transport.Family.SHUNT) {
            out.append(String.format(Locale.ROOT, " %.3f / %.3f | %.3f / %.3f |", s.figure("signals_client_per_msg"),
                    s.figure("signals_server_per_msg"), s.figure("parks_client_per_msg"),
                    s.figure("parks_server_per_msg")));
        } else {
            out.append(" - | - |");
        }
        if (floor) {
            Spread overFloor = s.floorIn(all).map(f -> s.ratiosTo(f).get("p50_us")).orElse(null);
            out.append(' ').append(overFloor == null ? "-" : ratio(overFloor)).append(" |");
        }
        out.append('\n');
    }

    /** A ratio's median and, over two rounds or more, its range: "0.080x, 0.070-0.100", as {@link #number}. */
    static String ratio(Spread r) {
        String median = number(r.median()) + "x";
        return r.rounds() < 2 ? median : median + ", " + number(r.min()) + "-" + number(r.max());
    }

    /** Three significant digits or so: 0.123, 1.23, 12.3, 123, 12,345. */
    static String number(double v) {
        double a = Math.abs(v);
        String format = a >= 1000 ? "%,.0f" : a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, format, v);
    }
}
