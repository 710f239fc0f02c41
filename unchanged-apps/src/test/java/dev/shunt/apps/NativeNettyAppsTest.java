package dev.shunt.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import apps.NativeEchoApp;
import apps.GrpcApp;
import apps.IsolatedLauncher;
import apps.ShadedGrpcServer;
import dev.shunt.agent.AppJvm;
import io.netty.channel.uring.IoUring;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Applications on Netty's native epoll domain-socket channels, written without Shunt (package {@code apps}), each side
 * in a JVM of its own started with {@code shunt-agent.jar}: an echo in each style frameworks use to pick the channels
 * ({@link NativeEchoApp}; the method-reference one on another Netty 4.2 release than Shunt's), and grpc-java with a
 * {@code unix:} target against {@code NettyServerBuilder} on {@code EpollServerDomainSocketChannel} ({@link GrpcApp}).
 * Each shows both sides on the fast path (their {@code dev.shunt:type=Shunt} MBeans), the bytes intact, the TCP
 * channels on the same loops still Netty's, and a side without the agent (or with it but without
 * {@code shunt.enabled=true}) keeping both on the kernel socket with Netty's own channels. JDK 17 and 25.
 */
class NativeNettyAppsTest {
    private static final String NETTY = "4.2.17.Final";
    private static final String OTHER_NETTY = "4.2.18.Final";

    @TempDir
    Path dir;

    static List<Path> jdks() {
        return AppJvm.jdks();
    }

    private AppJvm start(Path jdk, List<String> options, String classPath, Class<?> main, String name,
            String... args) throws Exception {
        return AppJvm.start(jdk, options, Map.of(), classPath, main.getName(), dir, name, args);
    }

    /** The application class path with Netty's jars replaced by another 4.2 release's (the build copied them). */
    private static String otherNettyClassPath() throws IOException {
        Path jars = Path.of(System.getProperty("shunt.test.otherNetty"));
        try (Stream<Path> files = Files.list(jars)) {
            List<Path> netty = files.filter(file -> file.getFileName().toString().endsWith(".jar")).sorted()
                    .collect(Collectors.toList());
            assumeTrue(netty.size() == 7, "the build did not copy Netty " + OTHER_NETTY + " to " + jars);
            return Stream.concat(netty.stream().map(Path::toString),
                    Stream.of(UnchangedAppsTest.applicationClassPath().split(File.pathSeparator))
                            .filter(entry -> !entry.contains("/io/netty/")))
                    .collect(Collectors.joining(File.pathSeparator));
        }
    }

    private String socket() {
        return dir.resolve("app.sock").toString();
    }

