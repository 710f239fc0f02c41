package dev.shunt.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shunt.nativeio.testing.ThreadCpus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jnr.ffi.Pointer;
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

    /**
     * Each move lands on another CPU, and the thread keeps the mask it had. The CPU the thread runs on is read
     * inside the move; the scheduler may move the thread between the test's own read and that one, so most moves,
     * not all, must change the CPU the test saw.
     */
    @Test
    void moveOffCurrentChangesTheCpuAndKeepsTheMask() throws Exception {
        String mask = ThreadCpus.allowedList();
        assumeTrue(mask.contains(",") || mask.contains("-"), "the test thread may run on one CPU only: " + mask);
        int changed = 0;
        for (int i = 0; i < 20; i++) {
            int before = Cpus.current();
            int after = Cpus.moveOffCurrent();
            assertNotEquals(Cpus.UNKNOWN, after);
            changed += after != before ? 1 : 0;
            assertEquals(mask, ThreadCpus.allowedList());
        }
        assertTrue(changed >= 15, changed + " of 20 moves changed the CPU");
    }

    /** A thread allowed one CPU stays there, with its mask. */
    @Test
    void moveOffCurrentLeavesAThreadAllowedOneCpu() throws Exception {
        String kept = runOnOwnThread(() -> {
            Pointer mask = ThreadScratch.block();
            mask.setMemory(0, ThreadScratch.SIZE, (byte) 0);
            int cpu = Cpus.current();
            mask.putByte(cpu / 8, (byte) (1 << (cpu % 8)));
            assertEquals(0, LibCHolder.LIBC.sched_setaffinity(0, ThreadScratch.SIZE, mask));
            String pinned = ThreadCpus.allowedList();
            assertEquals(Cpus.UNKNOWN, Cpus.moveOffCurrent());
            assertEquals(String.valueOf(cpu), pinned);
            return ThreadCpus.allowedList();
        });
        assertTrue(kept.matches("\\d+"), kept);
    }

    /** Where {@code sched_setaffinity} is refused (a seccomp profile), the thread does not move and keeps its mask. */
    @Test
    void moveOffCurrentRefusedLeavesTheThreadAsItWas() throws Exception {
        String mask = ThreadCpus.allowedList();
        assumeTrue(mask.contains(",") || mask.contains("-"), "the test thread may run on one CPU only: " + mask);
        String after = runOnOwnThread(() -> {
            SeccompRefusal.refuseSchedSetaffinityOnThisThread();
            assertEquals(Cpus.UNKNOWN, Cpus.moveOffCurrent());
            return ThreadCpus.allowedList();
        });
        assertEquals(mask, after);
    }

    /** Runs on a thread of its own, so that a mask or a seccomp filter set there does not outlive the test. */
    private static String runOnOwnThread(ThrowingSupplier body) throws Exception {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(body.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        thread.start();
        return result.get(30, TimeUnit.SECONDS);
    }

    private interface ThrowingSupplier {
        String get() throws Exception;
    }
}
