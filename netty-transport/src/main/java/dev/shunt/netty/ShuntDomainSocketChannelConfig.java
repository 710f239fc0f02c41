package dev.shunt.netty;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DuplexChannelConfig;
import io.netty.channel.unix.DomainSocketChannelConfig;
import io.netty.channel.unix.DomainSocketReadMode;
import io.netty.channel.unix.UnixChannelOption;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;

/**
 * The configuration of a {@link ShuntDomainSocketChannel}: the options of {@code EpollDomainSocketChannelConfig}
 * ({@link UnixChannelOption#DOMAIN_SOCKET_READ_MODE}, {@link ChannelOption#ALLOW_HALF_CLOSURE},
 * {@link ChannelOption#SO_SNDBUF}, {@link ChannelOption#SO_RCVBUF}) plus Netty's common ones. The socket buffer
 * sizes apply to the kernel socket, which the fast path does not use for data.
 */
public final class ShuntDomainSocketChannelConfig extends DefaultChannelConfig
        implements DomainSocketChannelConfig, DuplexChannelConfig {
    private final ShuntDomainSocketChannel channel;
    private volatile DomainSocketReadMode mode = DomainSocketReadMode.BYTES;
    private volatile boolean allowHalfClosure;
    private volatile boolean receiveInPlace;

    ShuntDomainSocketChannelConfig(ShuntDomainSocketChannel channel) {
        super(channel);
        this.channel = channel;
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), UnixChannelOption.DOMAIN_SOCKET_READ_MODE,
                ChannelOption.ALLOW_HALF_CLOSURE, ChannelOption.SO_SNDBUF, ChannelOption.SO_RCVBUF,
                ShuntChannelOption.RECEIVE_IN_PLACE);
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> T getOption(ChannelOption<T> option) {
        if (option == UnixChannelOption.DOMAIN_SOCKET_READ_MODE) {
            return (T) getReadMode();
        }
        if (option == ChannelOption.ALLOW_HALF_CLOSURE) {
            return (T) Boolean.valueOf(isAllowHalfClosure());
        }
        if (option == ShuntChannelOption.RECEIVE_IN_PLACE) {
            return (T) Boolean.valueOf(isReceiveInPlace());
        }
        if (option == ChannelOption.SO_SNDBUF) {
            return (T) Integer.valueOf(getSendBufferSize());
        }
        if (option == ChannelOption.SO_RCVBUF) {
            return (T) Integer.valueOf(getReceiveBufferSize());
        }
        return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == UnixChannelOption.DOMAIN_SOCKET_READ_MODE) {
            setReadMode((DomainSocketReadMode) value);
        } else if (option == ChannelOption.ALLOW_HALF_CLOSURE) {
            setAllowHalfClosure((Boolean) value);
        } else if (option == ShuntChannelOption.RECEIVE_IN_PLACE) {
            setReceiveInPlace((Boolean) value);
        } else if (option == ChannelOption.SO_SNDBUF) {
            setSendBufferSize((Integer) value);
        } else if (option == ChannelOption.SO_RCVBUF) {
            setReceiveBufferSize((Integer) value);
        } else {
            return super.setOption(option, value);
        }
        return true;
    }

    /** @return whether fast-path reads hand out ring memory in place ({@link ShuntChannelOption#RECEIVE_IN_PLACE}) */
    public boolean isReceiveInPlace() {
        return receiveInPlace;
    }

    /**
     * @param receiveInPlace whether fast-path reads hand out ring memory in place
     *     ({@link ShuntChannelOption#RECEIVE_IN_PLACE})
     * @return this
     */
    public ShuntDomainSocketChannelConfig setReceiveInPlace(boolean receiveInPlace) {
        this.receiveInPlace = receiveInPlace;
        return this;
    }

    /**
     * @return {@code SO_SNDBUF}: the kernel socket's send buffer on the kernel path, the outbound ring's capacity on
     *     the fast path (the core's rule: the ring is what holds the bytes in flight there)
     */
    public int getSendBufferSize() {
        try {
            return channel.dataPath().sendBufferSize();
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    /**
     * @param sendBufferSize the kernel socket's send buffer size (on either path; the ring's capacity is fixed)
     * @return this
     */
    public ShuntDomainSocketChannelConfig setSendBufferSize(int sendBufferSize) {
        try {
            channel.socket().setSendBufferSize(sendBufferSize);
            return this;
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    /** @return {@code SO_RCVBUF}: the kernel socket's receive buffer, or the inbound ring's capacity on the fast path */
    public int getReceiveBufferSize() {
        try {
            return channel.dataPath().receiveBufferSize();
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    /**
     * @param receiveBufferSize the kernel socket's receive buffer size (on either path)
     * @return this
     */
    public ShuntDomainSocketChannelConfig setReceiveBufferSize(int receiveBufferSize) {
        try {
            channel.socket().setReceiveBufferSize(receiveBufferSize);
            return this;
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    @Override
    public ShuntDomainSocketChannelConfig setReadMode(DomainSocketReadMode mode) {
        this.mode = Objects.requireNonNull(mode, "mode");
        return this;
    }

    @Override
    public DomainSocketReadMode getReadMode() {
        return mode;
    }

    @Override
    public boolean isAllowHalfClosure() {
        return allowHalfClosure;
    }

    @Override
    public ShuntDomainSocketChannelConfig setAllowHalfClosure(boolean allowHalfClosure) {
        this.allowHalfClosure = allowHalfClosure;
        return this;
    }

    @Override
    protected void autoReadCleared() {
        channel.clearEpollIn();
    }

    @Override
    @Deprecated
    public ShuntDomainSocketChannelConfig setMaxMessagesPerRead(int maxMessagesPerRead) {
        super.setMaxMessagesPerRead(maxMessagesPerRead);
        return this;
    }

    @Override
    public ShuntDomainSocketChannelConfig setConnectTimeoutMillis(int connectTimeoutMillis) {
        super.setConnectTimeoutMillis(connectTimeoutMillis);
        return this;
    }

    @Override
    public ShuntDomainSocketChannelConfig setWriteSpinCount(int writeSpinCount) {
        super.setWriteSpinCount(writeSpinCount);
        return this;
    }

    @Override
    public ShuntDomainSocketChannelConfig setRecvByteBufAllocator(RecvByteBufAllocator allocator) {
        super.setRecvByteBufAllocator(allocator);
        return this;
    }

    @Override
    public ShuntDomainSocketChannelConfig setAllocator(ByteBufAllocator allocator) {
        super.setAllocator(allocator);
        return this;
    }

    @Override
    public ShuntDomainSocketChannelConfig setAutoClose(boolean autoClose) {
        super.setAutoClose(autoClose);
        return this;
    }

    @Override
    public ShuntDomainSocketChannelConfig setMessageSizeEstimator(MessageSizeEstimator estimator) {
        super.setMessageSizeEstimator(estimator);
        return this;
    }

    @Override
    @Deprecated
    public ShuntDomainSocketChannelConfig setWriteBufferLowWaterMark(int writeBufferLowWaterMark) {
        super.setWriteBufferLowWaterMark(writeBufferLowWaterMark);
        return this;
    }

    @Override
    @Deprecated
    public ShuntDomainSocketChannelConfig setWriteBufferHighWaterMark(int writeBufferHighWaterMark) {
        super.setWriteBufferHighWaterMark(writeBufferHighWaterMark);
        return this;
    }

    @Override
    public ShuntDomainSocketChannelConfig setWriteBufferWaterMark(WriteBufferWaterMark writeBufferWaterMark) {
        super.setWriteBufferWaterMark(writeBufferWaterMark);
        return this;
    }

    @Override
    public ShuntDomainSocketChannelConfig setAutoRead(boolean autoRead) {
        super.setAutoRead(autoRead);
        return this;
    }
}
