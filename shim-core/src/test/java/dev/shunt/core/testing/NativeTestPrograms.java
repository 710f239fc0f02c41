package dev.shunt.core.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Builds and locates the small C programs under {@code src/test/c/} that the tests use as real,
 * non-Java peers and launchers (for example {@code plain_peer}, a Unix-socket peer that knows
 * nothing about Shunt, and {@code deny_pkeys}, which runs a program under a seccomp filter that
 * refuses {@code pkey_alloc} with {@code EPERM}, as Docker's default profile does).
 *
 * <p>{@link #path(String)} compiles {@code src/test/c/<name>.c} with
 * {@code gcc -O2 -Wall -Werror -o target/test-bin/<name> <source>} the first time a program is
 * asked for in a JVM, and only if the binary is missing or older than its source. Later calls in
 * the same JVM return the cached path. The class is thread-safe, and concurrent JVMs (parallel
 * Surefire forks, several modules) are safe too: each compilation writes a private temporary file
 * that is atomically renamed onto the final binary.
 *
 * <p>The module directory (the one containing {@code src/test/c}) is found as follows:
 *
 * <ol>
 *   <li>the system property {@value #MODULE_DIR_PROPERTY}, if set (it must then contain
 *       {@code src/test/c});
 *   <li>otherwise the working directory, which is the module directory when Maven runs the tests;
 *   <li>otherwise {@code ../shim-core} or {@code ./shim-core} relative to the working directory,
 *       so that other modules using this class from the shim-core test-jar, and runs started from
 *       the repository root, still find the sources.
 * </ol>
 *
 * Binaries are written to {@code target/test-bin/} inside that module directory. The compiler
 * command defaults to {@code gcc} and can be overridden with the system property
 * {@value #CC_PROPERTY}.
 */
public final class NativeTestPrograms {

    /** System property naming the directory that contains {@code src/test/c}. */
    public static final String MODULE_DIR_PROPERTY = "shunt.test.moduleDir";

    /** System property naming the C compiler to run instead of {@code gcc}. */
    public static final String CC_PROPERTY = "shunt.test.cc";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");
    private static final long COMPILE_TIMEOUT_SECONDS = 120;
    private static final AtomicLong TEMP_COUNTER = new AtomicLong();

    private static final Object LOCK = new Object();
    private static final Map<String, Path> BUILT = new HashMap<>();

    private NativeTestPrograms() {}

    /**
     * Returns the absolute path of the executable built from {@code src/test/c/<name>.c},
     * compiling it first if needed.
     *
     * @param name the program name, without directory or {@code .c} suffix (e.g. {@code
     *     "plain_peer"})
     * @return the absolute path of the executable
     * @throws IllegalArgumentException if the name is malformed
     * @throws IllegalStateException if the source cannot be found, or the compiler cannot be run,
     *     fails (the message contains its output) or times out
     */
    public static Path path(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.endsWith(".c")) {
            throw new IllegalArgumentException("bad native test program name: " + name);
        }
        synchronized (LOCK) {
            Path cached = BUILT.get(name);
            if (cached != null) {
                return cached;
            }
            Path built = build(name);
            BUILT.put(name, built);
            return built;
        }
    }

    /**
     * Returns the module directory that holds {@code src/test/c}, resolved as described in the
     * class documentation.
     *
     * @return the absolute, normalized module directory
     * @throws IllegalStateException if no candidate directory contains {@code src/test/c}
     */
    public static Path moduleDir() {
        String override = System.getProperty(MODULE_DIR_PROPERTY);
        if (override != null && !override.isBlank()) {
            Path dir = Paths.get(override).toAbsolutePath().normalize();
            if (!Files.isDirectory(sourceDir(dir))) {
                throw new IllegalStateException(
                        "-D" + MODULE_DIR_PROPERTY + "=" + override + " has no src/test/c directory ("
                                + sourceDir(dir) + ")");
            }
            return dir;
        }
        Path cwd = Paths.get(System.getProperty("user.dir")).toAbsolutePath().normalize();
        List<Path> candidates =
                List.of(cwd, cwd.resolveSibling("shim-core"), cwd.resolve("shim-core"));
        for (Path candidate : candidates) {
            if (Files.isDirectory(sourceDir(candidate))) {
                return candidate.normalize();
            }
        }
        throw new IllegalStateException(
                "cannot find src/test/c for the native test programs; looked in " + candidates
                        + "; set -D" + MODULE_DIR_PROPERTY + "=<shim-core module directory>");
    }

    private static Path sourceDir(Path moduleDir) {
        return moduleDir.resolve("src").resolve("test").resolve("c");
    }

    private static Path build(String name) {
        Path moduleDir = moduleDir();
        Path source = sourceDir(moduleDir).resolve(name + ".c");
        if (!Files.isRegularFile(source)) {
            throw new IllegalStateException("no such native test program source: " + source);
        }
        Path binDir = moduleDir.resolve("target").resolve("test-bin");
        Path binary = binDir.resolve(name);
        try {
            if (isUpToDate(binary, source)) {
                return binary;
            }
            Files.createDirectories(binDir);
            compile(source, binary);
            return binary;
        } catch (IOException e) {
            throw new IllegalStateException("cannot build native test program " + name + " from "
                    + source + ": " + e, e);
        }
    }

    private static boolean isUpToDate(Path binary, Path source) throws IOException {
        return Files.isRegularFile(binary)
                && Files.isExecutable(binary)
                && Files.getLastModifiedTime(binary).compareTo(Files.getLastModifiedTime(source)) >= 0;
    }

    private static void compile(Path source, Path binary) throws IOException {
        String unique = ProcessHandle.current().pid() + "-" + TEMP_COUNTER.incrementAndGet();
        Path tmpBinary = binary.resolveSibling("." + binary.getFileName() + ".tmp-" + unique);
        Path log = binary.resolveSibling("." + binary.getFileName() + ".log-" + unique);
        String cc = System.getProperty(CC_PROPERTY, "gcc");
        List<String> command = List.of(
                cc, "-O2", "-Wall", "-Werror", "-o", tmpBinary.toString(), source.toString());
        try {
            Process process;
            try {
                process = new ProcessBuilder(command)
                        .directory(source.getParent().toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .start();
            } catch (IOException e) {
                throw new IllegalStateException(
                        "cannot run the C compiler (" + String.join(" ", command) + "): " + e, e);
            }
            boolean finished;
            try {
                finished = process.waitFor(COMPILE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while compiling " + source, e);
            }
            if (!finished) {
                process.destroyForcibly();
                throw new IllegalStateException("C compiler did not finish within "
                        + COMPILE_TIMEOUT_SECONDS + " s: " + String.join(" ", command)
                        + "\n" + readLog(log));
            }
            int exit = process.exitValue();
            if (exit != 0 || !Files.isRegularFile(tmpBinary)) {
                throw new IllegalStateException("compiling native test program failed (exit " + exit
                        + "): " + String.join(" ", command) + "\n" + readLog(log));
            }
            try {
                Files.move(tmpBinary, binary,
                        StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmpBinary, binary, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmpBinary);
            Files.deleteIfExists(log);
        }
    }

    private static String readLog(Path log) {
        try {
            String text = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
            return text.isEmpty() ? "(no compiler output)" : text;
        } catch (IOException | RuntimeException e) {
            return "(compiler output unavailable: " + e + ")";
        }
    }
}
