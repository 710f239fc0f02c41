package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.ConnectedPair;
import dev.shunt.core.testing.TestProtection;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The mapping budget counts what the kernel counts, and its default leaves the JVM most of its headroom. */
class MappingBudgetTest {
    private static final ShuntConfig CONFIG = TestProtection.fastPath(65536, 20_000, 10_000);

    @Test
    void budgetCountsTheMappingsTheKernelKeeps() throws Exception {
        long mapsBefore = ringMappings();
        int budgetBefore = MappingBudget.inUse();
        try (ConnectedPair pair = ConnectedPair.open(CONFIG)) {
            assertTrue(pair.client.isFastPath(), pair.client.toString());
            long maps = ringMappings() - mapsBefore;
            assertEquals(maps, MappingBudget.inUse() - budgetBefore, "mappings counted against /proc/self/maps");
            boolean keyed = pair.client.stream().isProtected();
            assertEquals(maps, SharedRegion.mappings(Role.SERVER, keyed) + SharedRegion.mappings(Role.CLIENT, keyed));
        }
        assertEquals(budgetBefore, MappingBudget.inUse());
        assertEquals(mapsBefore, ringMappings());
    }

    @Test
    void derivedBoundIsHalfOfWhatMaxMapCountLeaves() throws Exception {
        int max;
        try (InputStream in = Files.newInputStream(Path.of("/proc/sys/vm/max_map_count"))) {
            max = Integer.parseInt(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
        }
        long inUse = Files.readAllLines(Path.of("/proc/self/maps")).size();
        int bound = MappingBudget.bound(CONFIG);
        assertTrue(bound <= max / 2 && bound >= (max - inUse) / 2 - 1000,
                "bound " + bound + " for vm.max_map_count " + max + " and " + inUse + " mappings now");
        assertEquals(7, MappingBudget.bound(CONFIG.withMaxMappings(7)));
    }

    private static long ringMappings() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains("shunt-ring")).count();
    }
}
