package dev.shunt.core.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Checks that the C test programs under {@code src/test/c} build and behave as documented. */
class NativeTestProgramsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern TRY_PKEY_OUTPUT =
            Pattern.compile("pkey_alloc=(-?\\d+) errno=(\\d+)\n");
    private static final int EPERM = 1;

    private Path tempDir;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void createTempDir() throws IOException {
        // Short path on purpose: sun_path holds at most 107 bytes plus the terminating NUL.
        tempDir = Files.createTempDirectory("shunt");
    }

    @AfterEach
    void cleanUp() throws IOException {
        for (Process p : started) {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        if (tempDir != null) {
            try (Stream<Path> paths = Files.walk(tempDir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toArray(Path[]::new)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void compilesAllPrograms() {
        for (String name : List.of("plain_peer", "deny_pkeys", "try_pkey")) {
            Path binary = NativeTestPrograms.path(name);
            assertTrue(binary.isAbsolute(), binary + " is not absolute");
            assertTrue(Files.isRegularFile(binary), binary + " does not exist");
            assertTrue(Files.isExecutable(binary), binary + " is not executable");
            assertEquals(binary, NativeTestPrograms.path(name), "path must be stable");
        }
    }

    @Test
    void denyPkeysMakesPkeyAllocFailWithEperm() throws Exception {
        String tryPkey = NativeTestPrograms.path("try_pkey").toString();
        String denyPkeys = NativeTestPrograms.path("deny_pkeys").toString();

        Result denied = run(denyPkeys, tryPkey);
        assertEquals(0, denied.exitCode, denied.describe());
        long[] deniedOutcome = parseTryPkey(denied);
        assertEquals(-1, deniedOutcome[0], denied.describe());
        assertEquals(EPERM, deniedOutcome[1], "expected EPERM; " + denied.describe());

        // Under a filter of its own (CI's no-keys pass runs the suite under deny_pkeys) every child inherits it.
        assumeFalse(seccompStatus().contains("Seccomp: 2"), "this JVM runs under a seccomp filter ("
                + seccompStatus() + "): what pkey_alloc does outside deny_pkeys cannot be seen from here");
        Result plain = run(tryPkey);
        assertEquals(0, plain.exitCode, plain.describe());
        long[] plainOutcome = parseTryPkey(plain);
        if (cpuHasPku()) {
            assertTrue(plainOutcome[0] >= 0,
                    "CPU advertises pku, so pkey_alloc outside deny_pkeys must succeed; " + plain.describe());
            assertEquals(0, plainOutcome[1], plain.describe());
        } else {
            assertEquals(-1, plainOutcome[0],
                    "CPU lacks pku, so pkey_alloc must fail; " + plain.describe());
            assertTrue(plainOutcome[1] != 0, plain.describe());
        }
    }

    @Test
    void denyPkeysCanLaunchAJvm() throws Exception {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Result result = run(NativeTestPrograms.path("deny_pkeys").toString(), java, "-version");
        assertEquals(0, result.exitCode, result.describe());
    }

    @Test
    void denyPkeysExits127WhenProgramCannotBeExecuted() throws Exception {
        Result result = run(NativeTestPrograms.path("deny_pkeys").toString(),
                tempDir.resolve("no-such-program").toString());
        assertEquals(127, result.exitCode, result.describe());
        assertTrue(result.stderr().contains("no-such-program"), result.describe());
    }

    static Stream<Arguments> protocolStyles() {
        String small = "ping \u0001 pong\tend";
        String large = "0123456789abcdefghijklmnopqrstuvwxyz".repeat(2048); // 73,728 bytes
        return Stream.of(
                Arguments.argumentSet("server speaks first, short message", "HELLO\n", small),
                Arguments.argumentSet("client speaks first, short message", "-", small),
                Arguments.argumentSet("server speaks first, 72 KiB message", "HELLO\n", large),
                Arguments.argumentSet("client speaks first, 72 KiB message", "-", large));
    }

    @ParameterizedTest
    @MethodSource("protocolStyles")
    void plainPeersTalkToEachOther(String greeting, String message) throws Exception {
        String peer = NativeTestPrograms.path("plain_peer").toString();
        Path socket = tempDir.resolve("s.sock");
        Path serverErr = tempDir.resolve("server.err");

        Process server = start(new ProcessBuilder(peer, "serve", socket.toString(), greeting)
                .redirectError(serverErr.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))));
        InputStream serverOut = server.getInputStream();
        String ready = readLine(serverOut, server, serverErr);
        assertEquals("READY", ready, "server's first stdout line; stderr: " + read(serverErr));

        byte[] greetingBytes = greeting.equals("-")
                ? new byte[0] : greeting.getBytes(StandardCharsets.UTF_8);
        Result client = run(peer, "connect", socket.toString(),
                Integer.toString(greetingBytes.length), message);
        assertEquals(0, client.exitCode,
                client.describe() + "; server stderr: " + read(serverErr));

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        if (greetingBytes.length > 0) {
            expected.write(greetingBytes);
            expected.write('\n');
        }
        expected.write(message.getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(expected.toByteArray(), client.stdout,
                "client stdout; " + client.describe());

        int serverExit = waitFor(server);
        assertEquals(0, serverExit, "server exit status; stderr: " + read(serverErr));
        byte[] rest = serverOut.readAllBytes();
        assertEquals("", new String(rest, StandardCharsets.UTF_8),
                "server printed nothing after READY");
    }

    // ---------------------------------------------------------------------------------------

    private record Result(List<String> command, int exitCode, byte[] stdout, byte[] stderrBytes) {
        String stdoutText() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        String stderr() {
            return new String(stderrBytes, StandardCharsets.UTF_8);
        }

        String describe() {
            return "command " + command + " exited " + exitCode
                    + "; stdout: [" + stdoutText() + "]; stderr: [" + stderr() + "]";
        }
    }

    private Process start(ProcessBuilder builder) throws IOException {
        Process process = builder.start();
        started.add(process);
        return process;
    }

    /** Runs a command to completion within {@link #TIMEOUT}, capturing stdout and stderr. */
    private Result run(String... command) throws IOException, InterruptedException {
        String id = Long.toString(System.nanoTime());
        Path out = tempDir.resolve("out-" + id);
        Path err = tempDir.resolve("err-" + id);
        Process process = start(new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))));
        int exit = waitFor(process);
        return new Result(Arrays.asList(command), exit, Files.readAllBytes(out),
                Files.readAllBytes(err));
    }

    private static int waitFor(Process process) throws InterruptedException {
        if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            fail("process " + process.info().commandLine().orElse("pid " + process.pid())
                    + " did not finish within " + TIMEOUT);
        }
        return process.exitValue();
    }

    /**
     * Reads one '\n'-terminated line (without the terminator) from a process's stdout, giving up
     * after {@link #TIMEOUT}. Reads byte by byte so nothing after the line is consumed.
     */
    private static String readLine(InputStream in, Process process, Path stderr)
            throws InterruptedException {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            try {
                int b;
                while ((b = in.read()) != -1 && b != '\n') {
                    buf.write(b);
                }
                if (b == -1) {
                    return "<EOF after '" + buf.toString(StandardCharsets.UTF_8) + "'>";
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return buf.toString(StandardCharsets.UTF_8);
        }, runnable -> {
            Thread t = new Thread(runnable, "native-test-line-reader");
            t.setDaemon(true);
            t.start();
        });
        try {
            return line.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            process.destroyForcibly();
            return fail("no line on stdout within " + TIMEOUT + "; stderr: " + read(stderr));
        } catch (ExecutionException e) {
            process.destroyForcibly();
            return fail("reading stdout failed; stderr: " + read(stderr), e.getCause());
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file)
                    ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static long[] parseTryPkey(Result result) {
        Matcher m = TRY_PKEY_OUTPUT.matcher(result.stdoutText());
        if (!m.matches()) {
            fail("unexpected try_pkey output; " + result.describe());
        }
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    private static boolean cpuHasPku() throws IOException {
        for (String line : Files.readAllLines(Paths.get("/proc/cpuinfo"))) {
            if (line.startsWith("flags")) {
                int colon = line.indexOf(':');
                String flags = colon >= 0 ? line.substring(colon + 1) : line;
                return Arrays.asList(flags.trim().split("\\s+")).contains("pku");
            }
        }
        return false;
    }

    private static String seccompStatus() {
        try {
            return Files.readAllLines(Paths.get("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("Seccomp"))
                    .map(l -> l.replace('\t', ' '))
                    .reduce((a, b) -> a + ", " + b)
                    .orElse("no Seccomp line in /proc/self/status");
        } catch (IOException e) {
            return "/proc/self/status unreadable: " + e;
        }
    }
}
