package dev.shunt.doctor;

import dev.shunt.core.ShuntConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code shunt.*} configuration in effect, read by {@link ShuntConfig#from(Properties)} exactly as every adapter
 * reads it. One difference, said in the report: where {@code shunt.enabled} is not set at all the doctor judges with
 * it true, since the question it answers is what Shunt would do here once turned on.
 */
final class ConfigurationProbe {
    private static final String PREFIX = "shunt.";
    /** The properties the core reads; any other {@code shunt.*} one is reported, as a likely misspelling. */
    private static final Set<String> CORE_PROPERTIES = Set.of(ShuntConfig.ENABLED, ShuntConfig.MPK,
            ShuntConfig.RING_BYTES, ShuntConfig.SPIN_NANOS, ShuntConfig.HANDSHAKE_TIMEOUT_MILLIS,
            ShuntConfig.QUIET_RELEASE_MILLIS, ShuntConfig.MAX_MAPPINGS);

    private ConfigurationProbe() {
    }

    /**
     * The configuration read.
     *
     * @param config the configuration the verdict is judged under, or null when a property is malformed
     * @param error why a property is malformed, or null
     */
    record Result(ShuntConfig config, String error) {
    }

    /**
     * Adds the configuration section to {@code report}.
     *
     * @param properties the properties Shunt would read (the system properties, with the doctor's {@code -D}
     *     arguments)
     * @return the configuration, or why it cannot be read
     */
    static Result probe(Properties properties, Facts report) {
        Facts section = report.section("configuration", "configuration (shunt.* properties)");
        Facts set = section.section("properties", "set");
        List<String> others = new ArrayList<>();
        for (String name : new TreeSet<>(properties.stringPropertyNames())) {
            if (name.startsWith(PREFIX)) {
                set.put(name, name, properties.getProperty(name));
                if (!CORE_PROPERTIES.contains(name)) {
                    others.add(name);
                }
            }
        }
        section.put("notReadByCore", "set but not read by Shunt's core (misspelt?)", others);
        boolean assumeEnabled = properties.getProperty(ShuntConfig.ENABLED) == null;
        ShuntConfig config;
        try {
            config = ShuntConfig.from(properties);
        } catch (IllegalArgumentException e) {
            section.put("valid", "valid", false).put("error", "error", e.getMessage());
            return new Result(null, e.getMessage());
        }
        if (assumeEnabled) {
            config = config.withEnabled(true);
        }
        section.put("valid", "valid", true).put("error", "error", null);
        section.put("enabledAssumed", ShuntConfig.ENABLED + " not set, judged as true (the application must set it)",
                assumeEnabled);
        section.section("effective", "in effect")
                .put(ShuntConfig.ENABLED, ShuntConfig.ENABLED, config.enabled())
                .put(ShuntConfig.MPK, ShuntConfig.MPK, config.mpk().propertyValue())
                .put(ShuntConfig.RING_BYTES, ShuntConfig.RING_BYTES, config.ringBytes())
                .put(ShuntConfig.SPIN_NANOS, ShuntConfig.SPIN_NANOS, config.spinNanos())
                .put(ShuntConfig.HANDSHAKE_TIMEOUT_MILLIS, ShuntConfig.HANDSHAKE_TIMEOUT_MILLIS,
                        config.handshakeTimeoutMillis())
                .put(ShuntConfig.QUIET_RELEASE_MILLIS, ShuntConfig.QUIET_RELEASE_MILLIS, config.quietReleaseMillis())
                .put(ShuntConfig.MAX_MAPPINGS, ShuntConfig.MAX_MAPPINGS,
                        config.maxMappings() == ShuntConfig.DERIVED_MAX_MAPPINGS ? "derived" : config.maxMappings());
        return new Result(config, null);
    }
}
