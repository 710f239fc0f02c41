package dev.shunt.bench;

import dev.shunt.core.ShuntConfig;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The transports shunt-bench compares. Each one runs in a server JVM and a client JVM of its own, started with
 * {@link #jvmArguments}, except the C floor, two C processes ({@link CFloor}); a Shunt transport names the kernel
 * path it replaces, whose figures of the same run its ratios refer to.
 */
enum Transport {
    /** Two C processes ping-ponging through shared memory, spinning: the floor the others are held against. */
    C_FLOOR("c-floor", "C floor: two processes, shared memory, spin only", Family.FLOOR, null, null),
    /** Netty 4.2's Epoll domain-socket channels: the kernel path of a Netty application. */
    NETTY_EPOLL("netty-epoll", "Netty Epoll domain socket (kernel)", Family.KERNEL, null,
            NettyEndpoints::epollDomain),
    /** Shunt's Netty transport: {@code ShuntEventLoopGroup} with its domain-socket channels. */
    NETTY_SHUNT("netty-shunt", "Netty Shunt", Family.SHUNT, NETTY_EPOLL, NettyEndpoints::shunt),
    /** Netty 4.2's Epoll TCP channels on 127.0.0.1, TCP_NODELAY: what many local services use. */
    NETTY_TCP("netty-tcp", "Netty Epoll TCP loopback (kernel)", Family.OTHER, null, NettyEndpoints::epollTcp),
    /** junixsocket's {@code AFUNIXSocket}: the kernel path of a java.net.Socket application. */
    JUNIXSOCKET("junixsocket", "junixsocket (kernel)", Family.KERNEL, null,
            () -> new DuplexEndpoints(JunixsocketLink::listen, JunixsocketLink::connector)),
    /** Shunt's junixsocket adapter: {@code ShuntSocket} and {@code ShuntServerSocket}. */
    SHUNT_SOCKET("shunt-socket", "Shunt socket", Family.SHUNT, JUNIXSOCKET,
            () -> new DuplexEndpoints(ShuntSocketLink::listen, ShuntSocketLink::connector)),
    /** Aeron IPC publications and subscriptions through an embedded media driver in the server JVM. */
    AERON_IPC("aeron-ipc", "Aeron IPC (embedded media driver)", Family.OTHER, null,
            () -> new DuplexEndpoints(AeronLink::listen, AeronLink::connector)),
    /** The JDK's own {@code SocketChannel} on a Unix domain socket. */
    JDK_UNIX("jdk-unix", "JDK SocketChannel domain socket (kernel)", Family.KERNEL, null,
            () -> new DuplexEndpoints(JdkUnixLink::listen, JdkUnixLink::connector)),
    /** Shunt's core {@code ShuntStream} after the core handshake, without an adapter on top. */
    SHUNT_CORE("shunt-core", "Shunt core ShuntStream", Family.SHUNT, JDK_UNIX,
            () -> new DuplexEndpoints(ShuntCoreLink::listen, ShuntCoreLink::connector)),
    /** {@link #JDK_UNIX}'s code unchanged, in JVMs started with {@code -javaagent:shunt-agent.jar}. */
    JDK_UNIX_AGENT("jdk-unix-agent", "JDK SocketChannel domain socket, shunt-agent.jar", Family.SHUNT, JDK_UNIX,
            () -> new DuplexEndpoints(JdkUnixLink::listen, JdkUnixLink::connector)),
    /** Netty 4.2's NIO domain-socket channels, on the JDK's Unix-domain channels: the kernel path. */
    NETTY_NIO("netty-nio", "Netty NIO domain socket (kernel)", Family.KERNEL, null, NettyEndpoints::nioDomain),
    /** {@link #NETTY_NIO}'s code unchanged, in JVMs started with {@code -javaagent:shunt-agent.jar}. */
    NETTY_NIO_AGENT("netty-nio-agent", "Netty NIO domain socket, shunt-agent.jar", Family.SHUNT, NETTY_NIO,
            NettyEndpoints::nioDomain),
    /** {@link #NETTY_EPOLL}'s code unchanged, in JVMs started with {@code -javaagent:shunt-agent.jar}. */
    NETTY_EPOLL_AGENT("netty-epoll-agent", "Netty Epoll domain socket, shunt-agent.jar", Family.SHUNT, NETTY_EPOLL,
            NettyEndpoints::epollDomainWithAgent);

    /** How a transport's figures are presented. */
    enum Family {
        /** An ordinary kernel socket that a Shunt transport replaces. */
        KERNEL,
        /** Shunt's fast path: ratios to its kernel counterpart, doorbell signals and parks. */
        SHUNT,
        /** Something else people would use for local IPC. */
        OTHER,
        /** The physical floor: Shunt's ping-pong figures carry their ratio to it. */
        FLOOR
    }

    final String id;
    final String label;
    final Family family;
    /** The kernel path this Shunt transport replaces; {@code null} for the others. */
    final Transport kernelCounterpart;
    /** The JVMs' implementation; {@code null} for the C floor, which runs no JVM. */
    private final Supplier<Endpoints> endpoints;

    Transport(String id, String label, Family family, Transport kernelCounterpart, Supplier<Endpoints> endpoints) {
        this.id = id;
        this.label = label;
        this.family = family;
        this.kernelCounterpart = kernelCounterpart;
        this.endpoints = endpoints;
    }

    /** The implementation; loads only this transport's classes. */
    Endpoints endpoints() {
        return endpoints.get();
    }

    /** Starts what measures this transport's cases: its server and client JVMs, or the C floor's program. */
    Session open(Options options, String[] args, PrintStream progress) {
        return family == Family.FLOOR ? CFloor.open(options, progress)
                : JvmSession.start(this, options, args, progress);
    }

    /**
     * Whether this transport runs a scenario's cases at all: the C floor only ping-pong, the reference it is
     * for; the others every scenario (reporting those that do not apply to them, {@link #notApplicable}).
     */
    boolean takesPart(Scenario scenario) {
        return family != Family.FLOOR || scenario == Scenario.PINGPONG;
    }

    /** Why a scenario does not apply to this transport, if it does not. */
    Optional<String> notApplicable(Scenario scenario) {
        if (scenario.grpc()) {
            return netty() ? Optional.empty() : Optional.of("not Netty: grpc-java's transport runs on Netty channels");
        }
        if (this != AERON_IPC) {
            return Optional.empty();
        }
        return switch (scenario) {
            case CONNECT -> Optional.of("no connections: Aeron sets up publications through its driver");
            case RPC -> Optional.of("not a socket: Aeron's publications have no socket framework's hand-offs");
            default -> Optional.empty();
        };
    }

    /** Whether its JVMs run Netty channels, and so gRPC too ({@link NettyEndpoints}). */
    private boolean netty() {
        return this == NETTY_EPOLL || this == NETTY_SHUNT || this == NETTY_TCP || this == NETTY_EPOLL_AGENT || nio();
    }

    private boolean nio() {
        return this == NETTY_NIO || this == NETTY_NIO_AGENT;
    }

    /** Whether its JVMs run {@code shunt-agent.jar}: the application unchanged, Shunt under it. */
    private boolean agent() {
        return this == JDK_UNIX_AGENT || this == NETTY_NIO_AGENT || this == NETTY_EPOLL_AGENT;
    }

    /** JVM arguments of both the server and the client JVM of this transport. */
    List<String> jvmArguments(Options options) {
        List<String> args = new ArrayList<>();
        if (agent()) {
            args.add("-javaagent:" + AgentShunt.jar());
        }
        // The fast path is off unless enabled; with mpk=optional (the default) a machine without protection keys
        // still measures the (unprotected) fast path, and its path says so (ShuntPath).
        args.add("-Dshunt.enabled=" + (family == Family.SHUNT));
        args.add("-D" + ShuntConfig.MPK + "=" + options.mpk.propertyValue());
        if (options.spinNanos != null) {
            args.add("-Dshunt.spinNanos=" + options.spinNanos);
        }
        if (nio()) {
            // Netty's NIO loops replace the selector's key set by reflection where the JDK lets them: it does not
            // (java.base does not open sun.nio.ch), so they log why at debug level and use the JDK's set.
            args.add("-Dorg.slf4j.simpleLogger.log.io.netty=warn");
        }
        if (netty()) {
            // grpc-netty sets SO_KEEPALIVE on every connection, which domain sockets do not have; Netty's
            // bootstrap would warn about it on stderr, the orchestrator's progress, at every gRPC connection.
            args.add("-Dorg.slf4j.simpleLogger.log.io.netty.bootstrap=error");
        }
        if (this == AERON_IPC) {
            // Agrona 2 reaches into jdk.internal.misc; a benchmark process may open it, a library may not.
            args.add("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED");
            args.add("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
        }
        return args;
    }

    /** The transports measured without {@code --transports}. */
    static List<Transport> defaults() {
        return List.of(C_FLOOR, NETTY_EPOLL, NETTY_SHUNT, NETTY_TCP, JUNIXSOCKET, SHUNT_SOCKET, AERON_IPC);
    }

    static Transport parse(String id) {
        for (Transport t : values()) {
            if (t.id.equals(id.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown transport '" + id + "'; choose from "
                + Arrays.stream(values()).map(t -> t.id).collect(Collectors.joining(", ")) + " or all");
    }

    static String describeAll() {
        return Arrays.stream(values()).map(t -> String.format(Locale.ROOT, "  %-15s %s%s", t.id, t.label,
                t.family == Family.FLOOR ? "; ping-pong only, built with gcc at run time"
                        : t.kernelCounterpart == null ? "" : "; ratios to " + t.kernelCounterpart.id))
                .collect(Collectors.joining("\n"));
    }
}
