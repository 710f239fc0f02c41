package dev.shunt.bench;

import dev.shunt.nativeio.NativeCallException;
import dev.shunt.nativeio.ProtectionKeys;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH: opening and closing an MPK access window, the two {@code pkey_set} calls around every ring copy
 * ({@link ProtectionKeys#setRights}, through JNR-FFI). Needs protection keys (PKU); fails at set-up without them.
 * (JMH subclasses benchmark classes, so this one is not final.)
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MpkWindowBenchmark {
    private int key;

    /** Allocates a key, access disabled. */
    @Setup
    public void allocate() throws NativeCallException {
        key = ProtectionKeys.allocate(ProtectionKeys.DISABLE_ACCESS);
    }

    /** Frees the key. */
    @TearDown
    public void free() throws NativeCallException {
        ProtectionKeys.free(key);
    }

    /** Opens the window (full access), then closes it again. */
    @Benchmark
    public void openClose() {
        ProtectionKeys.setRights(key, 0);
        ProtectionKeys.setRights(key, ProtectionKeys.DISABLE_ACCESS);
    }
}
