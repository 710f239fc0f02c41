package dev.shunt.agent.netty;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * The code {@link NettyRedirection} weaves into Netty's classes. Byte Buddy copies these bodies into Netty's methods;
 * they only hand over to {@link NettyRedirect}, whose parameters are {@code Object}s so that the woven code links
 * whichever class loader holds Netty. Whatever they throw is dropped and Netty's method goes on as written: a Netty
 * whose class loader cannot see the agent's classes (one that does not delegate to the class path) then gets a
 * {@code NoClassDefFoundError} here, and keeps its own channels.
 */
final class NettyAdvice {
    private NettyAdvice() {
    }

    /** On entry of {@code ReflectiveChannelFactory(Class)}: the channel class to instantiate. */
    static final class ChannelClass {
        private ChannelClass() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(value = 0, readOnly = false) Class<?> type) {
            type = NettyRedirect.channelClass(type);
        }
    }

    /** On entry of {@code AbstractBootstrap.channelFactory(io.netty.bootstrap.ChannelFactory)}, where all factories go. */
    static final class ChannelFactory {
        private ChannelFactory() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Origin Class<?> bootstrap,
                @Advice.Argument(value = 0, readOnly = false, typing = Assigner.Typing.DYNAMIC) Object factory) {
            factory = NettyRedirect.channelFactory(bootstrap, factory);
        }
    }

    /** On exit of {@code EpollIoHandler.newFactory(int, SelectStrategyFactory)}. */
    static final class IoHandlerFactory {
        private IoHandlerFactory() {
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Origin Class<?> epollIoHandler,
                @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object factory) {
            factory = NettyRedirect.ioHandlerFactory(epollIoHandler, factory);
        }
    }
}
