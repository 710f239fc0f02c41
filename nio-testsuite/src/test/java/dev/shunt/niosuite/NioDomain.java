package dev.shunt.niosuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * Netty's NIO domain-socket channels on a stock {@link NioIoHandler} loop, as the testsuite's server and client
 * bootstraps. The JVM runs {@code shunt-agent.jar}, so {@code SelectorProvider.provider()} is Shunt's, and a channel
 * opened the ordinary way is Shunt's. The mode ({@code shunt.suite.mode}) says what each connection pairs:
 * <ul>
 *   <li>{@code fast}: both sides the ordinary way, so every connection can take the fast path;</li>
 *   <li>{@code fallback}: one side opened by the JDK's own provider, as a peer without Shunt would be: a JDK server
 *       with a Shunt client (no advertisement beside the socket), and a Shunt server with a JDK client (it does not
 *       mark itself). Every connection stays on the kernel socket.</li>
 * </ul>
 */
final class NioDomain {
    static final boolean FAST = "fast".equals(System.getProperty("shunt.suite.mode"));

    private static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private static final Path DIR = directory();

    private NioDomain() {
    }

    /** @return the server/client pairs of the mode */
    static List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> socket() {
        if (FAST) {
            return List.of(combo("Shunt server, Shunt client", () -> server(null), () -> client(null)));
        }
        SelectorProvider jdk = jdkProvider();
        return List.of(combo("JDK server, Shunt client", () -> server(jdk), () -> client(null)),
                combo("Shunt server, JDK client", () -> server(null), () -> client(jdk)));
    }

    /** @return the servers of the mode, for tests whose client is not Netty's */
    static List<BootstrapFactory<ServerBootstrap>> serverSocket() {
        return List.of(() -> server(FAST ? null : jdkProvider()));
    }

    /** @return a fresh socket path */
    static SocketAddress newAddress() {
        try {
            Path path = Files.createTempFile(DIR, "s", ".sock");
            Files.delete(path);
            return UnixDomainSocketAddress.of(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ServerBootstrap server(SelectorProvider provider) {
        return new ServerBootstrap().group(GROUP).channelFactory(() -> provider == null
                ? new NioServerDomainSocketChannel() : new NioServerDomainSocketChannel(provider));
    }

    private static Bootstrap client(SelectorProvider provider) {
        return new Bootstrap().group(GROUP).channelFactory(() -> provider == null
                ? new NioDomainSocketChannel() : new NioDomainSocketChannel(provider));
    }

    /**
     * The JDK's own provider, which the agent's replaced as the JVM's: {@code sun.nio.ch.DefaultSelectorProvider},
     * reachable because the agent exported {@code sun.nio.ch} to the class path.
     */
    private static SelectorProvider jdkProvider() {
        try {
            return (SelectorProvider) Class.forName("sun.nio.ch.DefaultSelectorProvider").getMethod("get")
                    .invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the JDK's selector provider is out of reach (is the agent running?)", e);
        }
    }

    private static Path directory() {
        try {
            Path dir = Files.createTempDirectory("nio-suite");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static BootstrapComboFactory<ServerBootstrap, Bootstrap> combo(String name,
            Supplier<ServerBootstrap> server, Supplier<Bootstrap> client) {
        return new BootstrapComboFactory<>() {
            @Override
            public ServerBootstrap newServerInstance() {
                return server.get();
            }

            @Override
            public Bootstrap newClientInstance() {
                return client.get();
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
