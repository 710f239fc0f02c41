package dev.shunt.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The memory mappings this process's fast-path connections hold, against {@code shunt.maxMappings}. Every mapping
 * counts against the kernel's {@code vm.max_map_count}, which the JVM needs too (heap, code, a few per thread):
 * past the bound a new connection stays on the kernel socket ({@link FallbackReason#MAPPING_LIMIT}), so that a
 * client opening connections in a loop can run this process out of descriptors, as with any server, but never out
 * of mappings.
 *
 * <p>The bound is checked when a handshake starts, before this side commits to the fast path, and regions count
 * once they are mapped: handshakes running at the same moment may pass it together, by at most their number of
 * regions.
 */
final class MappingBudget {
    /** The most mappings one region takes: control page, then each ring's pages where their rights differ. */
    static final int MOST_PER_REGION = 3;
    private static final Logger LOG = LoggerFactory.getLogger(MappingBudget.class);
    private static final Path MAX_MAP_COUNT = Path.of("/proc/sys/vm/max_map_count");
    private static final Path MAPS = Path.of("/proc/self/maps");
    /** What Linux has had as {@code vm.max_map_count} by default for decades; used when the file cannot be read. */
    private static final int KERNEL_DEFAULT_MAX_MAP_COUNT = 65_530;
    private static final AtomicInteger IN_USE = new AtomicInteger();
    private static final Object LOCK = new Object();
    private static int derived;

    private MappingBudget() {
    }

    /**
     * @param config the configuration in force
     * @throws FallbackException with {@link FallbackReason#MAPPING_LIMIT} when one more region would pass the bound
     */
    static void check(ShuntConfig config) throws FallbackException {
        int bound = bound(config);
        int used = IN_USE.get();
        if ((long) used + MOST_PER_REGION > bound) {
            throw new FallbackException(FallbackReason.MAPPING_LIMIT, used + " mappings held by fast-path connections,"
                    + " bound " + bound + " (" + ShuntConfig.MAX_MAPPINGS + ")");
        }
    }

    /** @return the bound in force under a configuration */
    static int bound(ShuntConfig config) {
        return config.maxMappings() == ShuntConfig.DERIVED_MAX_MAPPINGS ? derived() : config.maxMappings();
    }

    /** Counts the mappings of a region just mapped. */
    static void acquire(int mappings) {
        IN_USE.addAndGet(mappings);
    }

    /** Uncounts the mappings of a region just unmapped. */
    static void release(int mappings) {
        IN_USE.addAndGet(-mappings);
    }

    /** @return mappings held by fast-path connections of this process now */
    static int inUse() {
        return IN_USE.get();
    }

    /**
     * @return half of what {@code vm.max_map_count} leaves after the mappings this process has when first asked: the
     *     other half stays for the JVM's own growth and the application's
     */
    private static int derived() {
        synchronized (LOCK) {
            if (derived == 0) {
                int max = maxMapCount();
                int present = mappingsNow();
                derived = Math.max(MOST_PER_REGION, (max - present) / 2);
                LOG.debug("Fast-path connections may hold {} mappings: vm.max_map_count {}, {} mappings in use",
                        derived, max, present);
            }
            return derived;
        }
    }

    private static int maxMapCount() {
        // Not Files.readString: it trusts the size procfs reports and here read only the first byte.
        try (InputStream in = Files.newInputStream(MAX_MAP_COUNT)) {
            return Integer.parseInt(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return KERNEL_DEFAULT_MAX_MAP_COUNT;
        }
    }

    /** @return the lines of {@code /proc/self/maps}, one per mapping; 0 when it cannot be read */
    private static int mappingsNow() {
        int lines = 0;
        byte[] buffer = new byte[65_536];
        try (InputStream in = Files.newInputStream(MAPS)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return lines;
    }
}
