package dev.shunt.doctor;

import dev.shunt.nativeio.Capabilities;
import dev.shunt.nativeio.Capability;

/** The platform facts besides protection keys: shared memory as Shunt's probe finds it, the JDK and the kernel. */
final class PlatformProbe {
    private PlatformProbe() {
    }

    /** Adds the memfd, seals, JDK and OS sections to {@code report}. */
    static void probe(Facts report) {
        Capabilities capabilities = Capabilities.current();
        capability(report.section("memfd", "memfd_create"), capabilities.memfd());
        capability(report.section("seals", "memfd seals (F_ADD_SEALS, F_GET_SEALS)"), capabilities.seals());
        report.section("jdk", "JDK")
                .put("version", "version", Runtime.version().toString())
                .put("vendor", "vendor", System.getProperty("java.vendor"))
                .put("home", "home", System.getProperty("java.home"));
        report.section("os", "OS")
                .put("name", "name", System.getProperty("os.name"))
                .put("kernel", "kernel", System.getProperty("os.version"))
                .put("arch", "architecture", System.getProperty("os.arch"));
    }

    private static void capability(Facts section, Capability capability) {
        section.put("available", "works", capability.available())
                .put("reason", "why not", capability.available() ? null : capability.reason());
    }
}
