package dev.shunt.core.testing;

import dev.shunt.core.ShuntConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM running a test main class with this JVM's test class path, optionally behind a launcher
 * (such as {@code deny_pkeys}). Its standard output is collected line by line; standard error is kept for
 * failure messages. Unless the given properties set {@code shunt.mpk}, the child gets {@link TestProtection#PROPERTY},
 * so a child started with {@code shunt.enabled=true} runs the fast path on machines with and without protection keys.
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuilder stderr = new StringBuilder();
    private final Thread outReader;
    private final Thread errReader;

    private ChildJvm(Process process) {
        this.process = process;
        outReader = new Thread(() -> pump(new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)), null), "child-stdout");
        errReader = new Thread(() -> pump(new BufferedReader(new InputStreamReader(process.getErrorStream(),
                StandardCharsets.UTF_8)), stderr), "child-stderr");
        outReader.setDaemon(true);
        errReader.setDaemon(true);
        outReader.start();
        errReader.start();
    }

    private void pump(BufferedReader reader, StringBuilder sink) {
        try (reader) {
            for (String line; (line = reader.readLine()) != null; ) {
                if (sink == null) {
                    lines.add(line);
                } else {
                    synchronized (sink) {
                        sink.append(line).append('\n');
                    }
                }
            }
        } catch (IOException e) {
            // The child died or was killed: nothing more to read.
        }
    }

    /**
     * Starts {@code main} in a new JVM.
     *
     * @param launcher programs to put in front of {@code java} (may be empty)
     * @param properties {@code key=value} system properties
     * @param main the class to run
     * @param args its arguments
     */
    public static ChildJvm start(List<String> launcher, List<String> properties, Class<?> main, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(launcher);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:ErrorFile=" + errorReport(0).toString().replace("_0.log", "_%p.log"));
        for (String p : properties) {
            command.add("-D" + p);
        }
        if (properties.stream().noneMatch(p -> p.startsWith(ShuntConfig.MPK + "="))) {
            command.add("-D" + TestProtection.PROPERTY);
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        return new ChildJvm(new ProcessBuilder(command).start());
    }

    /** Starts {@code main} in a new JVM with Shunt system properties. */
    public static ChildJvm start(List<String> properties, Class<?> main, String... args) throws IOException {
        return start(List.of(), properties, main, args);
    }

    /**
     * Waits for the next output line that starts with {@code prefix}, skipping others.
     *
     * @return the line without the prefix
     */
    public String expect(String prefix, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new AssertionError("child printed no '" + prefix + "' line in time; alive="
                        + process.isAlive() + "; stderr:\n" + stderr() + "\nthreads:\n" + threadDump());
            }
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length()).trim();
            }
        }
    }

    /** @return the live child's threads ({@code jcmd Thread.print}), so that a hang says where it waits */
    private String threadDump() throws InterruptedException {
        if (!process.isAlive()) {
            return "(exited)";
        }
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process dump = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "Thread.print")
                    .redirectErrorStream(true).start();
            String text = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            dump.waitFor(30, TimeUnit.SECONDS);
            return text;
        } catch (IOException e) {
            return "(" + jcmd + " failed: " + e + ")";
        }
    }

    /** Waits for the child to exit. @return its exit code */
    public int waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        if (!process.waitFor(timeout, unit)) {
            process.destroyForcibly();
            throw new AssertionError("child did not exit in time; stderr:\n" + stderr());
        }
        errReader.join(TimeUnit.SECONDS.toMillis(5));
        return process.exitValue();
    }

    /** @return where the JVM of process {@code pid} writes its crash report */
    public static Path errorReport(long pid) {
        return Path.of(System.getProperty("java.io.tmpdir"), "shunt_hs_err_" + pid + ".log");
    }

    /** @return the child's process id */
    public long pid() {
        return process.pid();
    }

    /** Sends SIGKILL. */
    public void kill() {
        process.destroyForcibly();
    }

    /** @return what the child wrote to standard error so far */
    public String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    /**
     * Kills the child and returns once its pipes are closed in this JVM (the readers close them at end of stream,
     * bounded to 10 s each), so that a test counting this process's descriptors sees neither the child's pipes nor
     * an earlier child's closing under it.
     */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            outReader.join(10_000);
            errReader.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // Its descriptor is released either way.
        }
    }
}
