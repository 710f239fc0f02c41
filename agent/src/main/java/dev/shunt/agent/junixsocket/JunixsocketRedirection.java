package dev.shunt.agent.junixsocket;

import static net.bytebuddy.matcher.ElementMatchers.isBridge;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.shunt.core.ShuntConfig;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.modifier.FieldManifestation;
import net.bytebuddy.description.modifier.Visibility;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.Nexus;
import net.bytebuddy.implementation.FieldAccessor;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.pool.TypePool;
import net.bytebuddy.utility.JavaModule;
import org.slf4j.LoggerFactory;

/**
 * Gives applications that use junixsocket directly ({@code AFUNIXSocket}, {@code AFUNIXServerSocket}, the
 * {@code AFUNIXSocketFactory} variants) Shunt's fast path, by rewriting junixsocket's classes in place as the
 * application's class loader loads them (Byte Buddy itself is loaded only then: {@link DeferredTransformer}):
 * {@code AFUNIXSocket} is final, with a private constructor and final data
 * path methods, so no Shunt socket can stand in where the application's code says {@code AFUNIXSocket}. The
 * application keeps junixsocket's own objects; the handshake runs around their connect and accept
 * ({@link SocketAdvice}, {@link ServerSocketAdvice}), and the streams of a connection on the fast path read and write
 * its {@link Ring} ({@link StreamAdvice}, {@link ImplAdvice}). See {@code docs/junixsocket.md}.
 *
 * <p>Each class is rewritten whole or not at all: a method the advice expects and does not find (another junixsocket
 * release) leaves that class as it was, and {@link JunixsocketHooks} then keeps every connection on the kernel
 * socket. Classes loaded by a class loader that cannot see the agent's classes (on the system class path) are left
 * as they are, as the inlined advice calls them.
 */
public final class JunixsocketRedirection {
    private static final String PACKAGE = "org.newsclub.net.unix.";

    private JunixsocketRedirection() {
    }

    /**
     * Installs the rewriting, before the application loads junixsocket.
     *
     * @param instrumentation the JVM's instrumentation
     * @param config the configuration in force (Shunt enabled)
     */
    public static void install(Instrumentation instrumentation, ShuntConfig config) {
        JunixsocketHooks.configure(config);
        instrumentation.addTransformer(new DeferredTransformer(JunixsocketRedirection::transformer));
    }

    /** @return Byte Buddy's transformer of the junixsocket classes, built when the first of them loads */
    private static ClassFileTransformer transformer() {
        // Byte Buddy's AgentBuilder would otherwise inject its Nexus class into the system class loader (through
        // sun.misc.Unsafe, which JDK 25 warns about); the advice needs no initializer. The name is the relocated copy's.
        System.setProperty(Nexus.PROPERTY, "true");
        ClassFileLocator agentClasses = ClassFileLocator.ForClassLoader.of(JunixsocketRedirection.class.getClassLoader());
        TypePool advicePool = TypePool.Default.of(agentClasses);
        AgentBuilder builder = new AgentBuilder.Default()
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(new Recorder())
                .ignore(not(nameStartsWith(PACKAGE)));
        for (Rewrite rewrite : rewrites(advicePool, agentClasses)) {
            builder = builder.type(named(PACKAGE + rewrite.type), new SeesTheAgent()).transform(rewrite);
        }
        return builder.makeRaw();
    }

    private static List<Rewrite> rewrites(TypePool advicePool, ClassFileLocator agentClasses) {
        return List.of(
                new Rewrite("AFSocket", Added.IMPL_ACCESS, advicePool, agentClasses, List.of(
                        new Patch(named("connect").and(takesArguments(SocketAddress.class, int.class)),
                                SocketAdvice.Connect.class))),
                new Rewrite("AFUNIXSocket", Added.NOTHING, advicePool, agentClasses, List.of(
                        new Patch(named("setOutboundFileDescriptors"), DescriptorAdvice.SetOutbound.class))),
                new Rewrite("AFSocketImpl", Added.ATTACHMENT, advicePool, agentClasses, List.of(
                        new Patch(named("close").and(takesArguments(0)), ImplAdvice.Close.class),
                        new Patch(named("shutdownInput").and(takesArguments(0)), ImplAdvice.RingOfThis.class, ImplAdvice.ShutdownInput.class),
                        new Patch(named("shutdownOutput").and(takesArguments(0)), ImplAdvice.RingOfThis.class, ImplAdvice.ShutdownOutput.class),
                        new Patch(named("available").and(takesArguments(0)), ImplAdvice.RingOfThis.class, ImplAdvice.Available.class),
                        new Patch(named("read").and(takesArguments(2)).and(takesArgument(0, ByteBuffer.class)),
                                ImplAdvice.RingOfThis.class, ImplAdvice.ChannelRead.class),
                        new Patch(named("write").and(takesArguments(ByteBuffer.class)), ImplAdvice.RingOfThis.class, ImplAdvice.ChannelWrite.class),
                        new Patch(named("setOption0").and(takesArguments(int.class, Object.class)),
                                ImplAdvice.SetOption.class))),
                new Rewrite("AFSocketImpl$AFInputStreamImpl", Added.NOTHING, advicePool, agentClasses, List.of(
                        new Patch(named("read").and(takesArguments(byte[].class, int.class, int.class)),
                                StreamAdvice.RingOfImplToRead.class, StreamAdvice.Read.class),
                        new Patch(named("read").and(takesArguments(0)), StreamAdvice.RingOfImplToRead.class, StreamAdvice.ReadByte.class),
                        new Patch(named("close").and(takesArguments(0)), StreamAdvice.RingOfImpl.class, StreamAdvice.CloseInput.class))),
                new Rewrite("AFSocketImpl$AFOutputStreamImpl", Added.NOTHING, advicePool, agentClasses, List.of(
                        new Patch(named("write").and(takesArguments(byte[].class, int.class, int.class)),
                                StreamAdvice.RingOfImpl.class, StreamAdvice.Write.class),
                        new Patch(named("write").and(takesArguments(int.class)), StreamAdvice.RingOfImpl.class, StreamAdvice.WriteByte.class),
                        new Patch(named("close").and(takesArguments(0)), StreamAdvice.RingOfImpl.class, StreamAdvice.CloseOutput.class))),
                new Rewrite("AFServerSocket", Added.ATTACHMENT, advicePool, agentClasses, List.of(
                        new Patch(named("accept").and(takesArguments(0)), ServerSocketAdvice.Accept.class),
                        new Patch(named("close").and(takesArguments(0)), ServerSocketAdvice.Close.class))));
    }

