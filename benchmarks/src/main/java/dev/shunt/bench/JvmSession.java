package dev.shunt.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A transport's server JVM and client JVM, kept running between its cases: the orchestrator writes a case's
 * key to the client's stdin and reads back its {@link Result} line. A case the client does not answer (it
 * crashed, or ran past the time limit and was killed) fails, and so do the session's later cases.
 */
final class JvmSession implements Session {
    private final Transport transport;
    private final Options options;
    private final PrintStream progress;
    private final Path dir;
    private final Jvm server;
    private final Jvm client;
    private String broken;

    private JvmSession(Transport transport, Options options, PrintStream progress, Path dir, Jvm server, Jvm client,
            String broken) {
        this.transport = transport;
        this.options = options;
        this.progress = progress;
        this.dir = dir;
        this.server = server;
        this.client = client;
        this.broken = broken;
    }

    static JvmSession start(Transport transport, Options options, String[] args, PrintStream progress) {
        Path dir = null;
        Jvm server = null;
        Jvm client = null;
        String broken = null;
        try {
            dir = Files.createTempDirectory("shunt-bench-");
            List<String> jvm = transport.jvmArguments(options);
            server = Jvm.start(jvm, BenchServer.class, List.of(transport.id, dir.toString()));
            String address = server.awaitLine("READY ");
            List<String> clientArgs = new ArrayList<>(List.of(transport.id, address,
                    dir.resolve(ShuntBench.CONTROL_SOCKET).toString()));
            clientArgs.addAll(List.of(args));
            client = Jvm.start(jvm, BenchClient.class, clientArgs);
        } catch (IOException | RuntimeException e) {
            broken = "could not start the JVMs: " + e.getMessage();
            progress.println("    " + transport.id + " failed: " + e);
        }
        return new JvmSession(transport, options, progress, dir, server, client, broken);
    }

    @Override
    public Result run(Case kase) {
        if (broken == null) {
            try {
                Result result = ask(kase);
                if (result != null) {
                    return result;
                }
                broken = "the client JVM exited with status " + client.process().waitFor()
                        + " (killed after the time limit if 137)";
            } catch (IOException e) {
                broken = "the client JVM did not report: " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                broken = "interrupted";
            }
        }
        return Result.failed(transport, kase, broken);
    }

    /** Asks the client for one case; {@code null} when its output ended first. */
    private Result ask(Case kase) throws IOException {
        long limit = options.caseLimitSeconds();
        Watchdog watchdog = new Watchdog(limit, () -> {
            progress.println("    the " + transport.id + " client JVM ran past " + limit + " s; killing it");
            client.kill();
        });
        try {
            client.send(kase.key());
            for (String line; (line = client.readLine()) != null; ) {
                if (Result.isResultLine(line)) {
                    return Result.parse(line, transport, options.cases());
                }
                progress.println(line);
            }
            return null;
        } finally {
            watchdog.cancel();
        }
    }

    @Override
    public void close() {
        try {
            if (client != null) {
                client.closeInput(); // the client exits at the end of its input, and the server with it
                client.process().waitFor(10, TimeUnit.SECONDS);
            }
            if (server != null && !server.process().waitFor(10, TimeUnit.SECONDS)) {
                progress.println("    the " + transport.id + " server JVM did not exit; killing it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (client != null) {
                client.kill();
            }
            if (server != null) {
                server.kill();
            }
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("shunt-bench: could not delete " + dir + ": " + e);
        }
    }
}
