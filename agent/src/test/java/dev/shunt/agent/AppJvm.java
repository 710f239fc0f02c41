package dev.shunt.agent;

import dev.shunt.core.testing.TestProtection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An application's JVM, of a given JDK, with given options and environment and nothing of the test's class path: how
 * the tests of unchanged applications start them, with or without {@code shunt-agent.jar}. Standard output and error
 * go to files in a log directory.
 */
public final class AppJvm implements AutoCloseable {
    private final Process process;
    private final Path out;
    private final Path err;

    private AppJvm(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /** @return the agent jar the build made ({@code shunt.agent.jar}, else {@code ../agent/target/shunt-agent.jar}) */
    public static Path agentJar() {
        return Path.of(System.getProperty("shunt.agent.jar", "../agent/target/shunt-agent.jar")).toAbsolutePath();
    }

    /** @return the JDKs every case runs on: the build's (17) and {@code shunt.test.jdk25} */
    public static List<Path> jdks() {
        return List.of(Path.of(System.getProperty("java.home")), Path.of(System.getProperty("shunt.test.jdk25")));
    }

    /**
     * @param more further options
     * @return {@code -javaagent} with Shunt enabled, and the protection mode under which the fast path runs here
     */
    public static List<String> withAgent(String... more) {
        List<String> options = new ArrayList<>(List.of("-javaagent:" + agentJar(), "-Dshunt.enabled=true",
                "-D" + TestProtection.PROPERTY));
        options.addAll(List.of(more));
        return options;
    }

    /**
     * Starts {@code main}.
     *
     * @param jdk the JDK's home
     * @param jvmOptions options before the main class
     * @param environment added to this process's environment, from which {@code JAVA_TOOL_OPTIONS} and
     *     {@code JDK_JAVA_OPTIONS} are removed
     * @param logs where {@code <name>.out} and {@code <name>.err} go
     */
    public static AppJvm start(Path jdk, List<String> jvmOptions, Map<String, String> environment, String classPath,
            String main, Path logs, String name, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(jdk.resolve("bin/java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath);
        command.add(main);
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().putAll(environment);
        Path out = logs.resolve(name + ".out");
        Path err = logs.resolve(name + ".err");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        return new AppJvm(builder.start(), out, err);
    }

    /**
     * Waits until standard output holds a line starting with {@code prefix}.
     *
     * @return the rest of that line
     */
    public String await(String prefix, long seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
                if (line.startsWith(prefix)) {
                    return line.substring(prefix.length()).trim();
                }
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no '" + prefix + "' line; alive=" + process.isAlive() + "; stdout:\n"
                + Files.readString(out) + "\nstderr:\n" + stderr());
    }

    /** @return the exit code, once the JVM ended */
    public int exit(long seconds) throws InterruptedException, IOException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("still running; stderr:\n" + stderr());
        }
        return process.exitValue();
    }

    /** @return what the JVM wrote to standard error so far */
    public String stderr() throws IOException {
        return Files.readString(err, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
