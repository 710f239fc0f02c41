package dev.shunt.bench;

import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.EventFd;
import dev.shunt.nativeio.NativeCallException;
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
 * JMH: ringing an event loop's doorbell and draining it, one eventfd {@code write} and one {@code read}
 * ({@link EventFd#signal}, {@link EventFd#drain}): the system calls a wake-up of a sleeping event loop costs on
 * top of the scheduler. Nobody sleeps on the eventfd here. (JMH subclasses benchmark classes, so this one is
 * not final.)
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DoorbellBenchmark {
    private int fd;

    /** Creates the eventfd. */
    @Setup
    public void create() throws NativeCallException {
        fd = EventFd.create();
    }

    /** Closes it. */
    @TearDown
    public void close() {
        Descriptors.close(fd);
    }

    /** Signals, then drains. */
    @Benchmark
    public long signalThenDrain() throws NativeCallException {
        EventFd.signal(fd);
        return EventFd.drain(fd);
    }
}
