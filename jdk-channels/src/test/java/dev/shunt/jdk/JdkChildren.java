package dev.shunt.jdk;

import dev.shunt.core.ShuntConfig;
import dev.shunt.core.testing.ChildJvm;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Starts second JVMs whose JDK channels are Shunt's (the provider installed by system property) or the JDK's own. */
final class JdkChildren {
    /** What the provider needs without the agent: the JDK's channel internals, exported to the class path. */
    static final String EXPORTS = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";

    private JdkChildren() {
    }

    /**
     * @param shunt whether the child's JVM-wide provider is Shunt's
     * @param properties further {@code key=value} system properties
     */
    static ChildJvm start(boolean shunt, List<String> properties, Class<?> main, String... args) throws IOException {
        return start(List.of(), shunt, properties, main, args);
    }

    /**
     * @param prefix what the child's command line starts with (for example {@code taskset -c 0})
     * @param shunt whether the child's JVM-wide provider is Shunt's
     * @param properties further {@code key=value} system properties
     */
    static ChildJvm start(List<String> prefix, boolean shunt, List<String> properties, Class<?> main, String... args)
            throws IOException {
        List<String> all = new ArrayList<>(properties);
        if (shunt) {
            all.add("java.nio.channels.spi.SelectorProvider=" + ShuntSelectorProvider.class.getName());
        }
        if (all.stream().noneMatch(p -> p.startsWith(ShuntConfig.ENABLED + "="))) {
            all.add(ShuntConfig.ENABLED + "=true");
        }
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of("env", "JDK_JAVA_OPTIONS=" + EXPORTS));
        return ChildJvm.start(command, all, main, args);
    }
}
