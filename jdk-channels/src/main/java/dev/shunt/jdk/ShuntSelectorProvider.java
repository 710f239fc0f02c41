package dev.shunt.jdk;

import dev.shunt.core.ShuntConfig;
import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;
import sun.nio.ch.DefaultSelectorProvider;

/**
 * The JVM's {@link SelectorProvider} with Shunt for Unix-domain stream channels: {@code SocketChannel.open(UNIX)}
 * and {@code ServerSocketChannel.open(UNIX)} (and so every framework built on them) get {@link ShuntSocketChannel}s
 * and {@link ShuntServerSocketChannel}s. Everything else (TCP, UDP, pipes, selectors, inherited channels) is the JDK's
 * own provider's, untouched; the JDK's selector takes Shunt's channels as it takes its own.
 *
 * <p>Installed by {@code -javaagent:shunt-agent.jar}, or by
 * {@code -Djava.nio.channels.spi.SelectorProvider=dev.shunt.jdk.ShuntSelectorProvider} with
 * {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED} and this module on the class path. With {@code shunt.enabled}
 * false, clients are the JDK's own channels; servers are still wrapped, so that a client which marked itself hears a
 * decline at once instead of waiting out its handshake.
 */
public final class ShuntSelectorProvider extends SelectorProvider {
    private final SelectorProvider jdk = DefaultSelectorProvider.get();
    private final ShuntConfig config;

    /** The provider the JDK instantiates by name: configured from the {@code shunt.*} system properties. */
    public ShuntSelectorProvider() {
        this(ShuntConfig.fromSystemProperties());
    }

    /** @param config the configuration every channel of this provider uses */
    public ShuntSelectorProvider(ShuntConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** @return the configuration in force */
    public ShuntConfig config() {
        return config;
    }

    @Override
    public SocketChannel openSocketChannel(ProtocolFamily family) throws IOException {
        SocketChannel channel = jdk.openSocketChannel(family);
        if (family != StandardProtocolFamily.UNIX || !config.enabled()) {
            return channel;
        }
        return ShuntSocketChannel.client(this, channel, config);
    }

    @Override
    public ServerSocketChannel openServerSocketChannel(ProtocolFamily family) throws IOException {
        ServerSocketChannel channel = jdk.openServerSocketChannel(family);
        return family == StandardProtocolFamily.UNIX ? new ShuntServerSocketChannel(this, channel, config) : channel;
    }

    @Override
    public SocketChannel openSocketChannel() throws IOException {
        return jdk.openSocketChannel();
    }

    @Override
    public ServerSocketChannel openServerSocketChannel() throws IOException {
        return jdk.openServerSocketChannel();
    }

    @Override
    public DatagramChannel openDatagramChannel() throws IOException {
        return jdk.openDatagramChannel();
    }

    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) throws IOException {
        return jdk.openDatagramChannel(family);
    }

    @Override
    public Pipe openPipe() throws IOException {
        return jdk.openPipe();
    }

    @Override
    public AbstractSelector openSelector() throws IOException {
        return jdk.openSelector();
    }

    @Override
    public Channel inheritedChannel() throws IOException {
        return jdk.inheritedChannel();
    }
}
