package dev.shunt.agent.netty;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the code woven into Netty calls ({@link NettyAdvice}). Its parameters are {@code Object}s and it names no Netty
 * type, so the woven code links from any class loader; it hands over to {@link ShuntNetty}, whose Shunt channels link
 * against the Netty this class's loader sees (the class path's, where the agent jar is), only when that is the Netty
 * the call comes from. An application whose Netty lives in another loader keeps Netty's channels, and one WARN says so.
 *
 * <p>Public because the woven code runs in Netty's packages; not an API.
 */
public final class NettyRedirect {
    private static final Logger LOG = LoggerFactory.getLogger(NettyRedirect.class);
    private static final ClassLoader AGENT_LOADER = NettyRedirect.class.getClassLoader();
    private static final String EPOLL_PACKAGE = "io.netty.channel.epoll.";
    private static final String REFLECTIVE_FACTORY = "io.netty.channel.ReflectiveChannelFactory";
    /** The channel classes replaced; anything else (TCP, NIO, io_uring) is left alone. */
    private static final Set<String> REPLACED = Set.of(EPOLL_PACKAGE + "EpollDomainSocketChannel",
            EPOLL_PACKAGE + "EpollServerDomainSocketChannel");
    private static final AtomicBoolean FOREIGN_NETTY_REPORTED = new AtomicBoolean();

    private NettyRedirect() {
    }

    /**
     * @param type the class a {@code ReflectiveChannelFactory} is given
     * @return Shunt's channel class for an epoll domain-socket class of the class path's Netty, else {@code type}
     */
    public static Class<?> channelClass(Class<?> type) {
        if (type == null || !REPLACED.contains(type.getName()) || !sameNetty(type)) {
            return type;
        }
        return ShuntNetty.channelClass(type);
    }

    /**
     * @param bootstrap {@code AbstractBootstrap}, the class the call comes from
     * @param factory the channel factory an application gives a bootstrap
     * @return a factory that replaces the epoll domain-socket channels {@code factory} makes, or {@code factory} itself
     *     when it is a {@code ReflectiveChannelFactory} (its class was already replaced) or Netty is not the class path's
     */
    public static Object channelFactory(Class<?> bootstrap, Object factory) {
        if (factory == null || factory.getClass().getName().equals(REFLECTIVE_FACTORY) || !sameNetty(bootstrap)) {
            return factory;
        }
        return ShuntNetty.channelFactory(factory);
    }

    /**
     * @param epollIoHandler {@code EpollIoHandler}, the class the call comes from
     * @param factory what {@code EpollIoHandler.newFactory(..)} returned
     * @return a {@code ShuntIoHandler} factory over {@code factory}; {@code factory} itself when Shunt asked for it (a
     *     Shunt loop wraps a stock one) or Netty is not the class path's
     */
    public static Object ioHandlerFactory(Class<?> epollIoHandler, Object factory) {
        if (factory == null || calledByShunt() || !sameNetty(epollIoHandler)) {
            return factory;
        }
        return ShuntNetty.ioHandlerFactory(factory);
    }

    /**
     * The first caller outside Netty's epoll package and this class is a {@code ShuntIoHandler}, the agent's or an
     * application's own copy: a Shunt loop over the stock handler, which must stay stock.
     */
    private static boolean calledByShunt() {
        Optional<String> caller = StackWalker.getInstance().walk(frames -> frames
                .map(StackWalker.StackFrame::getClassName)
                .filter(name -> !name.startsWith(EPOLL_PACKAGE) && !name.equals(NettyRedirect.class.getName()))
                .findFirst());
        return caller.isPresent() && caller.get().startsWith("dev.shunt.") && caller.get().endsWith(".ShuntIoHandler");
    }

    /** The agent's loader resolves {@code nettyClass}'s name to {@code nettyClass} itself: Shunt's channels link there. */
    private static boolean sameNetty(Class<?> nettyClass) {
        boolean same;
        try {
            same = Class.forName(nettyClass.getName(), false, AGENT_LOADER) == nettyClass;
        } catch (ClassNotFoundException | LinkageError e) {
            same = false;
        }
        if (!same && FOREIGN_NETTY_REPORTED.compareAndSet(false, true)) {
            LOG.warn("Netty in class loader {} is not the class path's: its epoll domain-socket channels stay Netty's "
                    + "(Shunt's channels link against the class path's Netty only)", nettyClass.getClassLoader());
        }
        return same;
    }
}
