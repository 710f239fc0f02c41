package dev.shunt.bench;

import dev.shunt.nativeio.Capabilities;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the figures were measured on, printed above them. */
final class Machine {
    private Machine() {
    }

    static String describe() {
        return "CPU: " + cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores"
                + "\nProtection keys (PKU): " + (Capabilities.current().protectionKeys().available() ? "yes"
                        : "no (" + Capabilities.current().protectionKeys().reason() + ")")
                + "\nKernel: " + System.getProperty("os.name") + " " + System.getProperty("os.version")
                + "\nJDK: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
