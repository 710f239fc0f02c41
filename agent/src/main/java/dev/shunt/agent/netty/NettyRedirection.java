package dev.shunt.agent.netty;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.HashMap;
import java.util.Map;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.pool.TypePool;

/**
 * Moves an unchanged application from Netty's native epoll domain-socket channels onto Shunt's, by three advices woven
 * into Netty's own classes as they load (never into the application's):
 * <ul>
 *   <li>{@code ReflectiveChannelFactory(Class)}: the class it is given ({@code channel(Class)}, gRPC's
 *       {@code channelType}, a class found by {@code Class.forName}) becomes Shunt's;</li>
 *   <li>{@code AbstractBootstrap.channelFactory(..)}: any other factory (a method reference, a lambda that calls
 *       {@code new EpollDomainSocketChannel()}) is wrapped, and an epoll domain channel it makes is replaced;</li>
 *   <li>{@code EpollIoHandler.newFactory(int, SelectStrategyFactory)} (which {@code newFactory()} and every
 *       {@code EpollEventLoopGroup} constructor call): the factory it returns becomes a {@code ShuntIoHandler} factory
 *       over it, so the application's loops keep their threads and settings and gain the rings' polling.</li>
 * </ul>
 * Shunt's classes are linked against the application's Netty, wherever it was loaded from ({@link NettyRedirect}). The
 * same goes for grpc-java's relocated copy of Netty in {@code grpc-netty-shaded} ({@code io.grpc.netty.shaded.io.netty}).
 */
public final class NettyRedirection {
    private NettyRedirection() {
    }

    /**
     * Installs the advices; Netty classes loaded from now on carry them.
     *
     * @param instrumentation the JVM's instrumentation
     */
    public static void install(Instrumentation instrumentation) {
        Map<String, AsmVisitorWrapper> advices = new HashMap<>();
        for (String prefix : NettyRedirect.NETTY_PREFIXES) {
            String internal = prefix.replace('.', '/');
            advices.put(internal + "io/netty/channel/ReflectiveChannelFactory",
                    Advice.to(NettyAdvice.ChannelClass.class).on(isConstructor().and(takesArguments(Class.class))));
            advices.put(internal + "io/netty/bootstrap/AbstractBootstrap", Advice.to(NettyAdvice.ChannelFactory.class)
                    .on(named("channelFactory").and(takesArgument(0, named(prefix + "io.netty.bootstrap.ChannelFactory")))));
            advices.put(internal + "io/netty/channel/epoll/EpollIoHandler", Advice.to(NettyAdvice.IoHandlerFactory.class)
                    .on(isStatic().and(named("newFactory")).and(takesArguments(2))));
        }
        instrumentation.addTransformer(new Weaver(Map.copyOf(advices)));
    }

    /**
     * Weaves an advice into the class of that name as it loads, in whichever loader. A plain transformer rather than
     * Byte Buddy's {@code AgentBuilder}, whose set-up reaches for {@code sun.misc.Unsafe} (a warning on JDK 24+).
     */
    private static final class Weaver implements ClassFileTransformer {
        private final Map<String, AsmVisitorWrapper> advices;

        Weaver(Map<String, AsmVisitorWrapper> advices) {
            this.advices = advices;
        }

        @Override
        public byte[] transform(ClassLoader loader, String internalName, Class<?> redefined, ProtectionDomain domain,
                byte[] bytes) {
            AsmVisitorWrapper advice = internalName == null ? null : advices.get(internalName);
            if (advice == null || redefined != null) {
                return null;
            }
            String name = internalName.replace('/', '.');
            try {
                ClassFileLocator locator = new ClassFileLocator.Compound(ClassFileLocator.Simple.of(name, bytes),
                        loader == null ? ClassFileLocator.ForClassLoader.ofBootLoader()
                                : ClassFileLocator.ForClassLoader.of(loader));
                return new ByteBuddy().redefine(TypePool.Default.of(locator).describe(name).resolve(), locator)
                        .visit(advice).make().getBytes();
            } catch (RuntimeException | LinkageError e) {
                // The class keeps Netty's behaviour: better than an application that cannot start.
                System.err.println("shunt-agent: " + name + " keeps Netty's own channels: " + e);
                return null;
            }
        }
    }
}
