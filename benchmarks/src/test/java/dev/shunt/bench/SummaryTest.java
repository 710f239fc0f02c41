package dev.shunt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rounds brought together: medians, per-round ratios with their range, and how tables and JSON show them. */
class SummaryTest {
    private static final Case PINGPONG = new Case(Scenario.PINGPONG, 32);
    private static final String FAST = "fast path, keys";

    /** One summary of scripted rounds: p50 and CPU per round; round values NaN are failed rounds. */
    private static Summary rounds(Transport t, Case kase, double[] p50, double[] cpu) {
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < p50.length; i++) {
            results.add(Double.isNaN(p50[i]) ? Result.failed(t, kase, "crashed")
                    : Result.measured(t, kase, path(t), Map.of("p50_us", p50[i], "cpu_us_per_msg", cpu[i],
                            "signals_client_per_msg", 0.0)));
        }
        return new Summary(t, kase, results);
    }

    private static String path(Transport t) {
        return switch (t.family) {
            case SHUNT -> FAST;
            case FLOOR -> CFloor.PATH;
            default -> "kernel socket";
        };
    }

    @Test
    void spreadIsTheMedianAndRangeOfItsValues() {
        assertEquals(new Spread(2, 1, 9, 3), Spread.of(9, 1, 2));
        assertEquals(new Spread(2.5, 1, 4, 4), Spread.of(4, 1, 3, 2));
        assertEquals(new Spread(7, 7, 7, 1), Spread.of(7));
        assertThrows(IllegalArgumentException.class, Spread::of);
    }

    @Test
    void ratiosAreTheMedianOfPerRoundRatiosWithTheirRange() {
        Summary kernel = rounds(Transport.JDK_UNIX, PINGPONG, new double[] {10, 20, 40}, new double[] {20, 20, 20});
        Summary shunt = rounds(Transport.SHUNT_CORE, PINGPONG, new double[] {1, 1, 8}, new double[] {2, 4, 3});
        assertEquals(20.0, kernel.figure("p50_us"));
        assertEquals(1.0, shunt.figure("p50_us"));
        Map<String, Spread> ratios = shunt.ratiosTo(kernel);
        // per round 1/10, 1/20, 8/40: the median is 0.1, not the 0.05 of the medians 1/20
        assertEquals(new Spread(0.1, 0.05, 0.2, 3), ratios.get("p50_us"));
        assertEquals(new Spread(0.15, 0.1, 0.2, 3), ratios.get("cpu_us_per_msg"));
        assertFalse(ratios.containsKey("signals_client_per_msg"), "0 over 0 has no ratio: " + ratios);
        assertEquals(kernel, shunt.kernelIn(List.of(kernel, shunt)).orElseThrow());
        assertTrue(kernel.kernelIn(List.of(kernel, shunt)).isEmpty());
    }

    @Test
    void aRoundMissingOnEitherSideLeavesItsRatioOut() {
        Summary kernel = rounds(Transport.JDK_UNIX, PINGPONG, new double[] {10, 20, 40}, new double[] {1, 1, 1});
        Summary shunt = rounds(Transport.SHUNT_CORE, PINGPONG, new double[] {1, Double.NaN, 8}, new double[] {1, 1, 1});
        assertEquals(Result.Outcome.FAILED, shunt.outcome());
        assertEquals("round 2 of 3: crashed", shunt.note());
        assertTrue(shunt.figures().isEmpty());
        assertTrue(shunt.kernelIn(List.of(kernel, shunt)).isEmpty(), "a failed summary carries no ratios");
        Summary shorter = new Summary(Transport.SHUNT_CORE, PINGPONG, List.of(
                Result.measured(Transport.SHUNT_CORE, PINGPONG, FAST, Map.of("p50_us", 4.0)),
                Result.measured(Transport.SHUNT_CORE, PINGPONG, FAST, Map.of("p50_us", 1.0))));
        Summary brokenKernel = rounds(Transport.JDK_UNIX, PINGPONG, new double[] {10, Double.NaN},
                new double[] {1, 1});
        assertEquals(new Spread(0.4, 0.4, 0.4, 1), shorter.ratiosTo(brokenKernel).get("p50_us"));
    }

    @Test
    void shuntPingPongIsHeldAgainstTheCFloorOfTheSameCase() {
        Case large = new Case(Scenario.PINGPONG, 1024);
        Summary floor = rounds(Transport.C_FLOOR, PINGPONG, new double[] {0.2, 0.4}, new double[] {0.4, 0.4});
        Summary floorLarge = rounds(Transport.C_FLOOR, large, new double[] {1, 1}, new double[] {1, 1});
        Summary shunt = rounds(Transport.SHUNT_SOCKET, PINGPONG, new double[] {1, 1}, new double[] {3, 3});
        Summary kernel = rounds(Transport.JUNIXSOCKET, PINGPONG, new double[] {10, 10}, new double[] {20, 20});
        List<Summary> all = List.of(floorLarge, floor, kernel, shunt);
        assertEquals(floor, shunt.floorIn(all).orElseThrow());
        assertEquals(new Spread(3.75, 2.5, 5, 2), shunt.ratiosTo(floor).get("p50_us"));
        assertTrue(kernel.floorIn(all).isEmpty(), "only Shunt rows carry x c-floor");
        Summary rpc = rounds(Transport.SHUNT_SOCKET, new Case(Scenario.RPC, 32), new double[] {1, 1},
                new double[] {3, 3});
        assertTrue(rpc.floorIn(all).isEmpty(), "the floor is a ping-pong floor");
    }

    @Test
    void tablesAndJsonShowMediansRatiosRangesAndTheFloor(@TempDir Path dir) throws Exception {
        Options options = Options.parse(new String[] {"--transports", "c-floor,junixsocket,shunt-socket",
            "--scenarios", "pingpong", "--sizes", "32", "--rounds", "3"});
        Summary floor = rounds(Transport.C_FLOOR, PINGPONG, new double[] {0.2, 0.25, 0.5}, new double[] {1, 1, 1});
        Summary kernel = rounds(Transport.JUNIXSOCKET, PINGPONG, new double[] {10, 20, 40}, new double[] {8, 8, 8});
        Summary shunt = rounds(Transport.SHUNT_SOCKET, PINGPONG, new double[] {1, 1, 8}, new double[] {2, 4, 3});
        List<Summary> all = List.of(floor, kernel, shunt);

        String table = Report.markdown(all, options);
        assertTrue(table.contains("| transport | path | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs "
                + "| CPU µs/msg | CPU client / server µs/msg | signals/msg | parks/msg | p50 x c-floor |"), table);
        // p50: median 1.00, per-round ratios 0.1, 0.05, 0.2; over the floor 5, 4, 16
        assertTrue(table.contains("| Shunt socket | " + FAST + " | 1.00 (0.100x, 0.050-0.200) |"), table);
        assertTrue(table.contains("| 5.00x, 4.00-16.0 |\n"), table);
        assertTrue(table.contains("| junixsocket (kernel) | kernel socket | 20.0 |"), table);
        assertTrue(table.contains(" - | - | - |\n"), "kernel rows have no signals, parks or floor ratio: " + table);

        Path file = dir.resolve("r.json");
        JsonReport.write(file, Machine.current(), options, all);
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) MiniJson.parse(Files.readString(file));
        @SuppressWarnings("unchecked")
        Map<String, Object> r = ((List<Map<String, Object>>) json.get("results")).get(2);
        assertEquals("shunt-socket", r.get("transport"));
        assertEquals(Map.of("median", 0.1, "min", 0.05, "max", 0.2, "rounds", 3.0),
                ((Map<?, ?>) r.get("ratios_to_kernel")).get("p50_us"));
        assertEquals(Map.of("median", 5.0, "min", 4.0, "max", 16.0, "rounds", 3.0),
                ((Map<?, ?>) r.get("ratios_to_c_floor")).get("p50_us"));
        assertEquals(1.0, ((Map<?, ?>) r.get("figures")).get("p50_us"));
        assertEquals(3, ((List<?>) r.get("rounds")).size());
        assertEquals(8.0, ((Map<?, ?>) ((Map<?, ?>) ((List<?>) r.get("rounds")).get(2)).get("figures")).get("p50_us"));
        assertEquals(3.0, ((Map<?, ?>) json.get("options")).get("rounds"));
    }

    @Test
    void kernelAndShuntTransportsShareAGroupKernelFirst() {
        assertEquals(List.of(List.of(Transport.JUNIXSOCKET, Transport.SHUNT_SOCKET), List.of(Transport.C_FLOOR),
                List.of(Transport.NETTY_TCP), List.of(Transport.NETTY_SHUNT)),
                Rounds.groups(List.of(Transport.SHUNT_SOCKET, Transport.C_FLOOR, Transport.NETTY_TCP,
                        Transport.JUNIXSOCKET, Transport.NETTY_SHUNT)));
        assertEquals(List.of(List.of(Transport.NETTY_EPOLL, Transport.NETTY_SHUNT)),
                Rounds.groups(List.of(Transport.NETTY_EPOLL, Transport.NETTY_SHUNT)));
    }
}