    /** What a rewritten class gains besides its advice. */
    private enum Added {
        NOTHING,
        /** the {@link ShuntAttachment} field and its accessors */
        ATTACHMENT,
        /** {@link SocketImplAccess} */
        IMPL_ACCESS
    }

    /** One method of a junixsocket class and the advice inlined into it: one class, or an enter and an exit class. */
    private static final class Patch {
        final ElementMatcher<MethodDescription> method;
        /** The class of the enter advice when it is not {@link #advice}'s own, else null. */
        final String enter;
        final String advice;

        Patch(ElementMatcher.Junction<MethodDescription> method, Class<?> advice) {
            this(method, null, advice);
        }

        Patch(ElementMatcher.Junction<MethodDescription> method, Class<?> enter, Class<?> exit) {
            this.method = method.and(not(isBridge()));
            this.enter = enter == null ? null : enter.getName();
            this.advice = exit.getName();
        }
    }

    /**
     * Rewrites one class: checks that each patched method exists exactly once (or fails the class, which then loads
     * unchanged), inlines the advice, and adds the agent's field or accessor. The advice is described from its class
     * file, never loaded as a class of its own: its bodies name junixsocket's classes, which must not be loaded
     * before this rewriting is in place.
     */
    private static final class Rewrite implements AgentBuilder.Transformer {
        private final String type;
        private final Added added;
        private final TypePool advicePool;
        private final ClassFileLocator agentClasses;
        private final List<Patch> patches;

        Rewrite(String type, Added added, TypePool advicePool, ClassFileLocator agentClasses, List<Patch> patches) {
            this.type = type;
            this.added = added;
            this.advicePool = advicePool;
            this.agentClasses = agentClasses;
            this.patches = patches;
        }

        @Override
        public DynamicType.Builder<?> transform(DynamicType.Builder<?> builder, TypeDescription type,
                ClassLoader loader, JavaModule module, java.security.ProtectionDomain domain) {
            for (Patch patch : patches) {
                int found = type.getDeclaredMethods().filter(patch.method).size();
                if (found != 1) {
                    throw new IllegalStateException(type.getName() + " has " + found + " methods the agent expects once"
                            + " (" + patch.advice + ")");
                }
                TypeDescription advice = advicePool.describe(patch.advice).resolve();
                builder = builder.visit((patch.enter == null ? Advice.to(advice, agentClasses)
                        : Advice.to(advicePool.describe(patch.enter).resolve(), advice, agentClasses))
                        .on(patch.method));
            }
            if (added == Added.ATTACHMENT) {
                builder = builder.defineField("shunt$attachment", Object.class, Visibility.PRIVATE,
                                FieldManifestation.VOLATILE)
                        .implement(ShuntAttachment.class).intercept(FieldAccessor.ofField("shunt$attachment"));
            }
            if (added == Added.IMPL_ACCESS) {
                builder = builder.implement(SocketImplAccess.class).intercept(FieldAccessor.ofField("impl"));
            }
            return builder;
        }
    }

    /** Only class loaders from which the inlined advice can reach the agent's classes. */
    private static final class SeesTheAgent extends ElementMatcher.Junction.AbstractBase<ClassLoader> {
        @Override
        public boolean matches(ClassLoader loader) {
            try {
                return loader != null && Class.forName(ShuntAttachment.class.getName(), false, loader)
                        == ShuntAttachment.class;
            } catch (ClassNotFoundException | LinkageError e) {
                return false;
            }
        }
    }

    /** Records each rewritten class for {@link JunixsocketHooks}, and logs a class left as it was. */
    private static final class Recorder extends AgentBuilder.Listener.Adapter {
        @Override
        public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded,
                DynamicType dynamicType) {
            JunixsocketHooks.rewritten(loader, type.getName());
        }

        @Override
        public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded,
                Throwable throwable) {
            // The logger is looked up here, not at start-up: the agent touches no logging before main.
            LoggerFactory.getLogger(JunixsocketRedirection.class).warn("Shunt leaves {} as it is, and junixsocket's connections on the kernel socket: {}", typeName,
                    throwable.toString());
        }
    }
}
