package dev.shunt.netty;

import dev.shunt.core.ShuntConfig;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.util.concurrent.ThreadFactory;

/**
 * The event loop group to use in place of {@code EpollEventLoopGroup} (or a
 * {@code MultiThreadIoEventLoopGroup} over {@code EpollIoHandler}): each loop runs a {@link ShuntIoHandler}.
 * It carries {@link ShuntDomainSocketChannel}s and {@link ShuntServerDomainSocketChannel}s, and stock Epoll
 * channels (TCP and Unix domain) as well.
 */
public final class ShuntEventLoopGroup extends MultiThreadIoEventLoopGroup {
    /** A group with Netty's default number of threads, configured from the {@code shunt.*} system properties. */
    public ShuntEventLoopGroup() {
        this(0);
    }

    /**
     * A group configured from the {@code shunt.*} system properties.
     *
     * @param nThreads number of loops; 0 for Netty's default (twice the number of cores)
     */
    public ShuntEventLoopGroup(int nThreads) {
        this(nThreads, (ThreadFactory) null);
    }

    /**
     * A group configured from the {@code shunt.*} system properties.
     *
     * @param nThreads number of loops; 0 for Netty's default
     * @param threadFactory creates the loop threads; null for Netty's default
     */
    public ShuntEventLoopGroup(int nThreads, ThreadFactory threadFactory) {
        this(nThreads, threadFactory, ShuntConfig.fromSystemProperties());
    }

    /**
     * A group with an explicit configuration (its {@code spinNanos} is the loops' spin budget).
     *
     * @param nThreads number of loops; 0 for Netty's default
     * @param threadFactory creates the loop threads; null for Netty's default
     * @param config the configuration in force
     */
    public ShuntEventLoopGroup(int nThreads, ThreadFactory threadFactory, ShuntConfig config) {
        super(nThreads, threadFactory, ShuntIoHandler.newFactory(config));
    }
}
