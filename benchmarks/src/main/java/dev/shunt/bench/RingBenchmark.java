package dev.shunt.bench;

import dev.shunt.core.ShuntStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH: one write into a Shunt ring and one read out of it, on one thread, through the public
 * {@link ShuntStream} calls an event loop uses ({@code writeNow}, {@code readNow}). Both ends live in this JVM,
 * connected by the real handshake over a Unix socket. It measures the copy, the MPK window around it and the
 * position publishing, without any cross-core traffic or wake-up. (JMH subclasses benchmark classes, so this
 * one is not final.)
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dshunt.enabled=true", "-Dshunt.mpk=optional"})
public class RingBenchmark {
    /** Bytes per write and read. */
    @Param({"32", "65536"})
    public int size;

    private Path dir;
    private ShuntCoreLink server;
    private ShuntCoreLink client;
    private ShuntStream writer;
    private ShuntStream reader;
    private byte[] out;
    private byte[] in;

    /** Connects the two ends. */
    @Setup(Level.Trial)
    public void connect() throws Exception {
        dir = Files.createTempDirectory("shunt-jmh-");
        DuplexListener listener = ShuntCoreLink.listen(dir);
        CompletableFuture<Duplex> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                return listener.acceptor().accept();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        client = (ShuntCoreLink) ShuntCoreLink.connector(listener.address()).connect();
        server = (ShuntCoreLink) accepted.get(10, TimeUnit.SECONDS);
        writer = client.stream();
        reader = server.stream();
        out = new byte[size];
        in = new byte[size];
    }

    /** Closes both ends and removes the socket files. */
    @TearDown(Level.Trial)
    public void close() throws IOException {
        client.close();
        server.close();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    /** Writes {@link #size} bytes into the ring, then reads them out again. */
    @Benchmark
    public int writeThenRead() throws IOException {
        for (int done = 0; done < size; ) {
            done += writer.writeNow(out, done, size - done);
        }
        int done = 0;
        while (done < size) {
            done += reader.readNow(in, done, size - done);
        }
        return done;
    }
}
