package dev.shunt.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.TestProtection;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code -javaagent:shunt-agent.jar} with an application compiled without Shunt ({@code PlainUnixEcho}): both sides
 * with the agent take the fast path, as the {@code dev.shunt:type=Shunt} MBean says on each side; a side without it
 * keeps both on the kernel socket; without {@code shunt.enabled=true} the agent leaves the JVM as it was. Every case
 * runs on JDK 17 and JDK 25.
 */
class ShuntAgentTest {
    private static final Path AGENT = Path.of(System.getProperty("shunt.agent.jar"));
    private static final String JDK_PROVIDER = "sun.nio.ch.EPollSelectorProvider";
    private static final String SHUNT_PROVIDER = "dev.shunt.agent.shaded.jdk.ShuntSelectorProvider";
    private static final String BYTES = String.valueOf(8 << 20);

    @TempDir
    static Path app;

    @TempDir
    Path dir;

    @BeforeAll
    static void compileTheApplication() throws IOException {
        PlainApp.compile(app);
    }

    static Stream<Path> jdks() {
        return Stream.of(Path.of(System.getProperty("java.home")), Path.of(System.getProperty("shunt.test.jdk25")));
    }

    private static List<String> withAgent(String... more) {
        List<String> options = new ArrayList<>(List.of("-javaagent:" + AGENT, "-D" + TestProtection.PROPERTY));
        options.addAll(List.of(more));
        return options;
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void bothSidesWithTheAgentTakeTheFastPath(Path jdk) throws Exception {
        Path socket = dir.resolve("echo");
        try (PlainApp.Run server = PlainApp.Run.start(jdk, withAgent("-Dshunt.enabled=true"), Map.of(), app, dir,
                "server", "server", socket.toString())) {
            server.await("READY", 30);
            try (PlainApp.Run client = PlainApp.Run.start(jdk, withAgent("-Dshunt.enabled=true"), Map.of(), app,
                    dir, "client", "client", socket.toString(), BYTES)) {
                assertEquals("provider=" + SHUNT_PROVIDER + " crc=ok opened=1", client.await("REPORT", 60));
                assertEquals(0, client.exit(10));
            }
            assertEquals("provider=" + SHUNT_PROVIDER + " crc=ok opened=1", server.await("REPORT", 30));
            assertEquals(0, server.exit(10));
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void theAgentInJavaToolOptionsIsTheSame(Path jdk) throws Exception {
        Path socket = dir.resolve("echo");
        Map<String, String> env = Map.of("JAVA_TOOL_OPTIONS", String.join(" ", withAgent("-Dshunt.enabled=true")));
        try (PlainApp.Run server = PlainApp.Run.start(jdk, List.of(), env, app, dir, "server", "server",
                socket.toString());
                PlainApp.Run client = startClientWhenReady(server, jdk, List.of(), env, socket)) {
            assertEquals("provider=" + SHUNT_PROVIDER + " crc=ok opened=1", client.await("REPORT", 60));
            assertEquals("provider=" + SHUNT_PROVIDER + " crc=ok opened=1", server.await("REPORT", 30));
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void aClientWithoutTheAgentKeepsBothOnTheKernelSocket(Path jdk) throws Exception {
        Path socket = dir.resolve("echo");
        try (PlainApp.Run server = PlainApp.Run.start(jdk, withAgent("-Dshunt.enabled=true"), Map.of(), app, dir,
                "server", "server", socket.toString());
                PlainApp.Run client = startClientWhenReady(server, jdk, List.of(), Map.of(), socket)) {
            assertEquals("provider=" + JDK_PROVIDER + " crc=ok opened=none", client.await("REPORT", 60));
            assertEquals("provider=" + SHUNT_PROVIDER + " crc=ok opened=0", server.await("REPORT", 30));
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void aServerWithoutTheAgentKeepsBothOnTheKernelSocket(Path jdk) throws Exception {
        Path socket = dir.resolve("echo");
        try (PlainApp.Run server = PlainApp.Run.start(jdk, List.of(), Map.of(), app, dir, "server", "server",
                socket.toString());
                PlainApp.Run client = startClientWhenReady(server, jdk, withAgent("-Dshunt.enabled=true"), Map.of(),
                        socket)) {
            assertEquals("provider=" + SHUNT_PROVIDER + " crc=ok opened=0", client.await("REPORT", 60));
            assertEquals("provider=" + JDK_PROVIDER + " crc=ok opened=none", server.await("REPORT", 30));
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void withoutShuntEnabledTheAgentLeavesTheJvmAsItWas(Path jdk) throws Exception {
        Path socket = dir.resolve("echo");
        try (PlainApp.Run server = PlainApp.Run.start(jdk, withAgent(), Map.of(), app, dir, "server", "server",
                socket.toString());
                PlainApp.Run client = startClientWhenReady(server, jdk, withAgent("-Dshunt.enabled=false"), Map.of(),
                        socket)) {
            assertEquals("provider=" + JDK_PROVIDER + " crc=ok opened=none", client.await("REPORT", 60));
            assertEquals("provider=" + JDK_PROVIDER + " crc=ok opened=none", server.await("REPORT", 30));
            assertEquals(0, client.exit(10));
            assertEquals(0, server.exit(10));
            assertEquals("", client.stderr());
            assertEquals("", server.stderr());
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void aMalformedPropertyLeavesShuntOffAndSaysSo(Path jdk) throws Exception {
        Path socket = dir.resolve("echo");
        try (PlainApp.Run server = PlainApp.Run.start(jdk, withAgent("-Dshunt.enabled=true", "-Dshunt.ringBytes=3"),
                Map.of(), app, dir, "server", "server", socket.toString());
                PlainApp.Run client = startClientWhenReady(server, jdk, withAgent("-Dshunt.enabled=true"), Map.of(),
                        socket)) {
            assertEquals("provider=" + SHUNT_PROVIDER + " crc=ok opened=0", client.await("REPORT", 60));
            assertEquals("provider=" + JDK_PROVIDER + " crc=ok opened=none", server.await("REPORT", 30));
            assertTrue(server.stderr().contains("shunt-agent: Shunt stays off: a shunt.* property is malformed"),
                    server.stderr());
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void besideAnApplicationThatCarriesShuntsClassesItself(Path jdk) throws Exception {
        // Shunt's modules and their dependencies, as an application would carry them; not this module's own classes.
        String shuntOnTheClassPath = Stream.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(entry -> !Path.of(entry).startsWith(Path.of("target").toAbsolutePath()))
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        Path carrying = PlainApp.compile(dir.resolve("carrying"), shuntOnTheClassPath, "AppCarryingShunt");
        String classPath = carrying + java.io.File.pathSeparator + shuntOnTheClassPath;
        Path socket = dir.resolve("echo");
        try (PlainApp.Run server = PlainApp.Run.start(jdk, withAgent("-Dshunt.enabled=true"), Map.of(), classPath,
                "AppCarryingShunt", dir, "server", "server", socket.toString())) {
            assertEquals("dev.shunt.core.ShuntConfig true", server.await("OWN", 30));
            server.await("READY", 30);
            try (PlainApp.Run client = PlainApp.Run.start(jdk, withAgent("-Dshunt.enabled=true"), Map.of(), app,
                    dir, "client", "client", socket.toString(), BYTES)) {
                assertEquals("provider=" + SHUNT_PROVIDER + " crc=ok opened=1", client.await("REPORT", 60));
            }
            assertEquals("provider=" + SHUNT_PROVIDER + " crc=ok opened=1", server.await("REPORT", 30));
        }
    }

    private PlainApp.Run startClientWhenReady(PlainApp.Run server, Path jdk, List<String> options,
            Map<String, String> env, Path socket) throws Exception {
        server.await("READY", 30);
        return PlainApp.Run.start(jdk, options, env, app, dir, "client", "client", socket.toString(), BYTES);
    }

}
