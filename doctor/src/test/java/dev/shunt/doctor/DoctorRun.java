package dev.shunt.doctor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.File;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One run of the built {@code shunt-doctor.jar} in a JVM of its own, behind an optional launcher, with what it
 * printed and its exit code.
 *
 * @param exitCode the process's exit code
 * @param stdout what it wrote to standard output
 * @param stderr what it wrote to standard error
 */
record DoctorRun(int exitCode, String stdout, String stderr) {
    private static final Path JAR = Path.of(System.getProperty("shunt.doctor.jar", "target/shunt-doctor.jar"));

    /** Runs {@code java -jar shunt-doctor.jar args} behind {@code launcher} (may be empty). */
    static DoctorRun run(List<String> launcher, String... args) throws IOException, InterruptedException {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: the tests run after the shade in package");
        List<String> command = new ArrayList<>(launcher);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-Xmx64m", "-XX:+UseSerialGC", "-jar", JAR.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        return start(command);
    }

    /** Runs {@code bin/shunt-doctor args} (which finds the jar this build made) on this test's JDK. */
    static DoctorRun script(Path script, String... args) throws IOException, InterruptedException {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: the tests run after the shade in package");
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        return start(command);
    }

    private static DoctorRun start(List<String> command) throws IOException, InterruptedException {
        File out = File.createTempFile("shunt-doctor", ".out");
        File err = File.createTempFile("shunt-doctor", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out).redirectError(err)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
            Process process = builder.start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("shunt-doctor did not finish: " + command);
            }
            return new DoctorRun(process.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
                    Files.readString(err.toPath(), StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out.toPath());
            Files.deleteIfExists(err.toPath());
        }
    }

    /** Runs it with {@code --json} first and parses what it printed, which must be exactly one JSON object. */
    static DoctorRun json(List<String> launcher, String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("--json"));
        all.addAll(List.of(args));
        return run(launcher, all.toArray(new String[0]));
    }

    /**
     * Parses a JSON text by RFC 8259 to the letter (Gson's {@link Strictness#STRICT}: no unescaped control character,
     * no unknown escape), which must be one object and nothing after it.
     */
    static JsonObject parseStrictly(String text) {
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            reader.setStrictness(Strictness.STRICT);
            JsonElement parsed = JsonParser.parseReader(reader);
            assertTrue(parsed.isJsonObject(), text);
            assertTrue(reader.peek() == JsonToken.END_DOCUMENT, "more after the object: " + text);
            return parsed.getAsJsonObject();
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /** @return standard output parsed as a single JSON object */
    JsonObject report() {
        JsonObject parsed = parseStrictly(stdout);
        assertTrue(stdout.endsWith("}\n") && stdout.indexOf('\n') == stdout.length() - 1, "one line: " + stdout);
        return parsed;
    }

    /** @return the string at a dotted path of the JSON report, or null for JSON null */
    String get(String path) {
        JsonElement element = element(path);
        return element.isJsonNull() ? null : element.getAsString();
    }

    /** @return the JSON element at a dotted path of the report */
    JsonElement element(String path) {
        JsonElement element = report();
        for (String name : path.split("\\.")) {
            JsonObject object = element.getAsJsonObject();
            assertTrue(object.has(name), "no " + name + " in " + path + ": " + stdout);
            element = object.get(name);
        }
        return element;
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n" + stdout + stderr;
    }
}
