package dev.shunt.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * The parsed command line of shunt-bench. The client JVMs parse the same arguments again, so the orchestrator
 * and every client agree on the cases without a second format.
 */
final class Options {
    /** Where the JSON and PNG files go unless {@code --out} says otherwise (set by {@code bin/shunt-bench}). */
    static final String DEFAULT_OUT_PROPERTY = "shunt.bench.out";

    static final String USAGE = String.join("\n",
            "Usage: shunt-bench [options]",
            "",
            "Measures local IPC between two JVMs (a server JVM and a client JVM per transport) and prints",
            "Markdown tables on stdout; every Shunt figure also carries its ratio to the kernel path it replaces,",
            "measured in the same run. Progress goes to stderr. Writes shunt-bench.json (every figure) and",
            "shunt-bench.png (latency percentiles and throughput) to the output directory.",
            "",
            "Transports (--transports, comma-separated, or 'all'):",
            Transport.describeAll(),
            "",
            "Scenarios (--scenarios, comma-separated, or 'all'):",
            Scenario.describeAll(),
            "",
            "Options:",
            "  --transports LIST   transports to measure (default: " + ids(Transport.defaults(), t -> t.id) + ")",
            "  --scenarios LIST    scenarios to run (default: all)",
            "  --sizes LIST        ping-pong message sizes in bytes; the other latency scenarios use the",
            "                      smallest (default 32,1k,64k; k = 1024, m = 1048576; 1 to 4m)",
            "  --stream-sizes LIST write sizes of the throughput scenario (default 64k,1m; 1k to 16m)",
            "  --seconds S         measured seconds per scenario and size, 0.05 to 600 (default 1.5)",
            "  --warmup S          warm-up seconds before each measurement, three times that before the first",
            "                      of each client JVM, 0 to 600 (default 0.5)",
            "  --quick             --seconds 0.3 --warmup 0.1: about a third of the default time",
            "  --rate N            messages per second of the fixed-rate scenario, 1 to 1000000 (default 10000)",
            "  --load-threads N    busy threads of the saturated scenario, 1 to 1024 (default: one per core, "
                    + Runtime.getRuntime().availableProcessors() + ")",
            "  --spin-nanos NS     shunt.spinNanos of the Shunt transports and the spin budget of Aeron's",
            "                      idle strategy, 0 to 1000000000 (default: Shunt's, 50000)",
            "  --out DIR           directory for shunt-bench.json and shunt-bench.png (default: "
                    + defaultOut() + ")",
            "  --help              this text",
            "",
            "Defaults take about 22 s per transport, --quick about 7 s, JVM start-up included. Exit status: 0",
            "when every case was measured, 1 when a measurement failed, 2 on bad arguments.");

    List<Transport> transports = Transport.defaults();
    List<Scenario> scenarios = List.of(Scenario.values());
    List<Integer> sizes = List.of(32, 1024, 64 * 1024);
    List<Integer> streamSizes = List.of(64 * 1024, 1024 * 1024);
    double seconds = 1.5;
    double warmup = 0.5;
    int rate = 10_000;
    int loadThreads = Runtime.getRuntime().availableProcessors();
    Long spinNanos;
    Path out = defaultOut();
    boolean help;

    private Options() {
    }

