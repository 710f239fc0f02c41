package dev.shunt.agent.netty;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the code woven into Netty calls ({@link NettyAdvice}). Its parameters are {@code Object}s and it names no Netty
 * type, so the woven code links from any class loader; it hands over to {@link ShuntNetty} as linked against the
 * Netty the call comes from ({@link ShuntNettyBinding}): the agent's own classes for the class path's Netty, copies
 * in a loader over the Netty's for one in another loader. Where that fails, Netty keeps its channels and one WARN
 * says why.
 *
 * <p>Public because the woven code runs in Netty's packages; not an API.
 */
public final class NettyRedirect {
    private static final Logger LOG = LoggerFactory.getLogger(NettyRedirect.class);
    private static final ClassLoader AGENT_LOADER = NettyRedirect.class.getClassLoader();
    /** Where Netty's classes are: Netty's own names, and grpc-netty-shaded's relocated copy. */
    static final List<String> NETTY_PREFIXES = List.of("", "io.grpc.netty.shaded.");
    private static final String EPOLL_PACKAGE = "io.netty.channel.epoll.";
    private static final String REFLECTIVE_FACTORY = "io.netty.channel.ReflectiveChannelFactory";
    /** The channel classes replaced; anything else (TCP, NIO, io_uring) is left alone. */
    private static final Set<String> REPLACED = Set.of(EPOLL_PACKAGE + "EpollDomainSocketChannel",
            EPOLL_PACKAGE + "EpollServerDomainSocketChannel");
    /**
     * Per Netty, keyed by its {@code io.netty.channel.Channel}: Shunt bound to it, or empty where that failed (said
     * once). A {@code ClassValue}, so that a binding, which holds a loader over the Netty's, never keeps it alive.
     */
    private static final ClassValue<Optional<ShuntNettyBinding>> BINDINGS = new ClassValue<>() {
        @Override
        protected Optional<ShuntNettyBinding> computeValue(Class<?> channel) {
            return bind(channel);
        }
    };

    private NettyRedirect() {
    }

    /**
     * @param type the class a {@code ReflectiveChannelFactory} is given
     * @return Shunt's channel class for an epoll domain-socket class, else {@code type}
     */
    public static Class<?> channelClass(Class<?> type) {
        if (type == null || !REPLACED.contains(unprefixed(type.getName()))) {
            return type;
        }
        Optional<ShuntNettyBinding> shunt = binding(type);
        return shunt.isPresent() ? shunt.get().channelClass(type) : type;
    }

    /**
     * @param bootstrap {@code AbstractBootstrap}, the class the call comes from
     * @param factory the channel factory an application gives a bootstrap
     * @return a factory that replaces the epoll domain-socket channels {@code factory} makes, or {@code factory} itself
     *     when it is a {@code ReflectiveChannelFactory} (its class was already replaced)
     */
    public static Object channelFactory(Class<?> bootstrap, Object factory) {
        if (factory == null || unprefixed(factory.getClass().getName()).equals(REFLECTIVE_FACTORY)) {
            return factory;
        }
        Optional<ShuntNettyBinding> shunt = binding(bootstrap);
        return shunt.isPresent() ? shunt.get().channelFactory(factory) : factory;
    }

    /**
     * @param epollIoHandler {@code EpollIoHandler}, the class the call comes from
     * @param factory what {@code EpollIoHandler.newFactory(..)} returned
     * @return a {@code ShuntIoHandler} factory over {@code factory}; {@code factory} itself when Shunt asked for it (a
     *     Shunt loop wraps a stock one)
     */
    public static Object ioHandlerFactory(Class<?> epollIoHandler, Object factory) {
        if (factory == null || calledByShunt()) {
            return factory;
        }
        Optional<ShuntNettyBinding> shunt = binding(epollIoHandler);
        return shunt.isPresent() ? shunt.get().ioHandlerFactory(factory) : factory;
    }

    /**
     * The first caller outside Netty's epoll package and this class is a {@code ShuntIoHandler}, the agent's or an
     * application's own copy: a Shunt loop over the stock handler, which must stay stock.
     */
    private static boolean calledByShunt() {
        Optional<String> caller = StackWalker.getInstance().walk(frames -> frames
                .map(StackWalker.StackFrame::getClassName)
                .filter(name -> !unprefixed(name).startsWith(EPOLL_PACKAGE)
                        && !name.equals(NettyRedirect.class.getName()))
                .findFirst());
        return caller.isPresent() && caller.get().startsWith("dev.shunt.") && caller.get().endsWith(".ShuntIoHandler");
    }

    /** The prefix of a Netty class's name: {@code ""}, or that of grpc-netty-shaded's copy. */
    static String prefix(String className) {
        return NETTY_PREFIXES.stream().filter(prefix -> !prefix.isEmpty() && className.startsWith(prefix)).findFirst()
                .orElse("");
    }

    private static String unprefixed(String className) {
        return className.substring(prefix(className).length());
    }

    /** Shunt as linked against the Netty of {@code nettyClass}, bound once per Netty. */
    private static Optional<ShuntNettyBinding> binding(Class<?> nettyClass) {
        try {
            return BINDINGS.get(Class.forName(prefix(nettyClass.getName()) + "io.netty.channel.Channel", false,
                    nettyClass.getClassLoader()));
        } catch (ClassNotFoundException e) {
            return Optional.empty();
        }
    }

    private static Optional<ShuntNettyBinding> bind(Class<?> channel) {
        ClassLoader loader = channel.getClassLoader();
        try {
            String prefix = prefix(channel.getName());
            if (prefix.isEmpty() && classPathNetty(channel)) {
                return Optional.of(ShuntNettyBinding.classPath());
            }
            ShuntNettyBinding copy = ShuntNettyBinding.over(loader, prefix);
            LOG.debug("Shunt's Netty classes loaded over class loader {} for {}", loader, channel.getName());
            return Optional.of(copy);
        } catch (Exception | LinkageError e) {
            LOG.warn("Netty in class loader {} keeps its epoll domain-socket channels: Shunt's cannot be linked "
                    + "against it ({})", loader, e.toString());
            return Optional.empty();
        }
    }

    /** The agent's loader resolves {@code nettyClass}'s name to {@code nettyClass} itself. */
    private static boolean classPathNetty(Class<?> nettyClass) {
        try {
            return Class.forName(nettyClass.getName(), false, AGENT_LOADER) == nettyClass;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
