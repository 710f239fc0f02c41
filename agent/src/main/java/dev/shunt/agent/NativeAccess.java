package dev.shunt.agent;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Set;

/**
 * Grants the class path native access where the JDK controls it, as {@code --enable-native-access=ALL-UNNAMED}
 * would, so that jffi's {@code System.load} (JNR-FFI's stub library, loaded with the first Unix-domain channel) prints
 * no "restricted method" warning on JDK 24 and later. The agent's classes and jffi's are on the class path, whose
 * native access the JDK grants per class path, not per jar; a manifest's {@code Enable-Native-Access} counts only in
 * the jar that {@code java -jar} runs, never in an agent's.
 *
 * <p>The JDK's own {@code jdk.internal.module.Modules.addEnableNativeAccessToAllUnnamed()} does it, with the internal
 * call the launcher's option makes; {@link Instrumentation#redefineModule} exports its package to the agent first.
 * JDK 17 has no such method and needs nothing (no JDK before 24 warns).
 */
final class NativeAccess {
    private static final String MODULES = "jdk.internal.module.Modules";

    private NativeAccess() {
    }

    /**
     * Grants it, or says on standard error why not (Shunt still runs; the JVM then warns).
     *
     * @param instrumentation the JVM's instrumentation
     */
    static void grant(Instrumentation instrumentation) {
        Method grant;
        try {
            grant = Class.forName(MODULES).getMethod("addEnableNativeAccessToAllUnnamed");
        } catch (ReflectiveOperationException e) {
            return;
        }
        Module javaBase = Object.class.getModule();
        String pkg = MODULES.substring(0, MODULES.lastIndexOf('.'));
        instrumentation.redefineModule(javaBase, Set.of(), Map.of(pkg, Set.of(NativeAccess.class.getModule())),
                Map.of(), Set.of(), Map.of());
        try {
            grant.invoke(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("shunt-agent: native access not granted (" + e + "); the JVM may warn of jffi's"
                    + " System.load, which --enable-native-access=ALL-UNNAMED silences");
        }
    }
}
