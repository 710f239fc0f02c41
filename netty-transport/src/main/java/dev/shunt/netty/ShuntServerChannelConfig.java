package dev.shunt.netty;

import io.netty.channel.ChannelOption;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelConfig;
import io.netty.util.NetUtil;
import java.util.Map;

/**
 * The configuration of a {@link ShuntServerDomainSocketChannel}: Netty's common options plus
 * {@link ChannelOption#SO_BACKLOG}.
 */
public final class ShuntServerChannelConfig extends EpollChannelConfig {
    private volatile int backlog = NetUtil.SOMAXCONN;

    ShuntServerChannelConfig(ShuntServerDomainSocketChannel channel) {
        super(channel, new ServerChannelRecvByteBufAllocator());
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), ChannelOption.SO_BACKLOG);
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> T getOption(ChannelOption<T> option) {
        if (option == ChannelOption.SO_BACKLOG) {
            return (T) Integer.valueOf(getBacklog());
        }
        return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == ChannelOption.SO_BACKLOG) {
            setBacklog((Integer) value);
            return true;
        }
        return super.setOption(option, value);
    }

    /** @return the listen backlog used at bind */
    public int getBacklog() {
        return backlog;
    }

    /**
     * @param backlog the listen backlog used at bind (at least 0)
     * @return this
     */
    public ShuntServerChannelConfig setBacklog(int backlog) {
        if (backlog < 0) {
            throw new IllegalArgumentException("backlog must be >= 0: " + backlog);
        }
        this.backlog = backlog;
        return this;
    }
}
