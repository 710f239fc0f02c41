package dev.shunt.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Resident memory of both processes holding N idle connections through the junixsocket adapter, each of which
 * carried a 4 MiB burst, on the fast path against the kernel socket; prints the figures and the time of the bursts
 * before and after the rings went quiet. N is {@code shunt.idle.connections} (default 200). Idle connections cost at
 * most twice the kernel path's memory (issue 13's target).
 */
class IdleMemoryTest {
    private static final int CONNECTIONS = Integer.getInteger("shunt.idle.connections", 200);

    @Test
    void idleFastPathConnectionsHoldAtMostTwiceTheKernelPathsMemory() throws Exception {
        Map<String, Long> kernel = run(false, 1000);
        Map<String, Long> fast = run(true, 1000);
        Map<String, Long> kept = run(true, 0);
        for (String phase : List.of("never-used", "idle", "idle-again")) {
            long k = kernel.get(phase);
            long f = fast.get(phase);
            System.out.printf("IdleMemoryTest: %d connections, %-10s kernel %,d kB, fast path %,d kB (%.2fx)%n",
                    CONNECTIONS, phase, k, f, (double) f / k);
        }
        System.out.printf("IdleMemoryTest: %d connections, idle       fast path without release (shunt.quietReleaseMillis=0)"
                + " %,d kB%n", CONNECTIONS, kept.get("idle"));
        System.out.printf("IdleMemoryTest: bursts, %d x %d MiB echoed: kernel first %d ms, next %d ms; fast path first"
                + " %d ms, next (into freed pages) %d ms; without release first %d ms, next (pages kept) %d ms%n",
                CONNECTIONS, IdleMemoryPeer.BURST >> 20, kernel.get("first"), kernel.get("next"), fast.get("first"),
                fast.get("next"), kept.get("first"), kept.get("next"));
        System.out.printf("IdleMemoryTest: CPU of both processes while idle: kernel %d ms, fast path %d ms, in %d ms%n",
                kernel.get("idle-cpu"), fast.get("idle-cpu"), IdleMemoryPeer.SETTLE_MILLIS);
        assertTrue(fast.get("idle") <= 2 * kernel.get("idle"), "idle: " + fast + " against " + kernel);
        assertTrue(fast.get("idle-again") <= 2 * kernel.get("idle-again"), "idle again: " + fast + " vs " + kernel);
    }

    /** @return client + server resident kB per phase, and milliseconds per round of bursts */
    private Map<String, Long> run(boolean shunt, long quietReleaseMillis) throws Exception {
        Path dir = Files.createTempDirectory("shunt-idle");
        Path path = dir.resolve("s");
        List<String> properties = List.of("shunt.enabled=" + shunt, "shunt.quietReleaseMillis=" + quietReleaseMillis);
        Map<String, Long> figures = new HashMap<>();
        try (ChildJvm server = ChildJvm.start(properties, IdleMemoryPeer.class, "server", path.toString(),
                Integer.toString(CONNECTIONS))) {
            String pid = server.expect("READY", 30, TimeUnit.SECONDS).trim();
            try (ChildJvm client = ChildJvm.start(properties, IdleMemoryPeer.class, "client", path.toString(),
                    Integer.toString(CONNECTIONS), pid)) {
                for (int i = 0; i < 3; i++) {
                    String rss = client.expect("RSS", 10, TimeUnit.MINUTES);
                    System.out.println("IdleMemoryTest: shunt.enabled=" + shunt + " RSS " + rss);
                    assertTrue(rss.endsWith("path=" + (shunt ? "fast" : "kernel")), rss);
                    String phase = rss.trim().split(" ")[0];
                    figures.put(phase, field(rss, "client") + field(rss, "server"));
                    if (phase.equals("idle")) {
                        figures.put("idle-cpu", field(rss, "clientCpu") + field(rss, "serverCpu"));
                    }
                    if (i < 2) {
                        String burst = client.expect("BURST", 10, TimeUnit.MINUTES).trim();
                        figures.put(burst.split(" ")[0], Long.parseLong(burst.split(" ")[1]));
                    }
                }
                assertTrue(client.waitFor(60, TimeUnit.SECONDS) == 0, client.stderr());
            }
            assertTrue(server.waitFor(60, TimeUnit.SECONDS) == 0, server.stderr());
        } finally {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
        return figures;
    }

    private static long field(String line, String name) {
        for (String word : line.trim().split(" ")) {
            if (word.startsWith(name + "=")) {
                return Long.parseLong(word.substring(name.length() + 1));
            }
        }
        throw new IllegalArgumentException(name + " missing from " + line);
    }
}
