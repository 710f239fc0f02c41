package dev.shunt.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The c-floor transport: {@code c_floor.c} (src/main/c), two C processes that ping-pong a message through shared
 * memory and wait by spinning, nothing else: the floor of a round trip between two processes on this machine,
 * measured in the same run as the JVMs. The program is compiled when the session opens, with gcc or the
 * compiler {@value #COMPILER_PROPERTY} names, into {@code c-floor/} beside the benchmark's classes (that is,
 * {@code benchmarks/target/c-floor/}); without a compiler every case is reported as not measured and the run
 * goes on. Each case runs the program once; it reports its latency histogram and both processes' CPU time.
 */
final class CFloor implements Session {
    /** System property naming the C compiler. */
    static final String COMPILER_PROPERTY = "shunt.bench.cc";
    /** The path column of its rows. */
    static final String PATH = "shared memory, spin only (C)";
    private static final String SOURCE = "c_floor.c";
    private static final long COMPILE_SECONDS = 120;

    private final Options options;
    /** The built program; {@code null} when there is none, and then every case reports {@link #unavailable}. */
    private final Path program;
    private final Result.Outcome outcome;
    private final String unavailable;

    private CFloor(Options options, Path program, Result.Outcome outcome, String unavailable) {
        this.options = options;
        this.program = program;
        this.outcome = outcome;
        this.unavailable = unavailable;
    }

    /** Builds the program with the configured compiler beside the benchmark's classes. */
    static CFloor open(Options options, PrintStream progress) {
        Path dir;
        try {
            // target/classes or target/shunt-benchmarks.jar: the program goes to target/c-floor
            Path code = Path.of(CFloor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            dir = code.toAbsolutePath().getParent().resolve("c-floor");
        } catch (URISyntaxException | RuntimeException e) {
            return failed(options, progress, "cannot tell where the benchmark's classes are: " + e);
        }
        return open(System.getProperty(COMPILER_PROPERTY, "gcc"), dir, options, progress);
    }

    /**
     * Builds the program with {@code compiler} into {@code dir}. A compiler that cannot be started leaves every
     * case not measured; one that fails on the source, every case failed. Both say why, on {@code progress} too.
     */
    static CFloor open(String compiler, Path dir, Options options, PrintStream progress) {
        Path program = dir.resolve("c_floor");
        // Private names, the program renamed into place: two runs at once must neither compile a half-copied
        // source nor execute a half-written program.
        Path source = dir.resolve(".c_floor-" + ProcessHandle.current().pid() + ".c");
        Path building = dir.resolve(".c_floor-" + ProcessHandle.current().pid());
        Process cc;
        try (InputStream text = CFloor.class.getResourceAsStream(SOURCE)) {
            if (text == null) {
                return failed(options, progress, SOURCE + " is missing from the class path");
            }
            Files.createDirectories(dir);
            Files.copy(text, source, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            deleteQuietly(source);
            return failed(options, progress, "cannot write " + source + ": " + e);
        }
        List<String> command = List.of(compiler, "-O2", "-Wall", "-o", building.toString(), source.toString());
        try {
            cc = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            deleteQuietly(source);
            String why = "cannot run the C compiler '" + compiler + "' (" + e.getMessage() + "); install gcc or "
                    + "name a compiler with -D" + COMPILER_PROPERTY + "=...";
            progress.println("shunt-bench: c-floor is not measured: " + why);
            return new CFloor(options, null, Result.Outcome.NOT_MEASURED, why);
        }
        Watchdog watchdog = new Watchdog(COMPILE_SECONDS, cc::destroyForcibly);
        try {
            String output = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (cc.waitFor() != 0) {
                return failed(options, progress, String.join(" ", command) + " failed: " + output);
            }
            try {
                Files.move(building, program, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(building, program, StandardCopyOption.REPLACE_EXISTING);
            }
            return new CFloor(options, program, Result.Outcome.MEASURED, "");
        } catch (IOException e) {
            return failed(options, progress, "cannot build " + program + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(options, progress, "interrupted while compiling " + SOURCE);
        } finally {
            watchdog.cancel();
            cc.destroyForcibly();
            deleteQuietly(building);
            deleteQuietly(source);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a stray file in target/ is harmless
        }
    }

    private static CFloor failed(Options options, PrintStream progress, String why) {
        progress.println("shunt-bench: c-floor failed: " + why);
        return new CFloor(options, null, Result.Outcome.FAILED, why);
    }

    @Override
    public Result run(Case kase) {
        if (program == null) {
            return outcome == Result.Outcome.NOT_MEASURED ? Result.notMeasured(Transport.C_FLOOR, kase, unavailable)
                    : Result.failed(Transport.C_FLOOR, kase, unavailable);
        }
        List<String> command = List.of(program.toString(), Integer.toString(kase.size()),
                Long.toString(options.warmupNanos()), Long.toString(options.measureNanos()));
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            Watchdog watchdog = new Watchdog(options.caseLimitSeconds(), p::destroyForcibly);
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                Map<String, Double> figures = read(out);
                int status = p.waitFor();
                if (status != 0) {
                    return Result.failed(Transport.C_FLOOR, kase, "c_floor exited with status " + status
                            + " (killed after the time limit if 137)");
                }
                return Result.measured(Transport.C_FLOOR, kase, PATH, figures);
            } finally {
                watchdog.cancel();
                p.destroyForcibly();
            }
        } catch (IOException | RuntimeException e) {
            return Result.failed(Transport.C_FLOOR, kase, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.failed(Transport.C_FLOOR, kase, "interrupted");
        }
    }

    /** The figures of the program's report (format: the comment at the top of c_floor.c). */
    private static Map<String, Double> read(BufferedReader out) throws IOException {
        Histogram h = new Histogram(RoundTrips.HIGHEST_NANOS, 3);
        Map<String, Long> totals = new LinkedHashMap<>();
        for (String line; (line = out.readLine()) != null; ) {
            String[] f = line.split(" ");
            if (f[0].equals("bucket") && f.length == 3) {
                h.recordValueWithCount(Long.parseLong(f[1]), Long.parseLong(f[2]));
            } else if (f.length == 2) {
                totals.put(f[0], Long.parseLong(f[1]));
            } else {
                throw new IOException("unexpected line from c_floor: " + line);
            }
        }
        long roundTrips = total(totals, "round_trips");
        if (roundTrips != h.getTotalCount()) {
            throw new IOException("c_floor reported " + roundTrips + " round trips but " + h.getTotalCount()
                    + " in its histogram");
        }
        Usage usage = new Usage(total(totals, "wall_ns"), new Counters(total(totals, "cpu_client_ns"), 0, 0),
                new Counters(total(totals, "cpu_server_ns"), 0, 0));
        Map<String, Double> figures = new LinkedHashMap<>();
        LatencyFigures.add(h, usage, figures);
        return figures;
    }

    private static long total(Map<String, Long> totals, String key) throws IOException {
        Long v = totals.get(key);
        if (v == null) {
            throw new IOException("c_floor did not report " + key);
        }
        return v;
    }

    @Override
    public void close() {
        // each case's processes have exited
    }
}
