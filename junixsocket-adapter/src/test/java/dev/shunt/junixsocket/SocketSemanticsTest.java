package dev.shunt.junixsocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every socket behaviour an application relies on, run in every {@link Mode}: the fast path, the fast path
 * disabled, and Shunt against plain junixsocket in both directions. The socket under test is always a Shunt
 * socket; the same assertions hold whichever path carries its bytes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SocketSemanticsTest {
    private static final ExecutorService THREADS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "semantics-helper");
        t.setDaemon(true);
        return t;
    });

    @AfterAll
    static void stopThreads() {
        THREADS.shutdownNow();
    }

    private static Connection open(Mode mode) throws Exception {
        Connection c = Connection.open(mode);
        assertEquals(mode.fastPath(), c.local.isFastPath(), "fast path of the socket under test in " + mode);
        assertEquals(mode.expectedFallback, c.local.getFallbackReason(), "fallback reason in " + mode);
        if (c.peer instanceof ShuntSocket) {
            assertEquals(mode.fastPath(), ((ShuntSocket) c.peer).isFastPath(), "fast path of the peer in " + mode);
        }
        return c;
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void bytesTravelBothWaysInOrder(Mode mode) throws Exception {
        try (Connection c = open(mode)) {
            byte[] small = "hello, peer".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            c.local.getOutputStream().write(small);
            assertArrayEquals(small, c.peer.getInputStream().readNBytes(small.length));
            c.peer.getOutputStream().write(42);
            assertEquals(42, c.local.getInputStream().read());
            byte[] odd = pattern(100_003, 1);
            Future<byte[]> echoed = THREADS.submit(() -> c.peer.getInputStream().readNBytes(odd.length));
            c.local.getOutputStream().write(odd);
            assertArrayEquals(odd, echoed.get(30, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void soTimeoutThrowsAndTheSocketStaysUsable(Mode mode) throws Exception {
        try (Connection c = open(mode)) {
            c.local.setSoTimeout(200);
            assertEquals(200, c.local.getSoTimeout());
            InputStream in = c.local.getInputStream();
            long start = System.nanoTime();
            assertThrows(SocketTimeoutException.class, () -> in.read(new byte[16]));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(150),
                    "the read waited about SO_TIMEOUT");
            assertThrows(SocketTimeoutException.class, in::read);
            c.peer.getOutputStream().write(new byte[] {7, 8, 9});
            assertArrayEquals(new byte[] {7, 8, 9}, in.readNBytes(3));
            c.local.getOutputStream().write(5);
            assertEquals(5, c.peer.getInputStream().read());
            c.local.setSoTimeout(0);
            Future<Integer> unbounded = THREADS.submit(() -> in.read());
            c.peer.getOutputStream().write(6);
            assertEquals(6, unbounded.get(30, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void availableCountsBufferedBytes(Mode mode) throws Exception {
        try (Connection c = open(mode)) {
            InputStream in = c.local.getInputStream();
            assertEquals(0, in.available());
            c.peer.getOutputStream().write(pattern(1000, 2));
            Waits.until(() -> available(in) == 1000, Duration.ofSeconds(10), "1000 bytes are available");
            assertEquals(400, in.readNBytes(400).length);
            assertEquals(600, in.available());
            assertArrayEquals(java.util.Arrays.copyOfRange(pattern(1000, 2), 400, 1000), in.readNBytes(600));
            assertEquals(0, in.available());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void shutdownOutputEndsThePeersStreamAfterEveryByte(Mode mode) throws Exception {
        try (Connection c = open(mode)) {
            byte[] data = pattern(300_000, 3);
            Future<byte[]> received = THREADS.submit(() -> c.peer.getInputStream().readAllBytes());
            OutputStream out = c.local.getOutputStream();
            out.write(data);
            c.local.shutdownOutput();
            assertTrue(c.local.isOutputShutdown());
            assertFalse(c.local.isInputShutdown());
            assertArrayEquals(data, received.get(30, TimeUnit.SECONDS), "every byte, then end of stream");
            assertThrows(SocketException.class, () -> out.write(1));
            assertThrows(SocketException.class, c.local::getOutputStream);
            assertThrows(SocketException.class, c.local::shutdownOutput);
            c.peer.getOutputStream().write(11);
            assertEquals(11, c.local.getInputStream().read(), "input still works after shutdownOutput");
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void shutdownInputEndsLocalReadsAndFailsThePeersWrites(Mode mode) throws Exception {
        try (Connection c = open(mode)) {
            InputStream in = c.local.getInputStream();
            c.local.shutdownInput();
            assertTrue(c.local.isInputShutdown());
            assertEquals(-1, in.read());
            assertEquals(-1, in.read(new byte[10]));
            assertEquals(0, in.available());
            assertThrows(SocketException.class, c.local::getInputStream);
            c.local.getOutputStream().write(12);
            assertEquals(12, c.peer.getInputStream().read(), "output still works after shutdownInput");
            OutputStream peerOut = c.peer.getOutputStream();
            assertThrows(IOException.class, () -> {
                for (int i = 0; i < 1000; i++) {
                    peerOut.write(new byte[4096]);
                }
            }, "the peer's writes fail once this side no longer reads");
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void shutdownInputFromAnotherThreadEndsABlockedRead(Mode mode) throws Exception {
        try (Connection c = open(mode)) {
            InputStream in = c.local.getInputStream();
            CompletableFuture<Thread> reader = new CompletableFuture<>();
            Future<Integer> read = THREADS.submit(() -> {
                reader.complete(Thread.currentThread());
                return in.read();
            });
            Waits.untilBlockedInSocketCall(reader.get(10, TimeUnit.SECONDS));
            c.local.shutdownInput();
            assertEquals(-1, read.get(10, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void endOfStreamAfterThePeerClosesWithEveryByteRead(Mode mode) throws Exception {
        try (Connection c = open(mode)) {
            byte[] data = pattern(3 * Connection.RING_BYTES + 12_345, 4);
            Future<?> writer = THREADS.submit(() -> {
                c.peer.getOutputStream().write(data);
                c.peer.close();
                return null;
            });
            InputStream in = c.local.getInputStream();
            assertArrayEquals(data, in.readNBytes(data.length));
            assertEquals(-1, in.read());
            assertEquals(-1, in.read(new byte[8]));
            writer.get(30, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void closeFromAnotherThreadUnblocksAReader(Mode mode) throws Exception {
        try (Connection c = open(mode)) {
            InputStream in = c.local.getInputStream();
            CompletableFuture<Thread> reader = new CompletableFuture<>();
            Future<Integer> read = THREADS.submit(() -> {
                reader.complete(Thread.currentThread());
                return in.read(new byte[100]);
            });
            Waits.untilBlockedInSocketCall(reader.get(10, TimeUnit.SECONDS));
            c.local.close();
            ExecutionException e = assertThrows(ExecutionException.class, () -> read.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof SocketException, "reader fails with a SocketException: " + e.getCause());
            assertTrue(c.local.isClosed());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void closeFromAnotherThreadUnblocksAWriter(Mode mode) throws Exception {
        try (Connection c = open(mode)) {
            OutputStream out = c.local.getOutputStream();
            CompletableFuture<Thread> writer = new CompletableFuture<>();
            Future<?> write = THREADS.submit(() -> {
                writer.complete(Thread.currentThread());
                byte[] chunk = new byte[64 * 1024];
                while (true) {
                    out.write(chunk); // the peer never reads: this blocks once the buffers are full
                }
            });
            Waits.untilBlockedInSocketCall(writer.get(10, TimeUnit.SECONDS));
            c.local.close();
            ExecutionException e = assertThrows(ExecutionException.class, () -> write.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof SocketException, "writer fails with a SocketException: " + e.getCause());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void writesLargerThanTheRingArriveIntactBothWays(Mode mode) throws Exception {
        try (Connection c = open(mode)) {
            byte[] up = pattern(8 << 20, 5);
            byte[] down = pattern((8 << 20) + 7, 6);
            Future<?> localWrites = THREADS.submit(() -> {
                c.local.getOutputStream().write(up);
                return null;
            });
            Future<?> peerWrites = THREADS.submit(() -> {
                c.peer.getOutputStream().write(down);
                return null;
            });
            Future<byte[]> peerReads = THREADS.submit(() -> c.peer.getInputStream().readNBytes(up.length));
            assertEquals(crc(down), crc(c.local.getInputStream().readNBytes(down.length)));
            assertEquals(crc(up), crc(peerReads.get(60, TimeUnit.SECONDS)));
            localWrites.get(60, TimeUnit.SECONDS);
            peerWrites.get(60, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void manyThreadsEachWithTheirOwnSocket(Mode mode) throws Exception {
        int threads = 8;
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int seed = t;
            done.add(THREADS.submit(() -> {
                try (Connection c = open(mode)) {
                    Future<?> echo = THREADS.submit(() -> {
                        byte[] buf = new byte[8192];
                        InputStream in = c.peer.getInputStream();
                        OutputStream out = c.peer.getOutputStream();
                        for (int n; (n = in.read(buf)) > 0; ) {
                            out.write(buf, 0, n);
                        }
                        shutdownOutput(c.peer);
                        return null;
                    });
                    InputStream in = c.local.getInputStream();
                    OutputStream out = c.local.getOutputStream();
                    for (int i = 0; i < 500; i++) {
                        byte[] message = pattern(1 + (i * 37 + seed) % 3000, seed * 1000 + i);
                        out.write(message);
                        assertArrayEquals(message, in.readNBytes(message.length));
                    }
                    c.local.shutdownOutput();
                    assertEquals(-1, in.read());
                    echo.get(30, TimeUnit.SECONDS);
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(100, TimeUnit.SECONDS);
        }
    }

    /**
     * The core's rule: the rings' capacity on the fast path, the kernel socket's buffers otherwise, through the
     * getters and through {@code getOption}; setting them sets the kernel socket's buffers on both paths.
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void bufferSizesMapToTheRingOnTheFastPath(Mode mode) throws Exception {
        try (Connection c = open(mode)) {
            c.local.setSendBufferSize(16 * 1024);
            c.local.setOption(StandardSocketOptions.SO_RCVBUF, 16 * 1024);
            // Linux doubles the requested size for its bookkeeping: 32 KiB, which the 64 KiB ring is not.
            int expected = mode.fastPath() ? Connection.RING_BYTES : 32 * 1024;
            assertEquals(expected, c.local.getSendBufferSize());
            assertEquals(expected, c.local.getReceiveBufferSize());
            assertEquals(expected, c.local.getOption(StandardSocketOptions.SO_SNDBUF));
            assertEquals(expected, c.local.getOption(StandardSocketOptions.SO_RCVBUF));
            assertThrows(IllegalArgumentException.class, () -> c.local.setReceiveBufferSize(0));
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void streamsAreTheSameObjectsAndClosingTheInputClosesTheSocket(Mode mode) throws Exception {
        try (Connection c = open(mode)) {
            InputStream in = c.local.getInputStream();
            OutputStream out = c.local.getOutputStream();
            assertSame(in, c.local.getInputStream());
            assertSame(out, c.local.getOutputStream());
            in.close();
            assertTrue(c.local.isClosed());
            assertThrows(SocketException.class, () -> out.write(1));
            assertThrows(SocketException.class, () -> in.read());
            assertThrows(SocketException.class, c.local::getInputStream);
            assertEquals(-1, c.peer.getInputStream().read(), "the peer sees the end of the stream");
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void closingTheOutputClosesTheSocket(Mode mode) throws Exception {
        try (Connection c = open(mode)) {
            InputStream in = c.local.getInputStream();
            c.local.getOutputStream().close();
            assertTrue(c.local.isClosed());
            assertThrows(SocketException.class, () -> in.read());
            assertThrows(SocketException.class, c.local::getOutputStream);
            assertEquals(-1, c.peer.getInputStream().read(), "the peer sees the end of the stream");
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void stateAddressesAndCredentials(Mode mode) throws Exception {
        try (Connection c = open(mode)) {
            ShuntSocket s = c.local;
            assertTrue(s.isConnected());
            assertTrue(s.isBound());
            assertFalse(s.isClosed());
            assertFalse(s.isInputShutdown());
            assertFalse(s.isOutputShutdown());
            if (mode.clientUnderTest) {
                assertEquals(c.address, s.getRemoteSocketAddress());
            } else {
                assertEquals(c.address, s.getLocalSocketAddress());
            }
            assertEquals(ProcessHandle.current().pid(), s.getPeerCredentials().getPid());
            s.close();
            assertTrue(s.isClosed());
            s.close(); // idempotent
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void anUnconnectedSocketHasNoStreams(Mode mode) throws Exception {
        try (ShuntSocket s = ShuntSocket.newInstance(Connection.config(mode.fastPath()))) {
            assertFalse(s.isConnected());
            assertFalse(s.isFastPath());
            assertNull(s.getFallbackReason());
            assertThrows(SocketException.class, s::getInputStream);
            assertThrows(SocketException.class, s::getOutputStream);
        }
    }

    /**
     * Half-closes a peer. A plain AFUNIXSocket is half-closed through its channel: junixsocket 2.11.1's
     * {@code shutdownOutput()} fails with "Socket is not connected" on JDK 25.
     */
    private static void shutdownOutput(java.net.Socket peer) throws IOException {
        if (peer instanceof org.newsclub.net.unix.AFUNIXSocket) {
            ((org.newsclub.net.unix.AFUNIXSocket) peer).getChannel().shutdownOutput();
        } else {
            peer.shutdownOutput();
        }
    }

    private static int available(InputStream in) {
        try {
            return in.available();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static byte[] pattern(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static long crc(byte[] b) {
        CRC32 crc = new CRC32();
        crc.update(b);
        return crc.getValue();
    }
}
