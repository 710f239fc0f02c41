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
 * Measures one transport: starts its server JVM, then its client JVM, relays the client's progress to stderr
 * and collects its results. A case the client did not report (it crashed, or ran past the time limit) counts
 * as failed, and the run goes on with the next transport.
 */
final class TransportRun {
    /** Slack on top of the expected time before the client JVM is killed. */
    private static final long SLACK_SECONDS = 60;

    private TransportRun() {
    }

    static List<Result> measure(Transport transport, Options options, String[] args, PrintStream progress) {
        List<Case> cases = options.cases();
        List<Result> results = new ArrayList<>();
        String failure = "the client JVM did not report it";
        Path dir = null;
        Jvm server = null;
        Jvm client = null;
        try {
            dir = Files.createTempDirectory("shunt-bench-");
            List<String> jvm = transport.jvmArguments(options);
            server = Jvm.start(jvm, BenchServer.class, List.of(transport.id, dir.toString()));
            String address = server.awaitLine("READY ");
            List<String> clientArgs = new ArrayList<>(List.of(transport.id, address,
                    dir.resolve(ShuntBench.CONTROL_SOCKET).toString()));
            clientArgs.addAll(List.of(args));
            client = Jvm.start(jvm, BenchClient.class, clientArgs);
            Thread watchdog = watchdog(client, (long) options.secondsPerTransport() + SLACK_SECONDS, progress);
            for (String line; (line = client.readLine()) != null; ) {
                if (line.startsWith(BenchClient.PROGRESS)) {
                    progress.println("    " + line.substring(BenchClient.PROGRESS.length()));
                } else if (Result.isResultLine(line)) {
                    results.add(Result.parse(line, transport, cases));
                } else {
                    progress.println(line);
                }
            }
            int status = client.process().waitFor();
            watchdog.interrupt();
            if (status != 0) {
                failure = "the client JVM exited with status " + status + " (killed after the time limit if 137)";
            }
            if (!server.process().waitFor(10, TimeUnit.SECONDS)) {
                progress.println("    the server JVM did not exit; killing it");
            }
        } catch (IOException | RuntimeException e) {
            failure = e.getMessage();
            progress.println("    " + transport.id + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted";
        } finally {
            if (client != null) {
                client.kill();
            }
            if (server != null) {
                server.kill();
            }
            deleteTree(dir);
        }
        for (Case kase : cases) {
            if (results.stream().noneMatch(r -> r.kase().equals(kase))) {
                results.add(Result.failed(transport, kase, failure));
            }
        }
        return results;
    }

    private static Thread watchdog(Jvm client, long seconds, PrintStream progress) {
        Thread watchdog = new Thread(() -> {
            try {
                if (!client.process().waitFor(seconds, TimeUnit.SECONDS)) {
                    progress.println("    the client JVM ran past " + seconds + " s; killing it");
                    client.kill();
                }
            } catch (InterruptedException e) {
                // the client finished in time
            }
        }, "shunt-bench-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        return watchdog;
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
