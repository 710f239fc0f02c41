package dev.shunt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The C floor without a working compiler: the run goes on, and says why there is no floor. */
class CFloorTest {
    private static final Case PINGPONG = new Case(Scenario.PINGPONG, 32);

    private static Result runWith(String compiler, Path dir, ByteArrayOutputStream progress) {
        Options options = Options.parse(new String[] {"--quick"});
        try (CFloor floor = CFloor.open(compiler, dir, options, new PrintStream(progress, true,
                StandardCharsets.UTF_8))) {
            return floor.run(PINGPONG);
        }
    }

    @Test
    void withoutACompilerTheFloorIsNotMeasuredAndSaysWhy(@TempDir Path dir) {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Result r = runWith("no-such-compiler-for-shunt-bench", dir, progress);
        assertEquals(Result.Outcome.NOT_MEASURED, r.outcome());
        assertTrue(r.note().startsWith("cannot run the C compiler 'no-such-compiler-for-shunt-bench'"), r.note());
        assertTrue(r.note().contains("-D" + CFloor.COMPILER_PROPERTY), r.note());
        assertTrue(progress.toString(StandardCharsets.UTF_8).contains("c-floor is not measured: cannot run"));
    }

    @Test
    void aCompilerThatFailsFailsTheFloor(@TempDir Path dir) {
        Result r = runWith("false", dir, new ByteArrayOutputStream());
        assertEquals(Result.Outcome.FAILED, r.outcome());
        assertTrue(r.note().startsWith("false -O2"), r.note());
    }
}
