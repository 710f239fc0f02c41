package dev.shunt.bench;

import java.util.List;
import java.util.Locale;

/** The transports the tool compares, each with the system properties both JVMs run with. */
enum Transport {
    /** A plain Unix socket through the JDK's blocking {@code SocketChannel}: the kernel path. */
    KERNEL("kernel", "JDK Unix socket (kernel)", List.of("shunt.enabled=false")),
    /** Shunt's shared-memory ring, both sides spinning before they park (the default). */
    SHUNT("shunt", "Shunt fast path, peer spinning", List.of("shunt.enabled=true")),
    /** Shunt's ring with no spin budget: every message wakes a parked peer through a futex. */
    SHUNT_PARKED("shunt-parked", "Shunt fast path, peer parked", List.of("shunt.enabled=true", "shunt.spinNanos=0"));

    final String id;
    final String label;
    final List<String> properties;

    Transport(String id, String label, List<String> properties) {
        this.id = id;
        this.label = label;
        this.properties = properties;
    }

    boolean usesShunt() {
        return this != KERNEL;
    }

    static Transport parse(String id) {
        for (Transport t : values()) {
            if (t.id.equals(id.trim().toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown transport '" + id + "'; choose from kernel, shunt, shunt-parked");
    }
}
