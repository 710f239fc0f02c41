package dev.shunt.agent.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;

/**
 * An application's channel factory (a method reference such as {@code EpollDomainSocketChannel::new}, a lambda calling
 * {@code new EpollDomainSocketChannel()}) whose epoll domain-socket channels become Shunt's. The replaced channel was
 * never registered or connected: replacing it costs one {@code socket()} and {@code close()} per channel.
 */
final class SubstitutingChannelFactory implements ChannelFactory<Channel> {
    @SuppressWarnings("deprecation")
    private final io.netty.bootstrap.ChannelFactory<? extends Channel> application;

    @SuppressWarnings("deprecation")
    SubstitutingChannelFactory(io.netty.bootstrap.ChannelFactory<? extends Channel> application) {
        this.application = application;
    }

    @Override
    public Channel newChannel() {
        return ShuntNetty.replace(application.newChannel());
    }

    @Override
    public String toString() {
        return application.toString();
    }
}
