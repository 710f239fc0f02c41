package dev.shunt.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts the benchmark's other JVMs: the same java and class path as this one, stderr shared with it. */
final class Jvm {
    private final Process process;
    private final BufferedReader stdout;
    private final Writer stdin;

    private Jvm(Process process) {
        this.process = process;
        this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    static Jvm start(List<String> jvmArguments, Class<?> main, List<String> arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArguments);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(arguments);
        return new Jvm(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
    }

    Process process() {
        return process;
    }

    /** Writes a line to its stdin. */
    void send(String line) throws IOException {
        stdin.write(line);
        stdin.write('\n');
        stdin.flush();
    }

    /** Ends its stdin. */
    void closeInput() {
        try {
            stdin.close();
        } catch (IOException e) {
            // it has exited already
        }
    }

    /** The next line on its stdout, {@code null} at its end. */
    String readLine() throws IOException {
        return stdout.readLine();
    }

    /**
     * Reads stdout up to the line that starts with {@code prefix}, passing other lines on to stderr.
     *
     * @return that line without the prefix
     * @throws IOException when stdout ends first
     */
    String awaitLine(String prefix) throws IOException {
        for (String line; (line = stdout.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length());
            }
            System.err.println(line);
        }
        throw new IOException("the JVM exited (status " + exitStatus() + ") before it printed " + prefix.trim());
    }

    private String exitStatus() {
        try {
            return Integer.toString(process.waitFor());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    /** Kills it (and does not wait): used on the way out, whatever happened. */
    void kill() {
        process.destroyForcibly();
    }
}
