package dev.shunt.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * The application of the agent's tests, {@code src/test/plain/PlainUnixEcho.java}, compiled with an empty class path
 * (it cannot depend on Shunt), and run in JVMs of a given JDK with the given options and environment.
 */
final class PlainApp {
    static final String MAIN = "PlainUnixEcho";

    private PlainApp() {
    }

    /** @return a directory holding the compiled application and nothing else */
    static Path compile(Path into) throws IOException {
        return compile(into, "", MAIN);
    }

    /**
     * Compiles {@code src/test/plain/<name>.java} files.
     *
     * @param classPath what they compile against
     * @return the directory
     */
    static Path compile(Path into, String classPath, String... names) throws IOException {
        List<String> args = new ArrayList<>(List.of("--release", "17", "-classpath", classPath, "-sourcepath",
                "src/test/plain", "-d", into.toString()));
        for (String name : names) {
            args.add(Path.of("src/test/plain", name + ".java").toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int status = javac.run(null, null, null, args.toArray(new String[0]));
        if (status != 0) {
            throw new IOException("javac failed with " + status);
        }
        return into;
    }

    /** A running application; its standard output and error go to files. */
    static final class Run implements AutoCloseable {
        private final Process process;
        private final Path out;
        private final Path err;

        private Run(Process process, Path out, Path err) {
            this.process = process;
            this.out = out;
            this.err = err;
        }

        /**
         * @param java the JDK's home
         * @param jvmOptions options before the main class
         * @param environment added to this process's environment
         */
        static Run start(Path java, List<String> jvmOptions, Map<String, String> environment, Path classes,
                Path logs, String name, String... args) throws IOException {
            return start(java, jvmOptions, environment, classes.toString(), MAIN, logs, name, args);
        }

        /** Starts {@code main} with the given class path. */
        static Run start(Path java, List<String> jvmOptions, Map<String, String> environment, String classPath,
                String main, Path logs, String name, String... args) throws IOException {
            List<String> command = new ArrayList<>();
            command.add(java.resolve("bin/java").toString());
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
            return new Run(builder.start(), out, err);
        }

        /** Waits until standard output holds a line starting with {@code prefix}; @return the rest of it */
        String await(String prefix, long seconds) throws IOException, InterruptedException {
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

        /** Waits for the exit; @return the exit code */
        int exit(long seconds) throws InterruptedException, IOException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                throw new AssertionError("still running; stderr:\n" + stderr());
            }
            return process.exitValue();
        }

        String stderr() throws IOException {
            return Files.readString(err, StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }
}