    /**
     * Parses a command line.
     *
     * @throws IllegalArgumentException with a message for the user when an argument is wrong
     */
    static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--help", "-h" -> o.help = true;
                case "--quick" -> {
                    o.seconds = 0.3;
                    o.warmup = 0.1;
                }
                case "--transports" -> o.transports = list(value(args, ++i, arg), arg, Transport.values(),
                        Transport::parse);
                case "--scenarios" -> o.scenarios = list(value(args, ++i, arg), arg, Scenario.values(),
                        Scenario::parse);
                case "--sizes" -> o.sizes = sizes(value(args, ++i, arg), arg, 1, 4 << 20);
                case "--stream-sizes" -> o.streamSizes = sizes(value(args, ++i, arg), arg, 1024, 16 << 20);
                case "--seconds" -> o.seconds = number(value(args, ++i, arg), arg, 0.05, 600);
                case "--warmup" -> o.warmup = number(value(args, ++i, arg), arg, 0, 600);
                case "--rate" -> o.rate = (int) whole(value(args, ++i, arg), arg, 1, 1_000_000);
                case "--load-threads" -> o.loadThreads = (int) whole(value(args, ++i, arg), arg, 1, 1024);
                case "--spin-nanos" -> o.spinNanos = whole(value(args, ++i, arg), arg, 0, 1_000_000_000);
                case "--out" -> o.out = Path.of(value(args, ++i, arg));
                default -> throw new IllegalArgumentException(arg.startsWith("-")
                        ? "unknown option '" + arg + "'"
                        : "unexpected argument '" + arg + "' (options start with --)");
            }
        }
        return o;
    }

    /** The cases every client runs, in order: scenarios as selected, each with its sizes. */
    List<Case> cases() {
        int smallest = sizes.stream().min(Integer::compare).orElseThrow();
        List<Case> cases = new ArrayList<>();
        for (Scenario s : scenarios) {
            switch (s) {
                case PINGPONG -> sizes.forEach(size -> cases.add(new Case(s, size)));
                case THROUGHPUT -> streamSizes.forEach(size -> cases.add(new Case(s, size)));
                case CONNECT -> cases.add(new Case(s, 0));
                default -> cases.add(new Case(s, smallest));
            }
        }
        return cases;
    }

    long warmupNanos() {
        return (long) (warmup * 1e9);
    }

    long measureNanos() {
        return (long) (seconds * 1e9);
    }

    /** A rough bound on the time one transport takes, for the progress line and the orchestrator's watchdog. */
    double secondsPerTransport() {
        return cases().size() * (seconds + warmup) + 2 * warmup + 2;
    }

    private static Path defaultOut() {
        return Path.of(System.getProperty(DEFAULT_OUT_PROPERTY, "shunt-bench-results"));
    }

    private static <T> String ids(List<T> values, Function<T, String> id) {
        return String.join(",", values.stream().map(id).toList());
    }

    private static <T> List<T> list(String text, String option, T[] all, Function<String, T> parse) {
        if (text.trim().equalsIgnoreCase("all")) {
            return List.of(all);
        }
        Set<T> chosen = new LinkedHashSet<>();
        for (String item : text.split(",")) {
            if (item.isBlank()) {
                throw new IllegalArgumentException(option + " has an empty item in '" + text + "'");
            }
            chosen.add(parse.apply(item.trim()));
        }
        return List.copyOf(chosen);
    }

    private static List<Integer> sizes(String text, String option, int min, int max) {
        Set<Integer> sizes = new LinkedHashSet<>();
        for (String item : text.split(",")) {
            String s = item.trim().toLowerCase(Locale.ROOT);
            long unit = s.endsWith("k") ? 1024 : s.endsWith("m") ? 1024 * 1024 : 1;
            String digits = unit == 1 ? s : s.substring(0, s.length() - 1);
            long v;
            try {
                v = Long.parseLong(digits) * unit;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " takes sizes such as 32, 1k or 1m; got '" + item + "'");
            }
            if (v < min || v > max) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "%s sizes must be from %d to %d bytes; "
                        + "got '%s'", option, min, max, item.trim()));
            }
            sizes.add((int) v);
        }
        return List.copyOf(sizes);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static long whole(String text, String option, long min, long max) {
        double v = number(text, option, min, max);
        if (v != Math.rint(v)) {
            throw new IllegalArgumentException(option + " takes a whole number; got '" + text + "'");
        }
        return (long) v;
    }

    private static double number(String text, String option, double min, double max) {
        double v;
        try {
            v = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a number; got '" + text + "'");
        }
        if (!(v >= min && v <= max)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s must be from %s to %s; got '%s'",
                    option, trim(min), trim(max), text));
        }
        return v;
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
