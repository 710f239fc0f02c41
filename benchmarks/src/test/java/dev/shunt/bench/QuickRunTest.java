package dev.shunt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.MpkMode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The smoke test CI runs through {@code mvn verify}: short runs of the real tool (server and client JVMs per
 * transport) that must produce figures for every selected transport and case and write both files. It never
 * asserts that a figure beats a threshold: the machines are shared and small.
 */
class QuickRunTest {

    @Test
    void everyTransportMeasuresPingPong(@TempDir Path out) throws Exception {
        List<Transport> transports = List.of(Transport.values());
        Map<String, Object> json = runAndRead(out, "--quick", "--seconds", "0.2", "--warmup", "0.1",
                "--scenarios", "pingpong", "--sizes", "32", "--transports", "all");
        assertMeasured(json, transports, List.of("pingpong-32"));
    }

    @Test
    void everyScenarioRunsOnTheKernelAndTheShuntPath(@TempDir Path out) throws Exception {
        List<Transport> transports = List.of(Transport.JDK_UNIX, Transport.SHUNT_CORE);
        Map<String, Object> json = runAndRead(out, "--seconds", "0.1", "--warmup", "0", "--sizes", "32",
                "--stream-sizes", "64k", "--load-threads", "1", "--transports", "jdk-unix,shunt-core");
        assertMeasured(json, transports, List.of("pingpong-32", "fixed-rate-32", "throughput-65536", "wakeup-32",
                "saturated-32", "connect"));
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
        // shunt.mpk=optional every Shunt figure ran on the fast path, with keys exactly where keys work.
        boolean pku = (Boolean) ((Map<String, Object>) json.get("machine")).get("pku");
        String fastPath = ShuntPath.fastPath(pku, MpkMode.OPTIONAL);
        for (Map<String, Object> r : (List<Map<String, Object>>) json.get("results")) {
            assertTrue(table.contains("| " + r.get("label") + " | " + r.get("path") + " |"), table);
            if (r.get("family").equals("shunt") && r.get("outcome").equals("measured")) {
                assertEquals(fastPath, r.get("path"), r.get("transport") + " " + r.get("case"));
            }
        }
        return json;
    }

    @SuppressWarnings("unchecked")
    private static void assertMeasured(Map<String, Object> json, List<Transport> transports, List<String> cases) {
        List<Map<String, Object>> results = (List<Map<String, Object>>) json.get("results");
        for (Transport t : transports) {
            Map<String, Map<String, Object>> byCase = results.stream().filter(r -> t.id.equals(r.get("transport")))
                    .collect(Collectors.toMap(r -> (String) r.get("case"), r -> r));
            for (String c : cases) {
                Map<String, Object> r = byCase.get(c);
                assertNotNull(r, t.id + " " + c);
                if (c.equals("connect") && !t.connections) {
                    assertEquals("not_applicable", r.get("outcome"));
                    continue;
                }
                assertEquals("measured", r.get("outcome"), t.id + " " + c + ": " + r.get("note"));
                Map<String, Object> figures = (Map<String, Object>) r.get("figures");
                String key = c.startsWith("throughput") ? "gb_per_s" : "p50_us";
                assertTrue(figures.get(key) instanceof Double d && d > 0, t.id + " " + c + ": " + figures);
                assertTrue(figures.get("cpu_client_us_per_msg") instanceof Double, t.id + " " + c);
                if (t.kernelCounterpart != null && transports.contains(t.kernelCounterpart)) {
                    assertNotNull(r.get("ratios_to_kernel"), t.id + " " + c);
                }
            }
        }
    }
}
