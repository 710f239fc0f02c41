package dev.shunt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class OptionsTest {

    /** What the tool printed and returned. */
    private record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ShuntBench.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--bogus | unknown option '--bogus'",
        "quick | unexpected argument 'quick'",
        "--seconds | --seconds needs a value",
        "--seconds abc | --seconds takes a number; got 'abc'",
        "--seconds 0 | --seconds must be from 0.05 to 600; got '0'",
        "--warmup -1 | --warmup must be from 0 to 600; got '-1'",
        "--rate 2.5 | --rate takes a whole number; got '2.5'",
        "--rate 0 | --rate must be from 1 to 1000000; got '0'",
        "--load-threads 5000 | --load-threads must be from 1 to 1024; got '5000'",
        "--spin-nanos x | --spin-nanos takes a number; got 'x'",
        "--transports kernel | unknown transport 'kernel'; choose from",
        "--transports jdk-unix,,shunt-core | --transports has an empty item",
        "--scenarios latency | unknown scenario 'latency'; choose from",
        "--sizes 0 | --sizes sizes must be from 1 to 4194304 bytes; got '0'",
        "--sizes 8m | --sizes sizes must be from 1 to 4194304 bytes; got '8m'",
        "--sizes 1kb | --sizes takes sizes such as 32, 1k or 1m; got '1kb'",
        "--stream-sizes 512 | --stream-sizes sizes must be from 1024 to 16777216 bytes; got '512'",
    })
    void badArgumentsExitWithStatus2AndSayWhy(String args, String message) {
        Run r = run(args.trim().split(" "));
        assertEquals(2, r.status, r.err);
        assertTrue(r.err.startsWith("shunt-bench: " + message), r.err);
        assertTrue(r.err.contains("--help"), r.err);
        assertEquals("", r.out);
    }

    @Test
    void helpExplainsEveryOptionAndTransport() {
        Run r = run("--transports", "bogus", "--help");
        assertEquals(2, r.status, "a bad argument wins over --help");
        r = run("--help");
        assertEquals(0, r.status);
        for (String option : List.of("--transports", "--scenarios", "--sizes", "--stream-sizes", "--seconds",
                "--warmup", "--quick", "--rate", "--load-threads", "--spin-nanos", "--out", "--help")) {
            assertTrue(r.out.contains(option), option);
        }
        for (Transport t : Transport.values()) {
            assertTrue(r.out.contains(t.id), t.id);
        }
        for (Scenario s : Scenario.values()) {
            assertTrue(r.out.contains(s.id), s.id);
        }
    }

    @Test
    void sizesTakeSuffixesAndSelectCases() {
        Options o = Options.parse(new String[] {"--sizes", "1k,32,1k", "--stream-sizes", "1m", "--scenarios",
            "throughput,wakeup,pingpong,connect", "--quick"});
        assertEquals(List.of(1024, 32), o.sizes);
        assertEquals(List.of("throughput-1048576", "wakeup-32", "pingpong-1024", "pingpong-32", "connect"),
                o.cases().stream().map(Case::key).toList());
        assertEquals(0.3, o.seconds);
        assertEquals(List.of(Transport.values()), Options.parse(new String[] {"--transports", "all"}).transports);
    }
}
