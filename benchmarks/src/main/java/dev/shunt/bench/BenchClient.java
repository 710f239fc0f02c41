package dev.shunt.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The client JVM of one transport: runs the cases the orchestrator names on its stdin, one key a line, against
 * the server JVM, and reports each as a {@link Result} line on stdout; exits at the end of its stdin.
 *
 * <pre>BenchClient TRANSPORT ADDRESS CONTROL_SOCKET [shunt-bench options]</pre>
 */
public final class BenchClient {
    private final Transport transport;
    private final Options options;
    private final ClientSide side;
    private final Meter meter;
    /** Whether a case ran before in this JVM. */
    private boolean warm;
    /** Whether a gRPC case ran before in this JVM. */
    private boolean grpcWarm;

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
        List<Case> cases = options.cases();
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (Control control = Control.connect(Path.of(args[2]))) {
            BenchClient client = new BenchClient(transport, options, transport.endpoints().client(args[1]),
                    new Meter(control));
            for (String key; (key = commands.readLine()) != null; ) {
                System.out.println(client.run(Case.find(cases, key)).toLine());
                System.out.flush();
            }
        }
        System.exit(0);
    }

    private Result run(Case kase) {
        Optional<String> notApplicable = transport.notApplicable(kase.scenario());
        if (notApplicable.isPresent()) {
            return Result.notApplicable(transport, kase, notApplicable.get());
        }
        try {
            Map<String, Double> figures = new LinkedHashMap<>();
            String path = measure(kase, figures);
            return Result.measured(transport, kase, path, figures);
        } catch (Exception e) {
            return Result.failed(transport, kase, e.toString());
        }
    }

    /** How a latency case drives its connection: a {@link ClientSide} call, given the schedule and record. */
    private interface Drive {
        String run(RoundTrips trips) throws Exception;
    }

    /** Runs one case, puts its figures in {@code figures} and returns the path its connections took. */
    private String measure(Case kase, Map<String, Double> figures) throws Exception {
        long warmup = options.warmupNanos() * warmups(kase.scenario());
        int size = kase.size();
        return switch (kase.scenario()) {
            case PINGPONG -> latency(Pacing.backToBack(), warmup, figures, t -> side.roundTrips(size, t));
            case FIXED_RATE -> {
                figures.put("rate_target_per_s", (double) kase.pace());
                yield latency(Pacing.fixedRate(kase.pace()), warmup, figures, t -> side.roundTrips(size, t));
            }
            case WAKEUP -> {
                figures.put("gap_us", kase.pace() / 1e3);
                yield latency(Pacing.sleeping(kase.pace()), warmup, figures, t -> side.roundTrips(size, t));
            }
            case SATURATED -> {
                Jvm load = Jvm.start(List.of(), BusyLoad.class, List.of(Integer.toString(options.loadThreads)));
                try {
                    load.awaitLine("READY");
                    yield latency(Pacing.backToBack(), warmup, figures, t -> side.roundTrips(size, t));
                } finally {
                    load.kill();
                }
            }
            case RPC -> latency(Pacing.backToBack(), warmup, figures, t -> side.rpc(size, t));
            case GRPC -> latency(Pacing.backToBack(), warmup, figures, t -> side.grpc(size, t));
            case CONNECT -> latency(Pacing.backToBack(), warmup, figures, side::connections);
            case GRPC_STREAM -> {
                StreamRun run = new StreamRun(size, warmup, options.measureNanos(), meter);
                String path = side.grpcStream(size, run);
                Usage usage = run.usage();
                figures.put("msgs_per_s", run.chunks() * 1e9 / usage.wallNanos());
                figures.put("seconds", usage.wallNanos() / 1e9);
                usage.addPerMessage(figures, run.chunks());
                yield path;
            }
            case THROUGHPUT -> {
                StreamRun run = new StreamRun(size, warmup, options.measureNanos(), meter);
                String path = side.stream(size, run);
                Usage usage = run.usage();
                figures.put("gb_per_s", run.bytes() / (double) usage.wallNanos());
                figures.put("writes", (double) run.chunks());
                figures.put("seconds", usage.wallNanos() / 1e9);
                usage.addPerMessage(figures, run.chunks());
                yield path;
            }
        };
    }

    /**
     * How many times {@code --warmup} a case of {@code scenario} warms up: more for the first case, when the JIT
     * compiler has the whole transport to get through, and most for the first gRPC case, which brings gRPC's
     * code on top ({@link Options#FIRST_CASE_WARMUPS}, {@link Options#FIRST_GRPC_WARMUPS}).
     */
    private int warmups(Scenario scenario) {
        boolean grpc = scenario.grpc();
        int n = grpc && !grpcWarm ? Options.FIRST_GRPC_WARMUPS : warm ? 1 : Options.FIRST_CASE_WARMUPS;
        warm = true;
        grpcWarm |= grpc;
        return n;
    }

    private String latency(Pacing pacing, long warmup, Map<String, Double> figures, Drive drive) throws Exception {
        RoundTrips trips = new RoundTrips(pacing, warmup, options.measureNanos(), meter);
        String path = drive.run(trips);
        LatencyFigures.add(trips.histogram(), trips.usage(), figures);
        return path;
    }
}
