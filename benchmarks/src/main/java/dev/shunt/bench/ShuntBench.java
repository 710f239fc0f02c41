package dev.shunt.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * shunt-bench, the benchmark tool: for each transport it starts a server JVM and a client JVM (for the C floor,
 * two C processes), runs every case between them in rounds, a Shunt transport alternating with its kernel
 * counterpart ({@link Rounds}), and finally prints Markdown tables on stdout (medians over the rounds, each
 * Shunt figure with its ratio to the kernel path of the same run) and writes a JSON file with every figure
 * and a PNG chart. {@code --help} lists the options; docs/benchmarks.md describes the method.
 */
public final class ShuntBench {
    /** The control socket's name in each transport's directory. */
    static final String CONTROL_SOCKET = "control.sock";
    static final String JSON_FILE = "shunt-bench.json";
    static final String PNG_FILE = "shunt-bench.png";

    private ShuntBench() {
    }

    /**
     * Entry point. Exit status 0 when every case was measured, 1 when one failed, 2 on bad arguments.
     *
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** The whole tool, with its exit status as the result. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("shunt-bench: " + e.getMessage());
            err.println("Try 'shunt-bench --help' for the options.");
            return 2;
        }
        if (options.help) {
            out.println(Options.USAGE);
            return 0;
        }
        Machine machine = Machine.current();
        out.println("# shunt-bench");
        out.println();
        out.println(machine.markdown());
        out.println();
        err.printf(Locale.ROOT, "shunt-bench: %d transport(s), %d case(s), %d round(s) each, about %.0f s%n",
                options.transports.size(), options.cases().size(), options.rounds, options.estimatedSeconds());
        long start = System.nanoTime();
        List<Summary> results = Rounds.run(options, args, err);
        err.printf(Locale.ROOT, "shunt-bench: measured in %.0f s%n", (System.nanoTime() - start) / 1e9);
        out.print(Report.markdown(results, options));
        boolean failed = results.stream().anyMatch(r -> r.outcome() == Result.Outcome.FAILED);
        try {
            Files.createDirectories(options.out);
            Path json = options.out.resolve(JSON_FILE);
            JsonReport.write(json, machine, options, results);
            out.println("Every figure: " + json);
            Path png = options.out.resolve(PNG_FILE);
            if (Chart.write(png, results, options)) {
                out.println("Chart: " + png);
            } else {
                err.println("shunt-bench: nothing was measured, so there is no chart");
            }
        } catch (IOException | RuntimeException e) {
            err.println("shunt-bench: cannot write the result files in " + options.out + ": " + e);
            return 1;
        }
        return failed ? 1 : 0;
    }
}
