package dev.shunt.bench;

import dev.shunt.nativeio.Capabilities;
import dev.shunt.nativeio.Capability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the figures were measured on, printed above them and stored in the JSON file.
 *
 * @param cpu CPU model name
 * @param cores logical processors available to the JVM
 * @param virtualMachine whether the CPU flags say "hypervisor"
 * @param pku whether protection keys work here (the probe Shunt itself runs)
 * @param pkuDetail why not, when they do not
 * @param kernel operating system and kernel release
 * @param jdk the JVM running the benchmark (all its JVMs use the same)
 * @param loadAverage /proc/loadavg's 1-minute figure at the start: above ~0.5, something else is running
 */
record Machine(String cpu, int cores, boolean virtualMachine, boolean pku, String pkuDetail, String kernel,
        String jdk, String loadAverage) {

    static Machine current() {
        List<String> cpuinfo = lines(Path.of("/proc/cpuinfo"));
        String model = cpuinfo.stream().filter(l -> l.startsWith("model name")).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
        boolean hypervisor = cpuinfo.stream().anyMatch(l -> l.startsWith("flags") && l.contains(" hypervisor"));
        Capability keys = Capabilities.current().protectionKeys();
        String load = lines(Path.of("/proc/loadavg")).stream().findFirst().map(l -> l.split(" ")[0]).orElse("unknown");
        return new Machine(model, Runtime.getRuntime().availableProcessors(), hypervisor, keys.available(),
                keys.available() ? "" : keys.reason(),
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"), load);
    }

    /** Lines for the top of the report, Markdown line breaks included. */
    String markdown() {
        return String.join("  \n",
                "CPU: " + cpu + ", " + cores + " cores" + (virtualMachine ? " (virtual machine)" : ""),
                "Protection keys (PKU): " + (pku ? "yes" : "no (" + pkuDetail + ")"),
                "Kernel: " + kernel,
                "JDK: " + jdk,
                "Load average at start: " + loadAverage);
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }
}
