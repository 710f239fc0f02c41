package dev.shunt.nativeio;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CpusTest {
    /** The CPU is one the kernel lists as possible (/sys/devices/system/cpu/possible ends with the highest one). */
    @Test
    void currentNamesAPossibleCpu() throws Exception {
        String possible = Files.readString(Path.of("/sys/devices/system/cpu/possible")).trim();
        int highest = Integer.parseInt(possible.substring(possible.lastIndexOf('-') + 1));
        for (int i = 0; i < 1000; i++) {
            int cpu = Cpus.current();
            assertTrue(cpu >= 0 && cpu <= highest, "cpu " + cpu + ", possible " + possible);
        }
    }
}