    /** Server and client of {@link NativeEchoApp} in {@code style}; @return the client's report, then the server's */
    private List<String> echo(Path jdk, String style, String classPath, List<String> serverOptions,
            List<String> clientOptions) throws Exception {
        try (AppJvm server = start(jdk, serverOptions, classPath, NativeEchoApp.class, "server", style, "server",
                socket())) {
            String port = server.await("READY", 30);
            String client;
            try (AppJvm app = start(jdk, clientOptions, classPath, NativeEchoApp.class, "client", style, "client",
                    socket(), port, "1000", String.valueOf(32 << 20))) {
                client = app.await("REPORT", 120);
            }
            return List.of(client, server.await("REPORT", 30));
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void classLiteralsTakeTheFastPath(Path jdk) throws Exception {
        assertEquals(List.of("opened=1 crc=ok channel=ShuntDomainSocketChannel tcp=EpollSocketChannel netty=" + NETTY,
                "opened=1"), echo(jdk, "literal", UnchangedAppsTest.applicationClassPath(), AppJvm.withAgent(),
                AppJvm.withAgent()));
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void methodReferencesOnAnotherNettyReleaseTakeTheFastPath(Path jdk) throws Exception {
        assertEquals(List.of("opened=1 crc=ok channel=ShuntDomainSocketChannel tcp=EpollSocketChannel netty="
                + OTHER_NETTY, "opened=1"), echo(jdk, "reference", otherNettyClassPath(), AppJvm.withAgent(),
                AppJvm.withAgent()));
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void constructorsInAChannelFactoryTakeTheFastPath(Path jdk) throws Exception {
        assertEquals(List.of("opened=1 crc=ok channel=ShuntDomainSocketChannel tcp=EpollSocketChannel netty=" + NETTY,
                "opened=1"), echo(jdk, "constructor", UnchangedAppsTest.applicationClassPath(), AppJvm.withAgent(),
                AppJvm.withAgent()));
    }

    /** Netty's io_uring transport, which the agent does not cover, keeps its own channels and loops, and works. */
    @ParameterizedTest
    @MethodSource("jdks")
    void ioUringKeepsNettysChannels(Path jdk) throws Exception {
        assumeTrue(IoUring.isAvailable(), () -> "io_uring is not available here: " + IoUring.unavailabilityCause());
        assertEquals(List.of("opened=none crc=ok channel=IoUringDomainSocketChannel tcp=IoUringSocketChannel netty="
                + NETTY, "opened=none"), echo(jdk, "io_uring", UnchangedAppsTest.applicationClassPath(),
                AppJvm.withAgent(), AppJvm.withAgent()));
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void aClientWithoutTheAgentKeepsNettysChannelsOnTheKernelSocket(Path jdk) throws Exception {
        assertEquals(List.of("opened=none crc=ok channel=EpollDomainSocketChannel tcp=EpollSocketChannel netty="
                + NETTY, "opened=0"), echo(jdk, "literal", UnchangedAppsTest.applicationClassPath(),
                AppJvm.withAgent(), List.of()));
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void theAgentWithoutShuntEnabledChangesNothing(Path jdk) throws Exception {
        List<String> agentOnly = List.of("-javaagent:" + AppJvm.agentJar());
        assertEquals(List.of("opened=none crc=ok channel=EpollDomainSocketChannel tcp=EpollSocketChannel netty="
                + NETTY, "opened=none"), echo(jdk, "reference", UnchangedAppsTest.applicationClassPath(),
                agentOnly, agentOnly));
    }

    static Stream<Arguments> jdksAndParents() {
        return jdks().stream().flatMap(jdk -> Stream.of(Arguments.of(jdk, "system"), Arguments.of(jdk, "platform")));
    }

    /**
     * A client whose application and Netty live in a class loader of their own ({@link IsolatedLauncher}), with the
     * agent. With the class path's loader as parent (as a fat jar's loader has), the agent loads its Shunt classes
     * over that loader, and the client takes the fast path; with the platform loader as parent the woven code cannot
     * see the agent at all, steps aside, and the client keeps Netty's channels on the kernel socket.
     */
    @ParameterizedTest
    @MethodSource("jdksAndParents")
    void nettyInAnotherClassLoader(Path jdk, String parent) throws Exception {
        Path launcher = dir.resolve("launcher");
        Path launcherClass = launcher.resolve("apps/IsolatedLauncher.class");
        Files.createDirectories(launcherClass.getParent());
        Files.copy(Path.of(IsolatedLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("apps/IsolatedLauncher.class"), launcherClass);
        String classPath = UnchangedAppsTest.applicationClassPath();
        boolean reached = parent.equals("system");
        try (AppJvm server = start(jdk, AppJvm.withAgent(), classPath, NativeEchoApp.class, "server", "literal",
                "server", socket())) {
            String port = server.await("READY", 30);
            try (AppJvm client = start(jdk, AppJvm.withAgent(), launcher.toString(), IsolatedLauncher.class,
                    "client", parent, classPath, NativeEchoApp.class.getName(), "literal", "client", socket(), port,
                    "100", String.valueOf(4 << 20))) {
                assertEquals(reached ? "opened=1 crc=ok channel=ShuntDomainSocketChannel tcp=EpollSocketChannel netty="
                        + NETTY : "opened=none crc=ok channel=EpollDomainSocketChannel tcp=EpollSocketChannel netty="
                        + NETTY, client.await("REPORT", 120));
            }
            assertEquals(reached ? "opened=1" : "opened=0", server.await("REPORT", 30));
        }
    }

    /** The application class path with one grpc-java transport: grpc-netty, or else grpc-netty-shaded. */
    private static String grpcClassPath(boolean shaded) {
        String left = shaded ? "/io/grpc/grpc-netty/" : "/io/grpc/grpc-netty-shaded/";
        return Stream.of(UnchangedAppsTest.applicationClassPath().split(File.pathSeparator))
                .filter(entry -> !entry.contains(left)).collect(Collectors.joining(File.pathSeparator));
    }

    private String grpc(Path jdk, List<String> serverOptions, List<String> clientOptions) throws Exception {
        String classPath = grpcClassPath(false);
        try (AppJvm server = start(jdk, serverOptions, classPath, GrpcApp.class, "server", "server", socket())) {
            server.await("READY", 60);
            try (AppJvm client = start(jdk, clientOptions, classPath, GrpcApp.class, "client", "client",
                    socket(), "2000", "20000")) {
                return client.await("REPORT", 180);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void grpcUnixTargetAndEpollServerTakeTheFastPath(Path jdk) throws Exception {
        assertEquals("opened=1 server opened=1 unary=ok stream=ok",
                grpc(jdk, AppJvm.withAgent(), AppJvm.withAgent()));
    }

    /**
     * The same client and service on {@code grpc-netty-shaded}, whose Netty is a relocated copy: the agent gives it
     * its own copy of Shunt's channels, remapped to those names.
     */
    @ParameterizedTest
    @MethodSource("jdks")
    void grpcNettyShadedTakesTheFastPath(Path jdk) throws Exception {
        String classPath = grpcClassPath(true);
        try (AppJvm server = start(jdk, AppJvm.withAgent(), classPath, ShadedGrpcServer.class, "server", socket())) {
            server.await("READY", 60);
            try (AppJvm client = start(jdk, AppJvm.withAgent(), classPath, GrpcApp.class, "client", "client",
                    socket(), "2000", "20000")) {
                assertEquals("opened=1 server opened=1 unary=ok stream=ok", client.await("REPORT", 180));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void grpcServerWithoutTheAgentKeepsBothOnTheKernelSocket(Path jdk) throws Exception {
        assertEquals("opened=0 server opened=none unary=ok stream=ok", grpc(jdk, List.of(), AppJvm.withAgent()));
    }
}
