package dev.shunt.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import apps.JettyApp;
import apps.NettyEchoApp;
import apps.TomcatApp;
import dev.shunt.agent.AppJvm;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Netty, Jetty and Tomcat applications written without Shunt (package {@code apps}), each side in a JVM of its own
 * whose class path holds the framework and nothing of Shunt, started with {@code shunt-agent.jar}: both sides take the
 * fast path (each side's {@code dev.shunt:type=Shunt} MBean counts the connection), the bodies arrive intact, and a
 * side without the agent keeps both on the kernel socket. JDK 17 and 25.
 */
class UnchangedAppsTest {
    private static final String FAST = "opened=[1-9][0-9]*";

    @TempDir
    Path dir;

    static List<Path> jdks() {
        return AppJvm.jdks();
    }

    /** The test class path without Shunt or its dependencies: the frameworks and the applications. */
    static String applicationClassPath() {
        return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> entry.endsWith(".jar") || entry.endsWith("unchanged-apps/target/test-classes"))
                .filter(entry -> !entry.contains("/dev/shunt/") && !entry.contains("/com/github/jnr/")
                        && !entry.contains("/org/ow2/asm/"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private AppJvm start(Path jdk, boolean agent, Class<?> main, String name, String... args) throws Exception {
        return AppJvm.start(jdk, agent ? AppJvm.withAgent() : List.of(), Map.of(), applicationClassPath(),
                main.getName(), dir, name, args);
    }

    private String socket() {
        return dir.resolve("app.sock").toString();
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void nettyNioDomainSocketEchoTakesTheFastPath(Path jdk) throws Exception {
        try (AppJvm server = start(jdk, true, NettyEchoApp.class, "server", "server", socket())) {
            server.await("READY", 30);
            try (AppJvm client = start(jdk, true, NettyEchoApp.class, "client", "client", socket(), "1000",
                    String.valueOf(32 << 20))) {
                assertEquals("opened=1 crc=ok", client.await("REPORT", 120));
            }
            assertEquals("opened=1", server.await("REPORT", 30));
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void nettyClientWithoutTheAgentStaysOnTheKernelSocket(Path jdk) throws Exception {
        try (AppJvm server = start(jdk, true, NettyEchoApp.class, "server", "server", socket())) {
            server.await("READY", 30);
            try (AppJvm client = start(jdk, false, NettyEchoApp.class, "client", "client", socket(), "100",
                    String.valueOf(4 << 20))) {
                assertEquals("opened=none crc=ok", client.await("REPORT", 120));
            }
            assertEquals("opened=0", server.await("REPORT", 30));
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void jettyServerAndClientTakeTheFastPath(Path jdk) throws Exception {
        try (AppJvm server = start(jdk, true, JettyApp.class, "server", "server", socket())) {
            server.await("READY", 60);
            try (AppJvm client = start(jdk, true, JettyApp.class, "client", "client", socket(), "200", "300000")) {
                String report = client.await("REPORT", 120);
                assertTrue(report.matches(FAST + " server " + FAST + " bodies=ok"), report);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void tomcatWithTheJettyClientTakesTheFastPath(Path jdk) throws Exception {
        try (AppJvm server = start(jdk, true, TomcatApp.class, "server", "server", socket())) {
            server.await("READY", 60);
            try (AppJvm client = start(jdk, true, JettyApp.class, "client", "client", socket(), "200", "300000")) {
                String report = client.await("REPORT", 120);
                assertTrue(report.matches(FAST + " server " + FAST + " bodies=ok"), report);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void tomcatWithAClientWithoutTheAgentStaysOnTheKernelSocket(Path jdk) throws Exception {
        try (AppJvm server = start(jdk, true, TomcatApp.class, "server", "server", socket())) {
            server.await("READY", 60);
            try (AppJvm client = start(jdk, false, JettyApp.class, "client", "client", socket(), "50", "300000")) {
                assertEquals("opened=none server opened=0 bodies=ok", client.await("REPORT", 120));
            }
        }
    }
}
