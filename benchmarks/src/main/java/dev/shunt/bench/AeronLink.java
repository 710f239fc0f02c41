package dev.shunt.bench;

import dev.shunt.core.ShuntConfig;
import io.aeron.Aeron;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.ControlledFragmentHandler.Action;
import io.aeron.logbuffer.Header;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Aeron IPC between the two JVMs through one media driver embedded in the server JVM: what a Java developer
 * would pick for shared-memory messaging instead of a socket.
 *
 * <p>A "connection" is a pair of IPC streams, one exclusive publication each way; the n-th connection uses
 * streams {@code 1001 + 2n} (client to server) and {@code 1002 + 2n}, so both JVMs find each other's streams by
 * counting. Each {@link #write} is one Aeron message (fragmented and reassembled above the MTU), and a message
 * of length 0 ends the stream. Waiting sides use {@link SpinThenBackoff}: the same spin budget as Shunt
 * ({@code shunt.spinNanos}), then Aeron's usual backoff of parks from 1 µs to 1 ms, because Aeron has no
 * wake-up signal.
 *
 * <p>The driver runs {@link ThreadingMode#SHARED} (one agent thread, Aeron's backoff idle strategy) so that it
 * does not take a core of its own; IPC needs no sender or receiver. The IPC term length is 16 MiB, which allows
 * messages up to 2 MiB.
 */
final class AeronLink implements Duplex {
    private static final String CHANNEL = "aeron:ipc";
    private static final int FIRST_STREAM = 1001;
    private static final int TERM_BYTES = 16 << 20;
    private static final int FRAGMENT_LIMIT = 64;
    private static final long CONNECT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final ExclusivePublication out;
    private final Subscription in;
    private final UnsafeBuffer outBuffer = new UnsafeBuffer(new byte[0]);
    private final IdleStrategy idle = new SpinThenBackoff(ShuntConfig.fromSystemProperties().spinNanos());
    private final ControlledFragmentAssembler assembler = new ControlledFragmentAssembler(this::onMessage);
    private byte[] target;
    private int targetOff;
    private int targetLen;
    private int received;
    private byte[] pending = new byte[0];
    private int pendingOff;
    private int pendingLen;
    private boolean ended;

    private AeronLink(ExclusivePublication out, Subscription in) {
        this.out = out;
        this.in = in;
    }

    static DuplexListener listen(Path dir) throws IOException {
        Path shm = Path.of("/dev/shm");
        String aeronDir = (Files.isDirectory(shm) ? shm : dir).resolve("shunt-bench-aeron-" + ProcessHandle.current().pid())
                .toString();
        MediaDriver driver = MediaDriver.launch(new MediaDriver.Context().aeronDirectoryName(aeronDir)
                .threadingMode(ThreadingMode.SHARED).sharedIdleStrategy(new BackoffIdleStrategy())
                .ipcTermBufferLength(TERM_BYTES).dirDeleteOnStart(true).dirDeleteOnShutdown(true));
        Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> CloseHelper.closeAll(aeron, driver)));
        AtomicInteger next = new AtomicInteger(FIRST_STREAM);
        return new DuplexListener(aeronDir, () -> {
            int stream = next.getAndAdd(2);
            // Waits as long as the client takes to open its next connection: giving up would lose the count.
            Subscription in = aeron.addSubscription(CHANNEL, stream);
            await(in::isConnected, "the client's publication", Long.MAX_VALUE);
            ExclusivePublication out = aeron.addExclusivePublication(CHANNEL, stream + 1);
            await(out::isConnected, "the client's subscription", Long.MAX_VALUE);
            return new AeronLink(out, in);
        });
    }

    static DuplexConnector connector(String aeronDir) {
        Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir));
        AtomicInteger next = new AtomicInteger(FIRST_STREAM);
        return () -> {
            int stream = next.getAndAdd(2);
            ExclusivePublication out = aeron.addExclusivePublication(CHANNEL, stream);
            Subscription in = aeron.addSubscription(CHANNEL, stream + 1);
            await(() -> out.isConnected() && in.isConnected(), "the server's streams", CONNECT_TIMEOUT_NANOS);
            return new AeronLink(out, in);
        };
    }

    private static void await(BooleanSupplier condition, String what, long timeoutNanos) throws IOException {
        long start = System.nanoTime();
        IdleStrategy idle = new BackoffIdleStrategy();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - start > timeoutNanos) {
                throw new IOException("Aeron: timed out waiting for " + what);
            }
            idle.idle();
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        outBuffer.wrap(b, off, len);
        idle.reset();
        for (long result; (result = out.offer(outBuffer, 0, len)) < 0; ) {
            if (result != Publication.BACK_PRESSURED && result != Publication.ADMIN_ACTION) {
                throw new IOException("Aeron offer failed: " + (result == Publication.NOT_CONNECTED
                        ? "the peer is gone" : result == Publication.CLOSED ? "closed" : "code " + result));
            }
            idle.idle();
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (pendingLen > 0) {
            int n = Math.min(len, pendingLen);
            System.arraycopy(pending, pendingOff, b, off, n);
            pendingOff += n;
            pendingLen -= n;
            return n;
        }
        if (ended) {
            return -1;
        }
        target = b;
        targetOff = off;
        targetLen = len;
        received = 0;
        idle.reset();
        while (received == 0) {
            int fragments = in.controlledPoll(assembler, FRAGMENT_LIMIT);
            if (fragments == 0 && !in.isConnected()) {
                throw new IOException("Aeron: the peer's publication is gone");
            }
            idle.idle(fragments);
        }
        return received;
    }

    private Action onMessage(DirectBuffer buffer, int offset, int length, Header header) {
        if (length == 0) {
            ended = true;
            received = -1;
            return Action.BREAK;
        }
        int n = Math.min(length, targetLen);
        buffer.getBytes(offset, target, targetOff, n);
        if (length > n) {
            if (pending.length < length - n) {
                pending = new byte[length - n];
            }
            buffer.getBytes(offset + n, pending, 0, length - n);
            pendingOff = 0;
            pendingLen = length - n;
        }
        received = n;
        return Action.BREAK;
    }

    @Override
    public String path() {
        return "shared memory (Aeron IPC)";
    }

    @Override
    public void close() throws IOException {
        try {
            if (!ended && out.isConnected()) {
                write(new byte[0], 0, 0);
            }
        } finally {
            CloseHelper.closeAll(out, in);
        }
    }

    /**
     * Spins (busy, {@link Thread#onSpinWait}) for a budget of time, then parks with exponential backoff from
     * 1 µs to 1 ms, as Aeron's {@link BackoffIdleStrategy} does after its spins and yields.
     */
    static final class SpinThenBackoff implements IdleStrategy {
        private static final long MIN_PARK_NANOS = 1_000;
        private static final long MAX_PARK_NANOS = 1_000_000;
        private final long spinNanos;
        private boolean idling;
        private long idleSince;
        private long parkNanos = MIN_PARK_NANOS;

        SpinThenBackoff(long spinNanos) {
            this.spinNanos = spinNanos;
        }

        @Override
        public void idle(int workCount) {
            if (workCount > 0) {
                reset();
            } else {
                idle();
            }
        }

        @Override
        public void idle() {
            long now = System.nanoTime();
            if (!idling) {
                idling = true;
                idleSince = now;
            }
            if (now - idleSince < spinNanos) {
                Thread.onSpinWait();
                return;
            }
            LockSupport.parkNanos(parkNanos);
            parkNanos = Math.min(parkNanos * 2, MAX_PARK_NANOS);
        }

        @Override
        public void reset() {
            idling = false;
            parkNanos = MIN_PARK_NANOS;
        }
    }
}
