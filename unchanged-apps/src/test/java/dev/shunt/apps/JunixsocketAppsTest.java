package dev.shunt.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import apps.JunixsocketEchoApp;
import apps.PostgresJunixsocketApp;
import apps.RedisJunixsocketApp;
import dev.shunt.agent.AppJvm;
import dev.shunt.core.ClientHandshake;
import dev.shunt.core.ClientPreflight;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntHandshake;
import dev.shunt.core.testing.TestProtection;
import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
 * row and reply is right. A Shunt client that never answers the server's offer holds up neither the server's accept
 * loop nor anything beyond its own connection. JDK 17 and 25.
 */
class JunixsocketAppsTest {
    private static final String[] STYLES = {"connectTo", "newInstance", "factoryArg", "systemProperty", "uriScheme",
        "channelIO"};
    private static final String FAST = "opened=" + STYLES.length;
    private static final String BYTES = String.valueOf(8 << 20);
    /** A server handshake limit far beyond every wait of these tests: a silent client's handshake never times out. */
    private static final String PATIENT = "-Dshunt.handshakeTimeoutMillis=600000";

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
        return start(jdk, agent ? AppJvm.withAgent() : List.of(), main, name, args);
    }

    private AppJvm start(Path jdk, List<String> options, Class<?> main, String name, String... args) throws Exception {
        return AppJvm.start(jdk, options, Map.of(), UnchangedAppsTest.applicationClassPath(), main.getName(), dir,
                name, args);
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

    /**
     * Issue 15: a marked client that never answers the offer (this test's JVM) holds up no other client; the server's
     * next {@code accept()} returns at once and that client is served on the fast path while the silent one's
     * handshake still waits (with main's agent the accept loop waited on it, and the next client's own handshake
     * timed out). When the silent client hangs up, its handshake fails and the application reads end of stream.
     */
    @ParameterizedTest
    @MethodSource("jdks")
    void aShuntClientThatNeverAnswersHoldsUpNoOtherClient(Path jdk) throws Exception {
        try (AppJvm server = start(jdk, AppJvm.withAgent(PATIENT), JunixsocketEchoApp.class, "server", "server",
                socket(), "bindOn", "2")) {
            server.await("READY", 30);
            int silent = silentShuntClient();
            try (AppJvm client = start(jdk, true, JunixsocketEchoApp.class, "client", "client", socket(), "65536",
                    "connectTo")) {
                assertEquals("opened=1 crc=ok fds=refused", client.await("REPORT", 120));
                assertEquals(0, client.exit(10));
                assertEquals(0, UnixSockets.poll(silent, UnixSockets.POLLRDHUP, 0), "the silent handshake waits on");
            } finally {
                Descriptors.close(silent);
            }
            assertEquals("opened=1", server.await("REPORT", 30));
            assertEquals(0, server.exit(10));
        }
    }

    /**
     * A read of a connection whose handshake waits on a silent client honours {@code SO_TIMEOUT}, and closing that
     * connection ends its handshake at once (the client reads end of stream after the offer), long before
     * {@code shunt.handshakeTimeoutMillis}.
     */
    @ParameterizedTest
    @MethodSource("jdks")
    void aReadTimesOutWhileTheHandshakeWaitsAndCloseEndsTheHandshake(Path jdk) throws Exception {
        try (AppJvm server = start(jdk, AppJvm.withAgent(PATIENT), JunixsocketEchoApp.class, "server", "server",
                socket(), "bindOn", "1", "500")) {
            server.await("READY", 30);
            int silent = silentShuntClient();
            try {
                assertEquals("", server.await("TIMEOUT", 60));
                byte[] buffer = new byte[4096];
                int n;
                do {
                    n = UnixSockets.read(silent, buffer, 0, buffer.length);
                } while (n > 0);
                assertEquals(0, n, "end of stream");
                assertEquals("opened=0", server.await("REPORT", 30));
                assertEquals(0, server.exit(10));
            } finally {
                Descriptors.close(silent);
            }
        }
    }

    /**
     * Connects to the server as a Shunt client that marked itself (the core's own marker), once the server has
     * advertised (its first {@code accept()}), and never answers: the server's offer arrives and stays unanswered.
     *
     * @return the connected socket
     */
    private int silentShuntClient() throws IOException, InterruptedException {
        Path path = Path.of(socket());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!ClientPreflight.forAdvertisement(path).isFastPath()) {
            assertTrue(System.nanoTime() < deadline, "the server advertises");
            Thread.sleep(20);
        }
        ShuntConfig config = ShuntConfig.fromSystemProperties().withEnabled(true).withMpk(TestProtection.MODE);
        int fd = UnixSockets.socket();
        try {
            ClientHandshake marked = ShuntHandshake.prepareClient(fd, path, config);
            assertTrue(marked.isAttempting(), "marked as a Shunt client");
            UnixSockets.connect(fd, path.toString());
            assertTrue((UnixSockets.poll(fd, UnixSockets.POLLIN, 60_000) & UnixSockets.POLLIN) != 0, "offered");
            return fd;
        } catch (IOException | RuntimeException | Error e) {
            Descriptors.close(fd);
            throw e;
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
