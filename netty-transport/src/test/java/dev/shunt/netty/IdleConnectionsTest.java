package dev.shunt.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Idle fast-path connections on one loop cost no CPU: {@link IdleConnectionsPeer} servers in one child JVM and
 * clients in another, each side on a single loop thread.
 *
 * <p>Each side of a fast-path connection holds one descriptor, its socket (the memfd is closed once mapped, and
 * the doorbell is that socket), so 10,000 connections need about 10,000 open files per JVM, as on the kernel
 * path. The test runs 10,000 when the open-files limit allows it (it does with a limit of 11,500 or more), and
 * otherwise as many as the limit allows, and prints the number it ran.
 */
class IdleConnectionsTest {
    private static final int TARGET = 10_000;
    private static final int DESCRIPTORS_PER_SIDE = 1;
    private static final int RESERVE = 1_500;
    private static final List<String> PROPERTIES = List.of("shunt.enabled=true", "shunt.ringBytes=65536");

    @Test
    void idleFastPathConnectionsOnOneLoopCostNoCpu() throws Exception {
        long limit = openFilesLimit();
        int count = (int) Math.min(TARGET, (limit - RESERVE) / DESCRIPTORS_PER_SIDE / 1000 * 1000);
        String path = TestSupport.newAddress().path();
        try (ChildJvm server = ChildJvm.start(PROPERTIES, IdleConnectionsPeer.class, "server", path,
                String.valueOf(count))) {
            server.expect("READY", 60, TimeUnit.SECONDS);
            try (ChildJvm client = ChildJvm.start(PROPERTIES, IdleConnectionsPeer.class, "client", path,
                    String.valueOf(count))) {
                assertEquals(String.valueOf(count), client.expect("FAST", 600, TimeUnit.SECONDS),
                        "every connection on the fast path");
                String[] memory = server.expect("MEMORY", 60, TimeUnit.SECONDS).split(" ");
                check("client", count, client.expect("IDLE", 60, TimeUnit.SECONDS).split(" "));
                check("server", count, server.expect("IDLE", 60, TimeUnit.SECONDS).split(" "));
                System.out.printf("memory per connection on the server side (64 KiB rings): %s bytes resident,"
                        + " %s bytes heap; open-files limit %d%n", memory[0], memory[1], limit);
                assertEquals("100", client.expect("WOKE", 60, TimeUnit.SECONDS), "sleeping connections wake on data");
                assertEquals(0, client.waitFor(120, TimeUnit.SECONDS));
            }
            server.expect("DONE", 120, TimeUnit.SECONDS);
            assertEquals(0, server.waitFor(60, TimeUnit.SECONDS));
        }
    }

    private static void check(String side, int count, String[] idle) {
        long window = Long.parseLong(idle[0]);
        long cpu = Long.parseLong(idle[1]);
        System.out.printf("%d idle fast-path connections, %s loop: %d ms CPU in a %d ms window, %s parks,"
                + " %s doorbell signals%n", count, side, cpu, window, idle[2], idle[3]);
        // A loop that kept polling its rings would burn the whole window; a sleeping one next to nothing.
        assertTrue(cpu * 20 < window, side + " loop used " + cpu + " ms of CPU in " + window + " ms");
        assertEquals("0", idle[2], side + ": no doorbell sleep announced while idle");
        assertEquals("0", idle[3], side + ": no doorbell rang while idle");
    }

    private static long openFilesLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String[] fields = line.substring("Max open files".length()).trim().split("\\s+");
                return fields[1].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(fields[1]);
            }
        }
        throw new IllegalStateException("no open-files limit in /proc/self/limits");
    }
}
