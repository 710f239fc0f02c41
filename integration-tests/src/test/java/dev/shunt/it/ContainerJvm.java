package dev.shunt.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.utility.DockerImageName;

/**
 * A JVM in its own container (own pid, network, IPC, UTS and mount namespaces, no network at all) running a
 * test main class from this build's class path, with one host directory shared at {@code /sock}. Its output is
 * collected line by line.
 */
final class ContainerJvm implements AutoCloseable {
    private static Path stagedClassPath;
    private static String containerClassPath;

    private final GenericContainer<?> container;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuilder all = new StringBuilder();

    private ContainerJvm(GenericContainer<?> container) {
        this.container = container;
    }

    /**
     * Starts {@code main} in a new container.
     *
     * @param socketDir host directory shared as {@code /sock}
     * @param unconfined run without Docker's default seccomp profile (which refuses {@code pkey_alloc})
     * @param properties {@code key=value} system properties
     */
    static ContainerJvm start(Path socketDir, boolean unconfined, List<String> properties, Class<?> main,
            String... args) throws IOException {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new IllegalStateException("no Docker engine: .ci/run installs and starts one (docker.io)");
        }
        List<String> command = new ArrayList<>(List.of("java", "-Xmx256m", "-XX:+UseSerialGC"));
        for (String p : properties) {
            command.add("-D" + p);
        }
        Path staged = stagedClassPath();
        command.addAll(List.of("-cp", containerClassPath, main.getName()));
        command.addAll(List.of(args));
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(System.getProperty(
                "shunt.it.image", "shunt-jre:17")))
                .withFileSystemBind(staged.toString(), "/app", BindMode.READ_ONLY)
                .withFileSystemBind(socketDir.toString(), "/sock", BindMode.READ_WRITE)
                .withNetworkMode("none")
                .withCommand(command.toArray(new String[0]));
        if (unconfined) {
            container.withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withSecurityOpts(
                    List.of("seccomp=unconfined")));
        }
        ContainerJvm jvm = new ContainerJvm(container);
        container.withLogConsumer(jvm::accept);
        container.start();
        return jvm;
    }

    private void accept(OutputFrame frame) {
        String text = frame.getUtf8StringWithoutLineEnding();
        synchronized (all) {
            all.append(text).append('\n');
        }
        if (frame.getType() == OutputFrame.OutputType.STDOUT) {
            lines.add(text);
        }
    }

    /** Copies this JVM's class path to one directory, jars at its top, class folders under dirs/N/, once. */
    private static synchronized Path stagedClassPath() throws IOException {
        if (stagedClassPath == null) {
            Path root = Files.createTempDirectory("shunt-it-cp");
            StringBuilder cp = new StringBuilder("/app/*");
            int n = 0;
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                Path source = Path.of(entry);
                if (Files.isDirectory(source)) {
                    String name = Integer.toString(n++);
                    Path target = root.resolve("dirs").resolve(name);
                    cp.append(":/app/dirs/").append(name);
                    try (var walk = Files.walk(source)) {
                        for (Path p : (Iterable<Path>) walk::iterator) {
                            Path to = target.resolve(source.relativize(p).toString());
                            if (Files.isDirectory(p)) {
                                Files.createDirectories(to);
                            } else {
                                Files.copy(p, to);
                            }
                        }
                    }
                } else if (Files.isRegularFile(source)) {
                    Files.copy(source, root.resolve((n++) + "-" + source.getFileName()));
                }
            }
            stagedClassPath = root;
            containerClassPath = cp.toString();
        }
        return stagedClassPath;
    }

    /** Waits for the next output line starting with {@code prefix}; returns the rest of it. */
    String expect(String prefix, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new AssertionError("container printed no '" + prefix + "' line in time; output:\n" + output());
            }
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length()).trim();
            }
        }
    }

    String output() {
        synchronized (all) {
            return all.toString();
        }
    }

    @Override
    public void close() {
        container.stop();
    }
}
