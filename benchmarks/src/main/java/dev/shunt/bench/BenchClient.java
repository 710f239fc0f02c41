package dev.shunt.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The client JVM of one transport: runs every case against the server JVM and reports each as a
 * {@link Result} line on stdout, with {@code PROGRESS} lines in between.
 *
 * <pre>BenchClient TRANSPORT ADDRESS CONTROL_SOCKET [shunt-bench options]</pre>
 */
public final class BenchClient {
    /** Starts a line of progress for the orchestrator to show. */
    static final String PROGRESS = "PROGRESS\t";

    private final Transport transport;
    private final Options options;
    private final ClientSide side;
    private final Meter meter;
    private boolean warm;

    private BenchClient(Transport transport, Options options, ClientSide side, Meter meter) {
        this.transport = transport;
        this.options = options;
        this.side = side;
        this.meter = meter;
    }

    /**
     * Entry point, see the class comment.
     *
     * @param args transport id, the server's address, its control socket, then the options of shunt-bench
     * @throws Exception when the control socket or the transport cannot be set up
     */
    public static void main(String[] args) throws Exception {
        Transport transport = Transport.parse(args[0]);
        Options options = Options.parse(Arrays.copyOfRange(args, 3, args.length));
        try (Control control = Control.connect(Path.of(args[2]))) {
            BenchClient client = new BenchClient(transport, options, transport.endpoints().client(args[1]),
                    new Meter(control));
            for (Case kase : options.cases()) {
                System.out.println(client.run(kase).toLine());
                System.out.flush();
            }
        }
        System.exit(0);
    }

    private Result run(Case kase) {
        if (kase.scenario() == Scenario.CONNECT && !transport.connections) {
            return Result.notApplicable(transport, kase, "no connections: Aeron sets up publications through its driver");
        }
        progress(kase.key() + " ...");
        try {
            Map<String, Double> figures = new LinkedHashMap<>();
            String path = measure(kase, figures);
            progress(kase.key() + ": " + summary(kase, figures) + " (" + path + ")");
            return Result.measured(transport, kase, path, figures);
        } catch (Exception e) {
            progress(kase.key() + ": failed: " + e);
            return Result.failed(transport, kase, e.toString());
        }
    }

    /** Runs one case, puts its figures in {@code figures} and returns the path its connections took. */
    private String measure(Case kase, Map<String, Double> figures) throws Exception {
        // The first case warms up three times as long: the JIT compiler has the whole transport to get through.
        long warmup = options.warmupNanos() * (warm ? 1 : 3);
        warm = true;
        long measure = options.measureNanos();
        int size = kase.size();
        return switch (kase.scenario()) {
            case PINGPONG -> roundTrips(size, Pacing.backToBack(), warmup, figures);
            case FIXED_RATE -> {
                figures.put("rate_target_per_s", (double) options.rate);
                yield roundTrips(size, Pacing.fixedRate(options.rate), warmup, figures);
            }
            case WAKEUP -> roundTrips(size, Pacing.sleeping(Scenario.WAKEUP_PERIOD_NANOS), warmup, figures);
            case SATURATED -> {
                Jvm load = Jvm.start(List.of(), BusyLoad.class, List.of(Integer.toString(options.loadThreads)));
                try {
                    load.awaitLine("READY");
                    yield roundTrips(size, Pacing.backToBack(), warmup, figures);
                } finally {
                    load.kill();
                }
            }
            case THROUGHPUT -> {
                StreamRun run = new StreamRun(size, warmup, measure, meter);
                String path = side.stream(size, run);
                Usage usage = run.usage();
                figures.put("gb_per_s", run.bytes() / (double) usage.wallNanos());
                figures.put("writes", (double) run.chunks());
                figures.put("seconds", usage.wallNanos() / 1e9);
                usage.addPerMessage(figures, run.chunks());
                yield path;
            }
            case CONNECT -> {
                RoundTrips trips = new RoundTrips(Pacing.backToBack(), warmup, measure, meter);
                String path = side.connections(trips);
                latencyFigures(trips, figures);
                yield path;
            }
        };
    }

    private String roundTrips(int size, Pacing pacing, long warmup, Map<String, Double> figures) throws Exception {
        RoundTrips trips = new RoundTrips(pacing, warmup, options.measureNanos(), meter);
        String path = side.roundTrips(size, trips);
        latencyFigures(trips, figures);
        return path;
    }

    private static void latencyFigures(RoundTrips trips, Map<String, Double> figures) {
        Histogram h = trips.histogram();
        Usage usage = trips.usage();
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

    private static String summary(Case kase, Map<String, Double> f) {
        if (kase.scenario() == Scenario.THROUGHPUT) {
            return String.format(Locale.ROOT, "%.2f GB/s", f.get("gb_per_s"));
        }
        return String.format(Locale.ROOT, "p50 %.2f us, p99 %.2f us, %,.0f/s", f.get("p50_us"), f.get("p99_us"),
                f.get("per_s"));
    }

    private static void progress(String text) {
        System.out.println(PROGRESS + text);
        System.out.flush();
    }
}
