package dev.shunt.netty;

import dev.shunt.core.ServerAdvertisement;
import dev.shunt.core.ShuntConfig;
import io.netty.channel.Channel;
import io.netty.channel.epoll.AbstractEpollServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.ServerDomainSocketChannel;
import java.io.File;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listening Unix domain socket whose accepted connections are {@link ShuntDomainSocketChannel}s: the drop-in
 * replacement of {@code EpollServerDomainSocketChannel}. After bind and listen it publishes the Shunt
 * advertisement beside the socket file (when {@code shunt.enabled}); each accepted connection runs the
 * server side of the handshake before its {@code channelActive}. Closing it withdraws the advertisement and
 * deletes the socket file.
 *
 * <p>It runs on any loop that carries Epoll channels; its children need a {@link ShuntEventLoopGroup}.
 */
public final class ShuntServerDomainSocketChannel extends AbstractEpollServerChannel
        implements ServerDomainSocketChannel {
    private static final Logger LOG = LoggerFactory.getLogger(ShuntServerDomainSocketChannel.class);

    static {
        Epoll.ensureAvailability();
    }

    private final ShuntServerChannelConfig config = new ShuntServerChannelConfig(this);
    private final ShuntConfig shuntConfig;
    private volatile DomainSocketAddress local;
    private volatile ServerAdvertisement advertisement;

    /** A server channel configured from the {@code shunt.*} system properties. */
    public ShuntServerDomainSocketChannel() {
        this(ShuntConfig.fromSystemProperties());
    }

    /**
     * A server channel with an explicit configuration, used for its advertisement and every accepted
     * connection.
     *
     * @param shuntConfig the configuration in force
     */
    public ShuntServerDomainSocketChannel(ShuntConfig shuntConfig) {
        super(LinuxSocket.newSocketDomain(), false);
        this.shuntConfig = Objects.requireNonNull(shuntConfig, "shuntConfig");
    }

    @Override
    protected Channel newChildChannel(int fd, byte[] address, int offset, int len) {
        return new ShuntDomainSocketChannel(this, LinuxSocket.newSocket(fd), shuntConfig);
    }

    @Override
    protected DomainSocketAddress localAddress0() {
        return local;
    }

    @Override
    protected void doBind(SocketAddress localAddress) throws Exception {
        DomainSocketAddress address = (DomainSocketAddress) localAddress;
        socket.bind(address);
        socket.listen(config.getBacklog());
        local = address;
        Path path = ShuntDomainSocketChannel.filesystemPath(address);
        if (path != null) {
            advertisement = ServerAdvertisement.publish(path, shuntConfig);
        }
        active = true;
    }

    @Override
    protected void doClose() throws Exception {
        try {
            super.doClose();
        } finally {
            ServerAdvertisement ad = advertisement;
            if (ad != null) {
                ad.close();
            }
            DomainSocketAddress address = local;
            if (address != null && !new File(address.path()).delete()) {
                LOG.debug("Failed to delete a domain socket file: {}", address.path());
            }
        }
    }

    @Override
    public ShuntServerChannelConfig config() {
        return config;
    }

    /** @return the Shunt configuration of this listener and its connections */
    public ShuntConfig shuntConfig() {
        return shuntConfig;
    }

    @Override
    public DomainSocketAddress remoteAddress() {
        return (DomainSocketAddress) super.remoteAddress();
    }

    @Override
    public DomainSocketAddress localAddress() {
        return (DomainSocketAddress) super.localAddress();
    }
}
