package dev.shunt.bench;

import dev.shunt.core.MpkMode;
import dev.shunt.core.ShuntConfig;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Shunt as {@code shunt-agent.jar} puts it under an unchanged application: its classes are the agent's own relocated
 * copies ({@code dev.shunt.agent.shaded}), which this benchmark reaches by reflection, as it must not link to them.
 */
final class AgentShunt {
    private static final String SHADED = "dev.shunt.agent.shaded.";
    private static final Method SNAPSHOT;
    private static final Method SIGNALS;
    private static final Method PARKS;

    static {
        Method snapshot = null;
        Method signals = null;
        Method parks = null;
        try {
            snapshot = Class.forName(SHADED + "core.ShuntMetrics").getMethod("snapshot");
            Class<?> type = snapshot.getReturnType();
            signals = type.getMethod("doorbellSignals");
            parks = type.getMethod("parks");
        } catch (ReflectiveOperationException e) {
            // no agent in this JVM
        }
        SNAPSHOT = snapshot;
        SIGNALS = signals;
        PARKS = parks;
    }

    private AgentShunt() {
    }

    /** @return the agent jar the build made, beside the benchmark's ({@code agent/target/shunt-agent.jar}) */
    static Path jar() {
        Path jar = Path.of(System.getProperty("shunt.bench.agentJar", defaultJar().toString()));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no " + jar + ": build it with mvn package (or name it with"
                    + " -Dshunt.bench.agentJar)");
        }
        return jar;
    }

    private static Path defaultJar() {
        try {
            Path benchmarks = Path.of(ShuntBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return benchmarks.getParent().resolve("../../agent/target/shunt-agent.jar").normalize();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return whether this JVM runs the agent's Shunt */
    static boolean present() {
        return SNAPSHOT != null;
    }

    /** @return the agent's doorbell signals and parks so far */
    static long[] signalsAndParks() {
        try {
            Object snapshot = SNAPSHOT.invoke(null);
            return new long[] {(long) SIGNALS.invoke(snapshot), (long) PARKS.invoke(snapshot)};
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param channel a {@code SocketChannel} of this JVM's provider
     * @return the path it took ({@link ShuntPath}), or "kernel socket" for a JDK channel
     */
    static String path(Object channel) {
        Class<?> type = channel.getClass();
        if (!type.getName().startsWith(SHADED)) {
            return "kernel socket";
        }
        try {
            if ((boolean) type.getMethod("isFastPath").invoke(channel)) {
                MpkMode mpk = MpkMode.parse(System.getProperty(ShuntConfig.MPK, "required"));
                return ShuntPath.fastPath((boolean) type.getMethod("isProtected").invoke(channel), mpk);
            }
            Object reason = type.getMethod("fallbackReason").invoke(channel);
            return "kernel socket (" + (reason == null ? "not settled"
                    : reason.getClass().getMethod("description").invoke(reason)) + ")";
        } catch (ReflectiveOperationException e) {
            return "unknown (" + e.toString().toLowerCase(Locale.ROOT) + ")";
        }
    }
}
