package dev.shunt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.FallbackReason;
import dev.shunt.core.MpkMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultTest {
    private static final Case PINGPONG = new Case(Scenario.PINGPONG, 32);

    @Test
    void linesCarryResultsFromTheClientJvmIntact() {
        Map<String, Double> figures = new LinkedHashMap<>();
        figures.put("p50_us", 1.25);
        figures.put("count", 12345.0);
        figures.put("gb_per_s", 1e-7);
        Result sent = Result.measured(Transport.SHUNT_CORE, PINGPONG, "fast path, keys", figures);
        Result received = Result.parse(sent.toLine(), Transport.SHUNT_CORE, List.of(PINGPONG));
        assertEquals(sent, received);

        Result failed = Result.failed(Transport.AERON_IPC, PINGPONG, "java.io.IOException: gone\n\tat x");
        Result back = Result.parse(failed.toLine(), Transport.AERON_IPC, List.of(PINGPONG));
        assertEquals(Result.Outcome.FAILED, back.outcome());
        assertEquals("java.io.IOException: gone at x", back.note());
        assertTrue(Result.isResultLine(failed.toLine()));
        assertTrue(!Result.isResultLine("[main] INFO some library's log line"));

        Case rate = new Case(Scenario.FIXED_RATE, 32, 100_000);
        Result missing = Result.notMeasured(Transport.C_FLOOR, rate, "no compiler");
        assertEquals(missing, Result.parse(missing.toLine(), Transport.C_FLOOR,
                List.of(PINGPONG, new Case(Scenario.FIXED_RATE, 32, 1000), rate)));
    }

    @Test
    void theFastPathSaysWhetherAKeyGuardedItAndWhichSettingLetItRunWithout() {
        assertEquals("fast path, keys", ShuntPath.fastPath(true, MpkMode.OPTIONAL));
        assertEquals("fast path, keys", ShuntPath.of(true, true, MpkMode.REQUIRED, null));
        assertEquals("fast path, no keys (shunt.mpk=optional)", ShuntPath.fastPath(false, MpkMode.OPTIONAL));
        assertEquals("fast path, no keys (shunt.mpk=off)", ShuntPath.of(true, false, MpkMode.OFF, null));
        assertEquals("kernel socket (" + FallbackReason.DISABLED.description() + ")",
                ShuntPath.of(false, false, MpkMode.OPTIONAL, FallbackReason.DISABLED));
    }

    @Test
    void theLegendNamesTheProtectionOfEveryShuntSeries() {
        String unprotected = ShuntPath.fastPath(false, MpkMode.OPTIONAL);
        Summary shunt = summary(Result.measured(Transport.SHUNT_SOCKET, PINGPONG, unprotected, Map.of("p50_us", 1.0)));
        Case streaming = new Case(Scenario.THROUGHPUT, 65536);
        String fellBack = ShuntPath.of(false, false, MpkMode.OPTIONAL, FallbackReason.DISABLED);
        // one round fell back: the series names both paths, the summary too
        Summary stream = summary(Result.measured(Transport.SHUNT_SOCKET, streaming, unprotected,
                Map.of("gb_per_s", 5.0)), Result.measured(Transport.SHUNT_SOCKET, streaming, fellBack,
                Map.of("gb_per_s", 2.0)));
        Summary kernel = summary(Result.measured(Transport.JUNIXSOCKET, PINGPONG, "kernel socket",
                Map.of("p50_us", 10.0)));
        assertEquals("Shunt socket: fast path, no keys (shunt.mpk=optional)",
                Chart.legend(Transport.SHUNT_SOCKET, List.of(shunt)));
        assertEquals(unprotected + "; " + fellBack, stream.path());
        assertEquals("Shunt socket: " + unprotected + "; " + fellBack,
                Chart.legend(Transport.SHUNT_SOCKET, List.of(stream, shunt)));
        assertEquals(Transport.JUNIXSOCKET.label, Chart.legend(Transport.JUNIXSOCKET, List.of(kernel)));
    }

    private static Summary summary(Result... rounds) {
        return new Summary(rounds[0].transport(), rounds[0].kase(), List.of(rounds));
    }

    @Test
    void jsonStringsAndNumbersAreValid() {
        assertEquals("\"a\\\"b\\\\c\\n\\u0001µ\"", JsonReport.string("a\"b\\c\n\u0001µ"));
        assertEquals("a\"b\\c\n\u0001µ", MiniJson.parse(JsonReport.string("a\"b\\c\n\u0001µ")));
        assertEquals("null", JsonReport.number(Double.NaN));
        assertEquals("null", JsonReport.number(Double.POSITIVE_INFINITY));
        assertEquals("42", JsonReport.number(42.0));
        assertEquals(1e-7, (Double) MiniJson.parse(JsonReport.number(1e-7)));
    }
}
