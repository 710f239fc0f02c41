package dev.shunt.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.TestProtection;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
    private static final String JDK_PROVIDER = "sun.nio.ch.EPollSelectorProvider";
    private static final String SHUNT_PROVIDER = "dev.shunt.agent.shaded.jdk.ShuntSelectorProvider";
    private static final String FAST = "provider=" + SHUNT_PROVIDER + " crc=ok opened=1";
    private static final String BYTES = String.valueOf(8 << 20);

    @TempDir
    static Path app;

    @TempDir
    Path dir;

    @BeforeAll
    static void compileTheApplication() throws IOException {
        PlainApp.compile(app);
    }

    static List<Path> jdks() {
        return AppJvm.jdks();
    }

    /** The agent and the protection mode, with {@code shunt.enabled} only as given. */
    private static List<String> agent(String... more) {
        List<String> options = new ArrayList<>(List.of("-javaagent:" + AppJvm.agentJar(),
                "-D" + TestProtection.PROPERTY));
        options.addAll(List.of(more));
        return options;
    }

    private static List<String> enabledAgent() {
        return agent("-Dshunt.enabled=true");
    }

    private AppJvm run(Path jdk, List<String> options, Map<String, String> env, String name, String... args)
            throws IOException {
        return AppJvm.start(jdk, options, env, app.toString(), PlainApp.MAIN, dir, name, args);
    }

    private AppJvm server(Path jdk, List<String> options, Map<String, String> env) throws Exception {
        AppJvm server = run(jdk, options, env, "server", "server", dir.resolve("echo").toString());
        server.await("READY", 30);
        return server;
    }

    private AppJvm client(Path jdk, List<String> options, Map<String, String> env) throws IOException {
        return run(jdk, options, env, "client", "client", dir.resolve("echo").toString(), BYTES);
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void bothSidesWithTheAgentTakeTheFastPath(Path jdk) throws Exception {
        try (AppJvm server = server(jdk, enabledAgent(), Map.of());
                AppJvm client = client(jdk, enabledAgent(), Map.of())) {
            assertEquals(FAST, client.await("REPORT", 60));
            assertEquals(FAST, server.await("REPORT", 30));
            assertEquals(0, client.exit(10));
            assertEquals(0, server.exit(10));
        }
    }

    /** JDK 24 and later warn of a restricted method (jffi's {@code System.load}) unless the agent granted access. */
    @Test
    void onJdk25TheJvmPrintsNoNativeAccessWarning() throws Exception {
        Path jdk = Path.of(System.getProperty("shunt.test.jdk25"));
        try (AppJvm server = server(jdk, enabledAgent(), Map.of());
                AppJvm client = client(jdk, enabledAgent(), Map.of())) {
            assertEquals(FAST, client.await("REPORT", 60));
            assertEquals(FAST, server.await("REPORT", 30));
            assertEquals(0, client.exit(10));
            assertEquals(0, server.exit(10));
            // The JVM's "WARNING: A restricted method in java.lang.System has been called"; Shunt's own lines are INFO.
            assertFalse(client.stderr().contains("WARNING"), client.stderr());
            assertFalse(server.stderr().contains("WARNING"), server.stderr());
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void theAgentInJavaToolOptionsIsTheSame(Path jdk) throws Exception {
        Map<String, String> env = Map.of("JAVA_TOOL_OPTIONS", String.join(" ", enabledAgent()));
        try (AppJvm server = server(jdk, List.of(), env); AppJvm client = client(jdk, List.of(), env)) {
            assertEquals(FAST, client.await("REPORT", 60));
            assertEquals(FAST, server.await("REPORT", 30));
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void aClientWithoutTheAgentKeepsBothOnTheKernelSocket(Path jdk) throws Exception {
        try (AppJvm server = server(jdk, enabledAgent(), Map.of());
                AppJvm client = client(jdk, List.of(), Map.of())) {
            assertEquals("provider=" + JDK_PROVIDER + " crc=ok opened=none", client.await("REPORT", 60));
            assertEquals("provider=" + SHUNT_PROVIDER + " crc=ok opened=0", server.await("REPORT", 30));
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void aServerWithoutTheAgentKeepsBothOnTheKernelSocket(Path jdk) throws Exception {
        try (AppJvm server = server(jdk, List.of(), Map.of());
                AppJvm client = client(jdk, enabledAgent(), Map.of())) {
            assertEquals("provider=" + SHUNT_PROVIDER + " crc=ok opened=0", client.await("REPORT", 60));
            assertEquals("provider=" + JDK_PROVIDER + " crc=ok opened=none", server.await("REPORT", 30));
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void withoutShuntEnabledTheAgentLeavesTheJvmAsItWas(Path jdk) throws Exception {
        try (AppJvm server = server(jdk, agent(), Map.of());
                AppJvm client = client(jdk, agent("-Dshunt.enabled=false"), Map.of())) {
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
        try (AppJvm server = server(jdk, agent("-Dshunt.enabled=true", "-Dshunt.ringBytes=3"), Map.of());
                AppJvm client = client(jdk, enabledAgent(), Map.of())) {
            assertEquals("provider=" + SHUNT_PROVIDER + " crc=ok opened=0", client.await("REPORT", 60));
            assertEquals("provider=" + JDK_PROVIDER + " crc=ok opened=none", server.await("REPORT", 30));
            assertTrue(server.stderr().contains("shunt-agent: Shunt stays off: a shunt.* property is malformed"),
                    server.stderr());
        }
    }

    /** Shunt's modules and their dependencies, as an application would carry them; not this module's own classes. */
    private static String shuntClassPath() {
        return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !Path.of(entry).startsWith(Path.of("target").toAbsolutePath()))
                .collect(Collectors.joining(File.pathSeparator));
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void besideAnApplicationThatCarriesShuntsClassesItself(Path jdk) throws Exception {
        String shunt = shuntClassPath();
        Path carrying = PlainApp.compile(dir.resolve("carrying"), shunt, "AppCarryingShunt");
        try (AppJvm server = AppJvm.start(jdk, enabledAgent(), Map.of(), carrying + File.pathSeparator + shunt,
                "AppCarryingShunt", dir, "server", "server", dir.resolve("echo").toString())) {
            assertEquals("dev.shunt.core.ShuntConfig true", server.await("OWN", 30));
            server.await("READY", 30);
            try (AppJvm client = client(jdk, enabledAgent(), Map.of())) {
                assertEquals(FAST, client.await("REPORT", 60));
            }
            assertEquals(FAST, server.await("REPORT", 30));
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void theMBeanCountsTheAgentsCopyAndTheApplicationsTogether(Path jdk) throws Exception {
        String shunt = shuntClassPath();
        Path twoShunts = PlainApp.compile(dir.resolve("two"), shunt, "AppWithTwoShunts");
        try (AppJvm app = AppJvm.start(jdk, enabledAgent(), Map.of(), twoShunts + File.pathSeparator + shunt,
                "AppWithTwoShunts", dir, "app", dir.toString())) {
            assertEquals("total=4 {dev.shunt.agent.shaded.core=2, dev.shunt.core=2}", app.await("REPORT", 60));
            assertEquals(0, app.exit(10));
        }
    }
}
