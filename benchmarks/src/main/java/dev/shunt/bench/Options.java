package dev.shunt.bench;

import dev.shunt.core.MpkMode;
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
    /** Slack on top of a case's expected time before its client JVM (or the C floor) is killed. */
    static final long SLACK_SECONDS = 60;

    private static final double SECONDS = 0.75;
    private static final double WARMUP = 0.25;
    private static final int ROUNDS = 3;
    private static final double QUICK_SECONDS = 0.2;
    private static final double QUICK_WARMUP = 0.05;
    private static final int QUICK_ROUNDS = 2;
    /** Starting a transport's two JVMs and closing them, roughly, for the estimate of the run's time. */
    private static final double JVM_START_SECONDS = 3;
    private static final long MILLI = 1_000_000;
    /** The first case of a client JVM warms up this many times --warmup: the JIT has the transport to compile. */
    static final int FIRST_CASE_WARMUPS = 3;
    /**
     * Its first gRPC case this many: gRPC's and HTTP/2's code, which no other case runs, comes on top, and at
     * a few thousand calls a second the JIT compiler needs seconds to get through the calls' hot paths.
     */
    static final int FIRST_GRPC_WARMUPS = 10;

    static final String USAGE = String.join("\n",
            "Usage: shunt-bench [options]",
            "",
            "Measures local IPC between two JVMs (a server JVM and a client JVM per transport) and, as the floor,",
            "between two C processes that spin on shared memory; prints Markdown tables on stdout. Each Shunt",
            "transport and its kernel counterpart run every case in alternating rounds (kernel, Shunt, kernel,",
            "Shunt, ...); a figure is the median over the rounds, a ratio the median of the per-round ratios with",
            "their range (min-max). Progress goes to stderr. Writes shunt-bench.json (every figure, every round)",
            "and shunt-bench.png (latency percentiles and throughput) to the output directory.",
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
            "  --rates LIST        messages per second of the fixed-rate scenario, one case each, 1 to 1000000",
            "                      (default 1000,10000,100000)",
            "  --gaps LIST         pauses before each message of the wakeup (sleeping peer) scenario, one case",
            "                      each, with a unit: us, ms or s, from 10us to 1s (default 1ms,10ms)",
            "  --rounds N          rounds of every case and transport, 1 to 100 (default " + ROUNDS + ")",
            "  --seconds S         measured seconds per case and round, 0.05 to 600 (default " + SECONDS + ")",
            "  --warmup S          warm-up seconds before each measurement, 0 to 600 (default " + WARMUP + "); "
                    + FIRST_CASE_WARMUPS + " times",
            "                      that before the first case of each client JVM, " + FIRST_GRPC_WARMUPS
                    + " times that before its",
            "                      first grpc case",
            "  --quick             rough figures in about a quarter of the time: the defaults of --rounds,",
            "                      --seconds and --warmup become " + QUICK_ROUNDS + ", " + QUICK_SECONDS + " and "
                    + QUICK_WARMUP + " (given values win)",
            "  --load-threads N    busy threads of the saturated scenario, 1 to 1024 (default: one per core, "
                    + Runtime.getRuntime().availableProcessors() + ")",
            "  --spin-nanos NS     shunt.spinNanos of the Shunt transports and the spin budget of Aeron's",
            "                      idle strategy, 0 to 1000000000 (default: Shunt's, 50000)",
            "  --mpk MODE          shunt.mpk of the Shunt transports: optional (a protection key where this",
            "                      machine has them, else the fast path unprotected), off (never a key: the",
            "                      figures without keys on a machine that has them) or required (default optional)",
            "  --out DIR           directory for shunt-bench.json and shunt-bench.png (default: "
                    + defaultOut() + ")",
            "  --help              this text",
            "",
            "c-floor is compiled when the run starts, from c_floor.c with gcc (bin/shunt-bench: $CC if set; the",
            "jar: -D" + CFloor.COMPILER_PROPERTY + "=...), into c-floor/ beside the jar (benchmarks/target/c-floor/);",
            "without a compiler it is reported as not measured and the run goes on.",
            "",
            "The defaults take about 4.5 minutes on 2 cores, --quick about 1 minute. Exit status: 0 when every case",
            "was measured (or not measured for want of a compiler), 1 when a measurement failed, 2 on bad",
            "arguments.");

    List<Transport> transports = Transport.defaults();
    List<Scenario> scenarios = List.of(Scenario.values());
    List<Integer> sizes = List.of(32, 1024, 64 * 1024);
    List<Integer> streamSizes = List.of(64 * 1024, 1024 * 1024);
    List<Long> rates = List.of(1_000L, 10_000L, 100_000L);
    List<Long> gapsNanos = List.of(MILLI, 10 * MILLI);
    int rounds;
    double seconds;
    double warmup;
    int loadThreads = Runtime.getRuntime().availableProcessors();
    Long spinNanos;
    MpkMode mpk = MpkMode.OPTIONAL;
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
        boolean quick = false;
        Integer rounds = null;
        Double seconds = null;
        Double warmup = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--help", "-h" -> o.help = true;
                case "--quick" -> quick = true;
                case "--transports" -> o.transports = list(value(args, ++i, arg), arg, Transport.values(),
                        Transport::parse);
                case "--scenarios" -> o.scenarios = list(value(args, ++i, arg), arg, Scenario.values(),
                        Scenario::parse);
                case "--sizes" -> o.sizes = items(value(args, ++i, arg), arg, s -> size(s, arg, 1, 4 << 20));
                case "--stream-sizes" -> o.streamSizes = items(value(args, ++i, arg), arg,
                        s -> size(s, arg, 1024, 16 << 20));
                case "--rates" -> o.rates = items(value(args, ++i, arg), arg, s -> whole(s, arg, 1, 1_000_000));
                case "--gaps" -> o.gapsNanos = items(value(args, ++i, arg), arg, s -> gap(s, arg));
                case "--rounds" -> rounds = (int) whole(value(args, ++i, arg), arg, 1, 100);
                case "--seconds" -> seconds = number(value(args, ++i, arg), arg, 0.05, 600);
                case "--warmup" -> warmup = number(value(args, ++i, arg), arg, 0, 600);
                case "--load-threads" -> o.loadThreads = (int) whole(value(args, ++i, arg), arg, 1, 1024);
                case "--spin-nanos" -> o.spinNanos = whole(value(args, ++i, arg), arg, 0, 1_000_000_000);
                case "--mpk" -> o.mpk = mpk(value(args, ++i, arg));
                case "--out" -> o.out = Path.of(value(args, ++i, arg));
                default -> throw new IllegalArgumentException(arg.startsWith("-")
                        ? "unknown option '" + arg + "'"
                        : "unexpected argument '" + arg + "' (options start with --)");
            }
        }
        o.rounds = rounds != null ? rounds : quick ? QUICK_ROUNDS : ROUNDS;
        o.seconds = seconds != null ? seconds : quick ? QUICK_SECONDS : SECONDS;
        o.warmup = warmup != null ? warmup : quick ? QUICK_WARMUP : WARMUP;
        return o;
    }

    /** The cases every client runs, in order: scenarios as selected, each with its sizes or paces. */
    List<Case> cases() {
        int smallest = sizes.stream().min(Integer::compare).orElseThrow();
        List<Case> cases = new ArrayList<>();
        for (Scenario s : scenarios) {
            switch (s) {
                case PINGPONG -> sizes.forEach(size -> cases.add(new Case(s, size)));
                case FIXED_RATE -> rates.forEach(rate -> cases.add(new Case(s, smallest, rate)));
                case THROUGHPUT -> streamSizes.forEach(size -> cases.add(new Case(s, size)));
                case WAKEUP -> gapsNanos.forEach(gap -> cases.add(new Case(s, smallest, gap)));
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

    /** How long one case may take before its process is killed: the longest warm-up, the measurement, slack. */
    long caseLimitSeconds() {
        return (long) Math.ceil(FIRST_GRPC_WARMUPS * warmup + seconds) + SLACK_SECONDS;
    }

    /** A rough estimate of the whole run, for the progress line. */
    double estimatedSeconds() {
        double total = 0;
        for (Transport t : transports) {
            // A case that does not apply to a transport is answered at once.
            List<Scenario> measured = cases().stream().map(Case::scenario)
                    .filter(s -> t.takesPart(s) && t.notApplicable(s).isEmpty()).toList();
            total += rounds * measured.size() * (seconds + warmup);
            if (t.family != Transport.Family.FLOOR) {
                total += JVM_START_SECONDS + (FIRST_CASE_WARMUPS - 1) * warmup;
            }
            if (measured.stream().anyMatch(Scenario::grpc)) {
                total += (FIRST_GRPC_WARMUPS - 1) * warmup;
            }
        }
        return total;
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
        return items(text, option, parse);
    }

    /** A comma-separated list without repetitions, in the order given. */
    private static <T> List<T> items(String text, String option, Function<String, T> parse) {
        Set<T> chosen = new LinkedHashSet<>();
        for (String item : text.split(",", -1)) {
            if (item.isBlank()) {
                throw new IllegalArgumentException(option + " has an empty item in '" + text + "'");
            }
            chosen.add(parse.apply(item.trim()));
        }
        return List.copyOf(chosen);
    }

    private static int size(String item, String option, int min, int max) {
        String s = item.toLowerCase(Locale.ROOT);
        long unit = s.endsWith("k") ? 1024 : s.endsWith("m") ? 1024 * 1024 : 1;
        long v;
        try {
            v = Long.parseLong(unit == 1 ? s : s.substring(0, s.length() - 1)) * unit;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes sizes such as 32, 1k or 1m; got '" + item + "'");
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s sizes must be from %d to %d bytes; "
                    + "got '%s'", option, min, max, item));
        }
        return (int) v;
    }

    /** A pause with its unit, in nanoseconds: 500us, 1ms, 1s. */
    private static long gap(String item, String option) {
        String s = item.toLowerCase(Locale.ROOT);
        int suffix = s.endsWith("us") || s.endsWith("ms") ? 2 : s.endsWith("s") ? 1 : 0;
        long unit = s.endsWith("us") ? 1000 : s.endsWith("ms") ? MILLI : 1000 * MILLI;
        long v;
        try {
            v = suffix == 0 ? -1 : Long.parseLong(s.substring(0, s.length() - suffix)) * unit;
        } catch (NumberFormatException e) {
            v = -1;
        }
        if (v < 0) {
            throw new IllegalArgumentException(option + " takes pauses such as 500us, 1ms or 1s; got '" + item + "'");
        }
        if (v < 10_000 || v > 1000 * MILLI) {
            throw new IllegalArgumentException(option + " pauses must be from 10us to 1s; got '" + item + "'");
        }
        return v;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static MpkMode mpk(String text) {
        try {
            return MpkMode.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--mpk must be one of required, optional, off; got '" + text + "'");
        }
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
