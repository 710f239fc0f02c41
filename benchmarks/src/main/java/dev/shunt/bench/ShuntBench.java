package dev.shunt.bench;

import dev.shunt.core.MetricsSnapshot;
import dev.shunt.core.ShuntMetrics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The benchmark tool: starts one echo-server JVM per transport and measures round trips from this JVM, then
 * prints a Markdown table with every Shunt figure also given as a ratio to the kernel path of the same run.
 * {@code --help} lists the options.
 */
public final class ShuntBench {
    private static final String USAGE = String.join("\n",
            "Usage: shunt-bench [options]",
            "Measures the round-trip latency of fixed-size messages between two JVMs over a Unix socket,",
            "on the kernel path and on Shunt's shared-memory fast path, in one run.",
            "",
            "Options:",
            "  --transports LIST  comma-separated: kernel, shunt, shunt-parked (default: all)",
            "  --size BYTES       message size, 1 to 1048576 (default 32)",
            "  --seconds S        measured seconds per transport, 0.1 to 600 (default 5)",
            "  --warmup S         warm-up seconds per transport, 0 to 600 (default 2)",
            "  --quick            1 measured second and 0.5 warm-up second per transport",
            "  --gap-micros US    busy think time between round trips, 0 to 1000000 (default 0)",
            "  --spin-nanos NS    shunt.spinNanos for the 'shunt' transport in both JVMs (default: Shunt's)",
            "  --help             this text");

    private ShuntBench() {
    }

    /** Entry point. Exit status 2 on bad arguments, 1 when a measurement failed. */
    public static void main(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("shunt-bench: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        if (options.help) {
            System.out.println(USAGE);
            return;
        }
        try {
            run(options, System.out);
        } catch (Exception e) {
            System.err.println("shunt-bench: measurement failed: " + e);
            System.exit(1);
        }
    }

    static void run(Options options, PrintStream out) throws Exception {
        out.println("# Shunt round-trip benchmark");
        out.println();
        out.println(Machine.describe().replace("\n", "  \n"));
        out.println();
        List<RoundTripResult> results = new ArrayList<>();
        for (Transport transport : options.transports) {
            System.err.printf("measuring %s: %d-byte round trips for %.1f s (after %.1f s warm-up)...%n",
                    transport.label, options.size, options.seconds, options.warmup);
            results.add(measure(transport, options));
        }
        out.println(Report.table(results, options.size));
    }

    private static RoundTripResult measure(Transport transport, Options options) throws Exception {
        Path dir = Files.createTempDirectory("shunt-bench");
        Path socket = dir.resolve("echo.sock");
        List<String> properties = new ArrayList<>(transport.properties);
        if (transport == Transport.SHUNT && options.spinNanos != null) {
            properties.add("shunt.spinNanos=" + options.spinNanos);
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String p : properties) {
            command.add("-D" + p);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), EchoServer.class.getName(),
                transport.id, socket.toString(), Integer.toString(options.size)));
        Process server = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String previous = System.getProperty("shunt.spinNanos");
        System.clearProperty("shunt.spinNanos");
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(),
                    StandardCharsets.UTF_8));
            String ready = lines.readLine();
            if (!"READY".equals(ready)) {
                throw new IOException("echo server for " + transport.id + " did not start (printed " + ready + ")");
            }
            for (String p : properties) {
                int eq = p.indexOf('=');
                System.setProperty(p.substring(0, eq), p.substring(eq + 1));
            }
            try (Connection connection = Connection.connect(transport, socket)) {
                byte[] message = new byte[options.size];
                loop(connection, message, options.warmup, options.gapMicros, null);
                Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
                MetricsSnapshot before = ShuntMetrics.snapshot();
                long count = loop(connection, message, options.seconds, options.gapMicros, histogram);
                MetricsSnapshot after = ShuntMetrics.snapshot();
                return new RoundTripResult(transport, connection.path(), histogram,
                        (after.doorbellSignals() - before.doorbellSignals()) / (double) count,
                        (after.parks() - before.parks()) / (double) count);
            }
        } finally {
            if (previous == null) {
                System.clearProperty("shunt.spinNanos");
            } else {
                System.setProperty("shunt.spinNanos", previous);
            }
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    private static long loop(Connection connection, byte[] message, double seconds, long gapMicros,
            Histogram histogram) throws IOException {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long gap = TimeUnit.MICROSECONDS.toNanos(gapMicros);
        long count = 0;
        while (true) {
            long start = System.nanoTime();
            if (gap > 0) {
                // Think time as busy work: a timed sleep would add the kernel's timer slack (about 50 us).
                while (System.nanoTime() - start < gap) {
                    Thread.onSpinWait();
                }
                start = System.nanoTime();
            }
            if (start - end >= 0) {
                return count;
            }
            message[0] = (byte) count;
            connection.writeFully(message);
            connection.readFully(message);
            if (histogram != null) {
                histogram.recordValue(Math.min(System.nanoTime() - start, histogram.getHighestTrackableValue()));
            }
            count++;
        }
    }

    /** Parsed command line. */
    static final class Options {
        List<Transport> transports = List.of(Transport.values());
        int size = 32;
        double seconds = 5;
        double warmup = 2;
        long gapMicros;
        Long spinNanos;
        boolean help;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--help":
                    case "-h":
                        o.help = true;
                        break;
                    case "--quick":
                        o.seconds = 1;
                        o.warmup = 0.5;
                        break;
                    case "--transports":
                        List<Transport> list = new ArrayList<>();
                        for (String id : value(args, ++i, arg).split(",")) {
                            list.add(Transport.parse(id));
                        }
                        o.transports = List.copyOf(list);
                        break;
                    case "--size":
                        o.size = (int) number(value(args, ++i, arg), arg, 1, 1 << 20);
                        break;
                    case "--seconds":
                        o.seconds = number(value(args, ++i, arg), arg, 0.1, 600);
                        break;
                    case "--gap-micros":
                        o.gapMicros = (long) number(value(args, ++i, arg), arg, 0, 1_000_000);
                        break;
                    case "--spin-nanos":
                        o.spinNanos = (long) number(value(args, ++i, arg), arg, 0, 1_000_000_000);
                        break;
                    case "--warmup":
                        o.warmup = number(value(args, ++i, arg), arg, 0, 600);
                        break;
                    default:
                        throw new IllegalArgumentException("unknown option '" + arg + "'");
                }
            }
            return o;
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        private static double number(String text, String option, double min, double max) {
            double v;
            try {
                v = Double.parseDouble(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " takes a number; got '" + text + "'");
            }
            if (!(v >= min && v <= max)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "%s must be from %s to %s; got %s",
                        option, trim(min), trim(max), text));
            }
            return v;
        }

        private static String trim(double v) {
            return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
        }
    }
}
