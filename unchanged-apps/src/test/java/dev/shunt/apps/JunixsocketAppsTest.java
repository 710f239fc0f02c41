package dev.shunt.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;

import apps.JunixsocketEchoApp;
import apps.PostgresJunixsocketApp;
import apps.RedisJunixsocketApp;
import dev.shunt.agent.AppJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Applications that use junixsocket directly, written without Shunt (package {@code apps}), each side in a JVM of
 * its own whose class path holds junixsocket (and the PostgreSQL driver) and nothing of Shunt, started with
 * {@code shunt-agent.jar}: an {@code AFUNIXServerSocket} server (made three ways) and a client connecting in the five
 * styles of junixsocket's API (and once more with the socket's channel carrying the bytes) both take the fast path (each side's {@code dev.shunt:type=Shunt} MBean counts every
 * connection), the bytes arrive intact, a descriptor to pass is refused on the fast path (and taken on the kernel
 * socket), and a side without the agent keeps both on the kernel socket. The PostgreSQL
 * JDBC driver through {@code AFUNIXSocketFactory$FactoryArg} and a Redis client made Jedis's way reach real servers,
 * which do not run Shunt: the agent's handshake runs (the MBean exists and counts no fast-path connection) and every
 * row and reply is right. JDK 17 and 25.
 */
class JunixsocketAppsTest {
    private static final String[] STYLES = {"connectTo", "newInstance", "factoryArg", "systemProperty", "uriScheme",
        "channelIO"};
    private static final String FAST = "opened=" + STYLES.length;
    private static final String BYTES = String.valueOf(8 << 20);

    @TempDir
    Path dir;

    static List<Path> jdks() {
        return AppJvm.jdks();
    }

    static Stream<Arguments> jdksAndServerStyles() {
        return jdks().stream().flatMap(jdk -> Stream.of("bindOn", "newInstance", "forceBindOn")
                .map(style -> Arguments.of(jdk, style)));
    }

    private AppJvm start(Path jdk, boolean agent, Class<?> main, String name, String... args) throws Exception {
        return AppJvm.start(jdk, agent ? AppJvm.withAgent() : List.of(), Map.of(),
                UnchangedAppsTest.applicationClassPath(), main.getName(), dir, name, args);
    }

    private AppJvm server(Path jdk, boolean agent, String style) throws Exception {
        AppJvm server = start(jdk, agent, JunixsocketEchoApp.class, "server", "server", socket(), style,
                String.valueOf(STYLES.length));
        server.await("READY", 30);
        return server;
    }

    private AppJvm client(Path jdk, boolean agent) throws Exception {
        String[] args = Stream.concat(Stream.of("client", socket(), BYTES), Stream.of(STYLES)).toArray(String[]::new);
        return start(jdk, agent, JunixsocketEchoApp.class, "client", args);
    }

    private String socket() {
        return dir.resolve("app.sock").toString();
    }

    @ParameterizedTest
    @MethodSource("jdksAndServerStyles")
    void junixsocketServerAndClientTakeTheFastPath(Path jdk, String serverStyle) throws Exception {
        try (AppJvm server = server(jdk, true, serverStyle); AppJvm client = client(jdk, true)) {
            assertEquals(FAST + " crc=ok fds=refused", client.await("REPORT", 120));
            assertEquals(FAST, server.await("REPORT", 30));
            assertEquals(0, client.exit(10));
            assertEquals(0, server.exit(10));
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void aClientWithoutTheAgentKeepsBothOnTheKernelSocket(Path jdk) throws Exception {
        try (AppJvm server = server(jdk, true, "bindOn"); AppJvm client = client(jdk, false)) {
            assertEquals("opened=none crc=ok fds=accepted", client.await("REPORT", 120));
            assertEquals("opened=0", server.await("REPORT", 30));
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void aServerWithoutTheAgentKeepsBothOnTheKernelSocket(Path jdk) throws Exception {
        try (AppJvm server = server(jdk, false, "bindOn"); AppJvm client = client(jdk, true)) {
            assertEquals("opened=0 crc=ok fds=accepted", client.await("REPORT", 120));
            assertEquals("opened=none", server.await("REPORT", 30));
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void postgresJdbcThroughJunixsocketStaysOnTheKernelSocketWithEveryRow(Path jdk) throws Exception {
        Path socket = externalServer("PostgreSQL", "SHUNT_TEST_PG_DIR", "/tmp/shunt-pg", ".s.PGSQL.5432");
        try (AppJvm app = start(jdk, true, PostgresJunixsocketApp.class, "postgres", socket.toString(), "10000")) {
            assertEquals("opened=0 rows=ok", app.await("REPORT", 120));
            assertEquals(0, app.exit(10));
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void redisClientMadeTheJedisWayStaysOnTheKernelSocketWithEveryReply(Path jdk) throws Exception {
        Path socket = externalServer("Redis", "SHUNT_TEST_REDIS_DIR", "/tmp/shunt-redis", "redis.sock");
        try (AppJvm app = start(jdk, true, RedisJunixsocketApp.class, "redis", socket.toString(), "10000")) {
            assertEquals("opened=0 redis=ok", app.await("REPORT", 120));
            assertEquals(0, app.exit(10));
        }
    }

    /**
     * The socket of a server that {@code junixsocket-adapter/src/test/scripts/test-servers.sh start} runs; a missing
     * one fails the test, unless the build runs with {@code -Dshunt.test.externalPeers=skip}.
     */
    private static Path externalServer(String server, String variable, String directory, String file) {
        String configured = System.getenv(variable);
        Path socket = Path.of(configured == null || configured.isEmpty() ? directory : configured).resolve(file);
        if (!Files.exists(socket)) {
            String message = server + " is not listening on " + socket + ". Start the test servers with "
                    + "junixsocket-adapter/src/test/scripts/test-servers.sh start, or run the build with "
                    + "-Dshunt.test.externalPeers=skip to skip the cases that need them.";
            Assumptions.assumeFalse("skip".equals(System.getProperty("shunt.test.externalPeers")), message);
            throw new AssertionError(message);
        }
        return socket;
    }
}
