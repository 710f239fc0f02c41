package dev.shunt.agent;

import dev.shunt.agent.junixsocket.JunixsocketRedirection;
import dev.shunt.agent.netty.NettyRedirection;
import dev.shunt.core.ShuntConfig;
import dev.shunt.jdk.ShuntSelectorProvider;
import java.lang.instrument.Instrumentation;
import java.nio.channels.spi.SelectorProvider;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code -javaagent:shunt-agent.jar}: gives an unchanged application on the JDK's Unix-domain channels Shunt's fast
 * path, with no other JVM flag. With {@code shunt.enabled=true} it lets itself reach the JDK's channel internals
 * ({@code sun.nio.ch}, exported to the class path by {@link Instrumentation#redefineModule}, the agent's equivalent of
 * {@code --add-exports}) and names {@link ShuntSelectorProvider} as the JVM's selector provider, before the
 * application's {@code main} opens its first channel; and it gives applications on Netty's native epoll domain-socket
 * channels Shunt's Netty channels and loop ({@link NettyRedirection}). Without {@code shunt.enabled=true} it does
 * nothing at all.
 *
 * <p>Its dependencies are its own copies under {@code dev.shunt.agent.shaded}, so an application that carries Shunt,
 * SLF4J, JNR or ASM itself keeps its own. It writes nothing at start-up unless it cannot install the provider: no
 * logging framework is touched before the application's {@code main} can configure it.
 */
public final class ShuntAgent {
    static final String PROVIDER_PROPERTY = "java.nio.channels.spi.SelectorProvider";

    private ShuntAgent() {
    }

    /**
     * The agent's entry point before {@code main}.
     *
     * @param args the agent's options; none are read ({@code shunt.*} system properties configure Shunt)
     * @param instrumentation the JVM's instrumentation
     */
    public static void premain(String args, Instrumentation instrumentation) {
        if (!"true".equals(System.getProperty(ShuntConfig.ENABLED, "").trim().toLowerCase(Locale.ROOT))) {
            return;
        }
        ShuntConfig config;
        try {
            config = ShuntConfig.fromSystemProperties();
        } catch (IllegalArgumentException e) {
            refuse("a shunt.* property is malformed (" + e.getMessage() + ")");
            return;
        }
        JunixsocketRedirection.install(instrumentation, config);
        NettyRedirection.install(instrumentation);
        String named = System.getProperty(PROVIDER_PROPERTY);
        if (named != null) {
            refuse(PROVIDER_PROPERTY + " already names " + named);
            return;
        }
        Module javaBase = Object.class.getModule();
        instrumentation.redefineModule(javaBase, Set.of(), Map.of("sun.nio.ch", Set.of(ShuntAgent.class.getModule())),
                Map.of(), Set.of(), Map.of());
        NativeAccess.grant(instrumentation);
        System.setProperty(PROVIDER_PROPERTY, ShuntSelectorProvider.class.getName());
        SelectorProvider installed = SelectorProvider.provider();
        if (!(installed instanceof ShuntSelectorProvider)) {
            refuse("the JVM chose its selector provider before the agent ran: " + installed.getClass().getName());
        }
    }

    /** Start-up goes on without Shunt; one line on standard error says why. */
    private static void refuse(String why) {
        System.err.println("shunt-agent: Shunt stays off: " + why);
    }
}
