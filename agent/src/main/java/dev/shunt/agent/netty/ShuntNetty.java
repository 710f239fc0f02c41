package dev.shunt.agent.netty;

import dev.shunt.core.ShuntConfig;
import dev.shunt.netty.ShuntDomainSocketChannel;
import dev.shunt.netty.ShuntIoHandler;
import dev.shunt.netty.ShuntServerDomainSocketChannel;
import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;

/**
 * Which Shunt class replaces which of Netty's epoll classes. Linked against one Netty: the agent's own copy against
 * the class path's, others against Nettys in other loaders; reached through a {@link ShuntNettyBinding} only.
 */
final class ShuntNetty {
    /**
     * Whether this Netty has its epoll classes (netty-transport-classes-epoll): without them (an application on NIO
     * only) there is nothing to replace, and naming them would fail with {@code NoClassDefFoundError}.
     */
    private static final boolean EPOLL = epollClassesPresent();

    private ShuntNetty() {
    }

    private static boolean epollClassesPresent() {
        try {
            return EpollDomainSocketChannel.class != null && EpollServerDomainSocketChannel.class != null;
        } catch (NoClassDefFoundError e) {
            return false;
        }
    }

    static Class<?> channelClass(Class<?> epoll) {
        if (!EPOLL) {
            return epoll;
        }
        if (epoll == EpollDomainSocketChannel.class) {
            return ShuntDomainSocketChannel.class;
        }
        return epoll == EpollServerDomainSocketChannel.class ? ShuntServerDomainSocketChannel.class : epoll;
    }

    @SuppressWarnings({"deprecation", "unchecked"})
    static Object channelFactory(Object factory) {
        return !EPOLL || factory instanceof SubstitutingChannelFactory ? factory
                : new SubstitutingChannelFactory((io.netty.bootstrap.ChannelFactory<? extends Channel>) factory);
    }

    static Object ioHandlerFactory(Object epollFactory) {
        return ShuntIoHandler.newFactory(ShuntConfig.fromSystemProperties(), (IoHandlerFactory) epollFactory);
    }

    /**
     * @param made a channel an application's factory made
     * @return a new Shunt channel in place of a new epoll domain-socket channel (which is closed), else {@code made}
     */
    static Channel replace(Channel made) {
        // An active one wraps a descriptor the application opened itself: that socket stays as it is.
        if (channelClass(made.getClass()) == made.getClass() || made.isActive()) {
            return made;
        }
        made.unsafe().closeForcibly();
        return made instanceof ServerChannel ? new ShuntServerDomainSocketChannel() : new ShuntDomainSocketChannel();
    }
}
