package dev.shunt.bench;

import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.NativeCallException;
import dev.shunt.nativeio.UnixSockets;
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
 * JMH: ringing a sleeping side's doorbell and draining it, as the fast path does: one byte sent on the
 * connection's Unix socket ({@link UnixSockets#sendByte}) and discarded at the other end
 * ({@link UnixSockets#discardInput}), over a socket pair. These are the system calls a wake-up of a sleeping
 * event loop costs on top of the scheduler; nobody sleeps here. (JMH subclasses benchmark classes, so this one
 * is not final.)
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DoorbellBenchmark {
    private int ringing;
    private int sleeping;

    /** Creates the socket pair. */
    @Setup
    public void create() throws NativeCallException {
        int[] pair = UnixSockets.socketPair();
        ringing = pair[0];
        sleeping = pair[1];
    }

    /** Closes it. */
    @TearDown
    public void close() {
        Descriptors.close(ringing);
        Descriptors.close(sleeping);
    }

    /** Rings, then drains. */
    @Benchmark
    public boolean ringThenDrain() throws NativeCallException {
        UnixSockets.sendByte(ringing);
        return UnixSockets.discardInput(sleeping);
    }
}
