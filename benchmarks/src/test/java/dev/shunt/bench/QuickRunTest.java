package dev.shunt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.MpkMode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The smoke test CI runs through {@code mvn verify}: short runs of the real tool (server and client JVMs per
 * transport, the C floor's two processes) that must produce figures for every selected transport, case and
 * round and write both files. It never asserts that a figure beats a threshold: the machines are shared and
 * small.
 */
class QuickRunTest {

    @Test
    void everyTransportMeasuresPingPongRpcAndGrpc(@TempDir Path out) throws Exception {
        List<Transport> transports = List.of(Transport.values());
        Map<String, Object> json = runAndRead(out, "--quick", "--rounds", "1", "--seconds", "0.2", "--warmup", "0.1",
                "--scenarios", "pingpong,rpc,grpc,grpc-stream", "--sizes", "32", "--transports", "all");
        assertMeasured(json, transports, List.of("pingpong-32", "rpc-32", "grpc-32", "grpc-stream-32"), 1);
    }

    @Test
    void everyScenarioRunsOnTheKernelAndTheShuntPathBesideTheFloor(@TempDir Path out) throws Exception {
        List<Transport> transports = List.of(Transport.JDK_UNIX, Transport.SHUNT_CORE, Transport.C_FLOOR);
        Map<String, Object> json = runAndRead(out, "--seconds", "0.1", "--warmup", "0", "--rounds", "2",
                "--sizes", "32", "--stream-sizes", "64k", "--rates", "1000,100000", "--gaps", "1ms,10ms",
                "--load-threads", "1", "--transports", "jdk-unix,shunt-core,c-floor");
        assertMeasured(json, transports, List.of("pingpong-32", "fixed-rate-1000-32", "fixed-rate-100000-32",
                "throughput-65536", "wakeup-1ms-32", "wakeup-10ms-32", "saturated-32", "rpc-32", "grpc-32",
                "connect"), 2);
    }

    @Test
    void mpkOffMeasuresTheFastPathWithoutKeysWhereKeysWork(@TempDir Path out) throws Exception {
        List<Transport> transports = List.of(Transport.SHUNT_CORE, Transport.NETTY_SHUNT);
        Map<String, Object> json = runAndRead(out, "--seconds", "0.1", "--warmup", "0", "--rounds", "1", "--sizes",
                "32", "--scenarios", "pingpong", "--transports", "shunt-core,netty-shunt", "--mpk", "off");
        assertMeasured(json, transports, List.of("pingpong-32"), 1);
    }

    @Test
    void tablesShowPerSideCpuRatioRangesAndTheFloor(@TempDir Path out) throws Exception {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        int status = ShuntBench.run(new String[] {"--seconds", "0.1", "--warmup", "0", "--rounds", "2", "--sizes",
            "32", "--scenarios", "pingpong", "--transports", "c-floor,jdk-unix,shunt-core", "--out", out.toString()},
                new PrintStream(stdout, true, StandardCharsets.UTF_8), System.err);
        String table = stdout.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, table);
        assertTrue(table.contains("| CPU client / server µs/msg | signals/msg | parks/msg | p50 x c-floor |"), table);
        String shunt = table.lines().filter(l -> l.startsWith("| " + Transport.SHUNT_CORE.label + " |")).findFirst()
                .orElseThrow();
        // every figure with its ratio: median, then the range over the two rounds; last, the floor's ratio
        String ratio = "[0-9.,]+x, [0-9.,]+-[0-9.,]+";
        assertTrue(shunt.matches("(\\| [^|]+ ){2}(\\| [0-9.,]+ \\(" + ratio + "\\) ){6}"
                + "\\| [0-9.,]+ / [0-9.,]+ (\\| [0-9.]+ / [0-9.]+ ){2}\\| " + ratio + " \\|"), shunt);
        assertTrue(table.contains("| " + Transport.C_FLOOR.label + " | " + CFloor.PATH + " |"), table);
    }

    /** Runs the tool, checks its stdout and files, and returns the parsed JSON. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> runAndRead(Path out, String... args) throws Exception {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--out";
        all[args.length + 1] = out.toString();
        int status = ShuntBench.run(all, new PrintStream(stdout, true, StandardCharsets.UTF_8), System.err);
        String table = stdout.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, table);
        assertTrue(table.contains("Protection keys (PKU): "), table);

        Path png = out.resolve(ShuntBench.PNG_FILE);
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "not a readable PNG: " + png);
        assertTrue(image.getWidth() > 0 && image.getHeight() > 0);

        Map<String, Object> json = (Map<String, Object>) MiniJson.parse(Files.readString(out.resolve(ShuntBench.JSON_FILE)));
        // What the connections reported must match what the orchestrator's own probe (pkey_alloc) found: with
        // shunt.mpk=optional every Shunt figure ran on the fast path, with keys exactly where keys work; with off,
        // without keys everywhere.
        boolean pku = (Boolean) ((Map<String, Object>) json.get("machine")).get("pku");
        MpkMode mpk = MpkMode.parse((String) ((Map<String, Object>) json.get("options")).get("mpk"));
        String fastPath = ShuntPath.fastPath(pku && mpk != MpkMode.OFF, mpk);
        for (Map<String, Object> r : (List<Map<String, Object>>) json.get("results")) {
            if (r.get("outcome").equals("measured")) {
                assertTrue(table.contains("| " + r.get("label") + " | " + r.get("path") + " |"), table);
            }
            if (r.get("family").equals("shunt") && r.get("outcome").equals("measured")) {
                assertEquals(fastPath, r.get("path"), r.get("transport") + " " + r.get("case"));
            }
        }
        return json;
    }

    /**
     * Every transport took part in every case (the C floor in ping-pong only) with every round, and every
     * figure the scenario promises is there: latency or throughput, CPU per message for each side and both, and
     * for a Shunt transport measured beside its kernel counterpart (and, in ping-pong, the C floor) the ratios
     * as a median with its range.
     */
    @SuppressWarnings("unchecked")
    private static void assertMeasured(Map<String, Object> json, List<Transport> transports, List<String> cases,
            int rounds) {
        List<Map<String, Object>> results = (List<Map<String, Object>>) json.get("results");
        for (Transport t : transports) {
            Map<String, Map<String, Object>> byCase = results.stream().filter(r -> t.id.equals(r.get("transport")))
                    .collect(Collectors.toMap(r -> (String) r.get("case"), r -> r));
            for (String c : cases) {
                Map<String, Object> r = byCase.get(c);
                // The longest id that fits: grpc-stream-32 is a grpc-stream case, not a grpc one.
                Scenario scenario = Arrays.stream(Scenario.values())
                        .filter(s -> c.equals(s.id) || c.startsWith(s.id + "-"))
                        .max(Comparator.comparingInt(s -> s.id.length())).orElseThrow();
                if (!t.takesPart(scenario)) {
                    assertNull(r, t.id + " " + c);
                    continue;
                }
                assertNotNull(r, t.id + " " + c);
                assertEquals(rounds, ((List<?>) r.get("rounds")).size(), t.id + " " + c);
                if (t.notApplicable(scenario).isPresent()) {
                    assertEquals("not_applicable", r.get("outcome"));
                    continue;
                }
                assertEquals("measured", r.get("outcome"), t.id + " " + c + ": " + r.get("note"));
                Map<String, Object> figures = (Map<String, Object>) r.get("figures");
                String key = scenario == Scenario.THROUGHPUT ? "gb_per_s"
                        : scenario == Scenario.GRPC_STREAM ? "msgs_per_s" : "p50_us";
                for (String k : List.of(key, "cpu_us_per_msg", "cpu_client_us_per_msg", "cpu_server_us_per_msg")) {
                    assertTrue(figures.get(k) instanceof Double d && d > 0, t.id + " " + c + " " + k + ": " + figures);
                }
                if (t.kernelCounterpart != null && transports.contains(t.kernelCounterpart)) {
                    assertRatio((Map<String, Object>) r.get("ratios_to_kernel"), key, rounds, t.id + " " + c);
                }
                if (t.family == Transport.Family.SHUNT && scenario == Scenario.PINGPONG
                        && transports.contains(Transport.C_FLOOR)) {
                    assertRatio((Map<String, Object>) r.get("ratios_to_c_floor"), "p50_us", rounds, t.id + " " + c);
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void assertRatio(Map<String, Object> ratios, String key, int rounds, String what) {
        assertNotNull(ratios, what);
        Map<String, Object> ratio = (Map<String, Object>) ratios.get(key);
        assertNotNull(ratio, what + ": " + ratios);
        double min = (Double) ratio.get("min");
        double median = (Double) ratio.get("median");
        double max = (Double) ratio.get("max");
        assertTrue(min > 0 && min <= median && median <= max, what + ": " + ratio);
        assertEquals((double) rounds, ratio.get("rounds"), what);
    }
}
