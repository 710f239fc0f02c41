package dev.shunt.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Every figure of a run as JSON, written by hand (no library): the machine, the options, and per transport
 * and case the outcome, the path, the median figures, every round's own figures and, for Shunt transports,
 * their ratios to the kernel path and, in ping-pong, to the C floor (median of the per-round ratios, range).
 */
final class JsonReport {
    private JsonReport() {
    }

    static void write(Path file, Machine machine, Options options, List<Summary> results) throws IOException {
        StringBuilder json = new StringBuilder("{\n");
        json.append("  \"tool\": \"shunt-bench\",\n");
        json.append("  \"finished\": ").append(string(Instant.now().toString())).append(",\n");
        json.append("  \"machine\": {\"cpu\": ").append(string(machine.cpu()))
                .append(", \"cores\": ").append(machine.cores())
                .append(", \"virtual_machine\": ").append(machine.virtualMachine())
                .append(", \"pku\": ").append(machine.pku())
                .append(", \"pku_detail\": ").append(string(machine.pkuDetail()))
                .append(", \"kernel\": ").append(string(machine.kernel()))
                .append(", \"jdk\": ").append(string(machine.jdk()))
                .append(", \"load_average\": ").append(string(machine.loadAverage())).append("},\n");
        json.append("  \"options\": {\"transports\": ").append(strings(options.transports.stream().map(t -> t.id).toList()))
                .append(", \"scenarios\": ").append(strings(options.scenarios.stream().map(s -> s.id).toList()))
                .append(", \"sizes\": ").append(options.sizes)
                .append(", \"stream_sizes\": ").append(options.streamSizes)
                .append(", \"seconds\": ").append(number(options.seconds))
                .append(", \"warmup\": ").append(number(options.warmup))
                .append(", \"rates\": ").append(options.rates)
                .append(", \"gaps_us\": ").append(options.gapsNanos.stream().map(g -> number(g / 1e3)).toList())
                .append(", \"rounds\": ").append(options.rounds)
                .append(", \"load_threads\": ").append(options.loadThreads)
                .append(", \"spin_nanos\": ").append(options.spinNanos)
                .append(", \"mpk\": ").append(string(options.mpk.propertyValue())).append("},\n");
        json.append("  \"results\": [");
        String separator = "\n";
        for (Summary r : results) {
            json.append(separator).append(result(r, options, results));
            separator = ",\n";
        }
        json.append("\n  ]\n}\n");
        Files.writeString(file, json, StandardCharsets.UTF_8);
    }

    private static String result(Summary r, Options options, List<Summary> all) {
        Transport t = r.transport();
        Case kase = r.kase();
        StringBuilder json = new StringBuilder("    {");
        json.append("\"transport\": ").append(string(t.id))
                .append(", \"label\": ").append(string(t.label))
                .append(", \"family\": ").append(string(t.family.name().toLowerCase(Locale.ROOT)))
                .append(", \"kernel_counterpart\": ").append(t.kernelCounterpart == null ? "null"
                        : string(t.kernelCounterpart.id))
                .append(", \"case\": ").append(string(kase.key()))
                .append(", \"scenario\": ").append(string(kase.scenario().id))
                .append(", \"size\": ").append(kase.size())
                .append(", \"rate_per_s\": ").append(kase.scenario() == Scenario.FIXED_RATE
                        ? String.valueOf(kase.pace()) : "null")
                .append(", \"gap_us\": ").append(kase.scenario() == Scenario.WAKEUP ? number(kase.pace() / 1e3)
                        : "null")
                .append(", \"title\": ").append(string(kase.title(options)))
                .append(", \"outcome\": ").append(outcome(r.outcome()))
                .append(", \"path\": ").append(string(r.path()))
                .append(", \"note\": ").append(string(r.note()))
                .append(",\n      \"figures\": ").append(figures(r.figures()));
        Optional<Summary> kernel = r.kernelIn(all);
        if (kernel.isPresent()) {
            json.append(",\n      \"ratios_to_kernel\": ").append(ratios(r.ratiosTo(kernel.get())));
        }
        Optional<Summary> floor = r.floorIn(all);
        if (floor.isPresent()) {
            json.append(",\n      \"ratios_to_c_floor\": ").append(ratios(r.ratiosTo(floor.get())));
        }
        json.append(",\n      \"rounds\": [");
        String separator = "";
        for (Result round : r.rounds()) {
            json.append(separator).append("\n        {\"outcome\": ").append(outcome(round.outcome()))
                    .append(", \"path\": ").append(string(round.path()))
                    .append(", \"note\": ").append(string(round.note()))
                    .append(", \"figures\": ").append(figures(round.figures())).append('}');
            separator = ",";
        }
        return json.append("]}").toString();
    }

    private static String outcome(Result.Outcome outcome) {
        return string(outcome.name().toLowerCase(Locale.ROOT));
    }

    private static String ratios(Map<String, Spread> ratios) {
        return ratios.entrySet().stream().map(e -> string(e.getKey()) + ": {\"median\": "
                        + number(e.getValue().median()) + ", \"min\": " + number(e.getValue().min()) + ", \"max\": "
                        + number(e.getValue().max()) + ", \"rounds\": " + e.getValue().rounds() + "}")
                .collect(Collectors.joining(", ", "{", "}"));
    }

    private static String figures(Map<String, Double> figures) {
        return figures.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> string(e.getKey()) + ": " + number(e.getValue()))
                .collect(Collectors.joining(", ", "{", "}"));
    }

    private static String strings(Collection<String> values) {
        return values.stream().map(JsonReport::string).collect(Collectors.joining(", ", "[", "]"));
    }

    /** A JSON number; NaN and infinities (e.g. a ratio to 0) have none and become null. */
    static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "null";
        }
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** A JSON string with the escapes RFC 8259 requires. */
    static String string(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(c < 0x20 ? String.format(Locale.ROOT, "\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return out.append('"').toString();
    }
}
