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
        "--rates 2.5 | --rates takes a whole number; got '2.5'",
        "--rates 1000,0 | --rates must be from 1 to 1000000; got '0'",
        "--rates 1000,,10 | --rates has an empty item in '1000,,10'",
        "--rate 1000 | unknown option '--rate'",
        "--gaps 10 | --gaps takes pauses such as 500us, 1ms or 1s; got '10'",
        "--gaps 1ms,x5ms | --gaps takes pauses such as 500us, 1ms or 1s; got 'x5ms'",
        "--gaps 5us | --gaps pauses must be from 10us to 1s; got '5us'",
        "--gaps 2s | --gaps pauses must be from 10us to 1s; got '2s'",
        "--rounds 0 | --rounds must be from 1 to 100; got '0'",
        "--rounds 1.5 | --rounds takes a whole number; got '1.5'",
        "--load-threads 5000 | --load-threads must be from 1 to 1024; got '5000'",
        "--spin-nanos x | --spin-nanos takes a number; got 'x'",
        "--mpk maybe | --mpk must be one of required, optional, off; got 'maybe'",
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
        for (String option : List.of("--transports", "--scenarios", "--sizes", "--stream-sizes", "--rates", "--gaps",
                "--rounds", "--seconds", "--warmup", "--quick", "--load-threads", "--spin-nanos", "--mpk", "--out",
                "--help", "-D" + CFloor.COMPILER_PROPERTY)) {
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
            "throughput,wakeup,pingpong,connect", "--gaps", "10ms", "--quick"});
        assertEquals(List.of(1024, 32), o.sizes);
        assertEquals(List.of("throughput-1048576", "wakeup-10ms-32", "pingpong-1024", "pingpong-32", "connect"),
                o.cases().stream().map(Case::key).toList());
        assertEquals(List.of(Transport.values()), Options.parse(new String[] {"--transports", "all"}).transports);
    }

    @Test
    void ratesAndGapsMakeOneCaseEachAtTheSmallestSize() {
        Options o = Options.parse(new String[] {"--scenarios", "fixed-rate,wakeup,rpc", "--sizes", "1k,64",
            "--rates", "1000,100000,1000", "--gaps", "500us,10ms,1s"});
        assertEquals(List.of(1_000L, 100_000L), o.rates);
        assertEquals(List.of(500_000L, 10_000_000L, 1_000_000_000L), o.gapsNanos);
        assertEquals(List.of("fixed-rate-1000-64", "fixed-rate-100000-64", "wakeup-500us-64", "wakeup-10ms-64",
                "wakeup-1000ms-64", "rpc-64"), o.cases().stream().map(Case::key).toList());
        assertEquals(List.of(1000L, 100_000L, 500_000L, 10_000_000L, 1_000_000_000L, 0L),
                o.cases().stream().map(Case::pace).toList());
        assertEquals("Round trip to a sleeping peer (one message after each 500 µs pause), 64 B",
                o.cases().get(2).title(o));
    }

    @Test
    void theEstimateLeavesOutCasesThatDoNotApplyAndCountsTheFirstGrpcWarmUp() {
        assertEquals(estimate("rpc", "junixsocket"), estimate("rpc,grpc", "junixsocket"), 1e-9);
        Options o = Options.parse(new String[] {"--scenarios", "rpc,grpc", "--transports", "netty-epoll"});
        assertEquals(estimate("rpc", "netty-epoll") + o.rounds * (o.seconds + o.warmup)
                + (Options.FIRST_GRPC_WARMUPS - 1) * o.warmup, o.estimatedSeconds(), 1e-9);
    }

    private static double estimate(String scenarios, String transports) {
        return Options.parse(new String[] {"--scenarios", scenarios, "--transports", transports}).estimatedSeconds();
    }

    @Test
    void defaultsMeasureTheTargetsAndQuickOnlyChangesDefaults() {
        Options defaults = Options.parse(new String[0]);
        assertEquals(List.of(1_000L, 10_000L, 100_000L), defaults.rates);
        assertEquals(List.of(1_000_000L, 10_000_000L), defaults.gapsNanos);
        assertEquals(3, defaults.rounds);
        assertEquals(List.of(Scenario.values()), defaults.scenarios);
        assertEquals(Transport.C_FLOOR, defaults.transports.get(0));
        assertTrue(Transport.SHUNT_SOCKET.jvmArguments(defaults).contains("-Dshunt.mpk=optional"));
        Options noKeys = Options.parse(new String[] {"--mpk", "off"});
        assertTrue(Transport.SHUNT_SOCKET.jvmArguments(noKeys).contains("-Dshunt.mpk=off"));
        // the budget of the issue: about 6 minutes for the defaults, 1.5 for --quick (the tool's own estimate)
        assertTrue(defaults.estimatedSeconds() < 330, "default estimate " + defaults.estimatedSeconds());
        Options quick = Options.parse(new String[] {"--quick"});
        assertEquals(2, quick.rounds);
        assertTrue(quick.seconds < defaults.seconds && quick.warmup < defaults.warmup);
        assertTrue(quick.estimatedSeconds() < 80, "quick estimate " + quick.estimatedSeconds());
        for (String[] args : List.of(new String[] {"--quick", "--rounds", "4", "--seconds", "1"},
                new String[] {"--rounds", "4", "--seconds", "1", "--quick"})) {
            Options o = Options.parse(args);
            assertEquals(4, o.rounds, String.join(" ", args));
            assertEquals(1.0, o.seconds, String.join(" ", args));
            assertEquals(quick.warmup, o.warmup, String.join(" ", args));
        }
    }
}
