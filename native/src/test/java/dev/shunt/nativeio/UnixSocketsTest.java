package dev.shunt.nativeio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.nativeio.testing.NoDescriptorLeaks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(NoDescriptorLeaks.class)
class UnixSocketsTest {

    @TempDir
    Path directory;

    private int left = -1;
    private int right = -1;

    @BeforeEach
    void pair() throws Exception {
        int[] pair = UnixSockets.socketPair();
        left = pair[0];
        right = pair[1];
        assertTrue(Descriptors.describe(left).startsWith("socket:["), Descriptors.describe(left));
    }

    @AfterEach
    void closePair() {
        Descriptors.close(left);
        Descriptors.close(right);
    }

    @Test
    void singleBytesAreSentUntilTheBufferIsFullAndDiscardedUntilEmpty() throws Exception {
        assertTrue(UnixSockets.sendByte(left));
        assertTrue((UnixSockets.poll(right, UnixSockets.POLLIN, 1000) & UnixSockets.POLLIN) != 0);
        assertEquals(false, UnixSockets.discardInput(right));
        assertEquals(0, UnixSockets.poll(right, UnixSockets.POLLIN, 0) & UnixSockets.POLLIN);

        int sent = 0;
        while (UnixSockets.sendByte(left)) {
            sent++;
            assertTrue(sent < 10_000_000, "the socket buffer never filled");
        }
        assertTrue(sent > 1, "sent " + sent);
        assertEquals(false, UnixSockets.discardInput(right));
        assertEquals(0, UnixSockets.poll(right, UnixSockets.POLLIN, 0) & UnixSockets.POLLIN);
        assertTrue(UnixSockets.sendByte(left), "space again after the reader discarded everything");
    }

    @Test
    void discardAvailableTakesOneReadAndReportsEndOfStreamOnceEmpty() throws Exception {
        assertEquals(false, UnixSockets.discardAvailable(right), "nothing to read");
        byte[] many = new byte[1000];
        assertEquals(many.length, UnixSockets.send(left, many, 0, many.length, new int[0]));
        UnixSockets.shutdownOutput(left);
        int reads = 0;
        while (!UnixSockets.discardAvailable(right)) {
            reads++;
            assertTrue(reads < 100, "never reached the end of stream");
        }
        assertTrue(reads >= 4, "one read takes at most 256 bytes, took " + reads + " reads for 1000");
        assertEquals(true, UnixSockets.discardAvailable(right), "the end of stream stays");
    }

    @Test
    void discardReportsEndOfStreamAndReleasesPassedDescriptors() throws Exception {
        String name = "shunt-discarded-" + System.nanoTime();
        int memFd = MemFd.create(name);
        try {
            assertEquals(1, UnixSockets.send(left, new byte[] {7}, 0, 1, new int[] {memFd}));
            assertTrue(UnixSockets.sendByte(left));
            UnixSockets.shutdownOutput(left);
            assertTrue(UnixSockets.discardInput(right));
            // By name, not by count: the JVM opens files of its own for an instant now and then.
            assertEquals(1, descriptorsOf(name), "no passed descriptor was installed here, only the sender's");
        } finally {
            Descriptors.close(memFd);
        }
        Descriptors.close(left);
        left = -1;
        assertThrows(NativeCallException.class, () -> UnixSockets.sendByte(right));
    }

    /** @return how many of this process's descriptors refer to the memfd of this name */
    private static long descriptorsOf(String memfdName) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> Descriptors.describe(Integer.parseInt(fd.getFileName().toString()))
                    .contains("memfd:" + memfdName)).count();
        }
    }

    @Test
    void descriptorsTravelWithData() throws Exception {
        int memFd = MemFd.create("shunt-passed-" + System.nanoTime());
        int eventFd = EventFd.create();
        int[] received = new int[4];
        try {
            assertEquals(3, UnixSockets.send(left, new byte[] {9, 'a', 'b', 'c', 9}, 1, 3, new int[] {memFd, eventFd}));
            assertTrue((UnixSockets.poll(right, UnixSockets.POLLIN, 1000) & UnixSockets.POLLIN) != 0);
            byte[] buf = new byte[16];
            assertEquals(3, UnixSockets.receive(right, buf, 2, 10, received));
            assertEquals("abc", new String(buf, 2, 3, StandardCharsets.US_ASCII));
            assertTrue(received[0] >= 0 && received[1] >= 0, Arrays.toString(received));
            assertNotEquals(memFd, received[0]);
            assertNotEquals(eventFd, received[1]);
            assertEquals(-1, received[2]);
            assertEquals(-1, received[3]);
            assertEquals(Descriptors.describe(memFd), Descriptors.describe(received[0]));
            assertTrue(EventFd.isEventFd(received[1]));

            MemFd.truncate(memFd, MappedRegion.pageSize());
            try (MappedRegion mine = MappedRegion.map(memFd, 0, MappedRegion.pageSize());
                    MappedRegion theirs = MappedRegion.map(received[0], 0, MappedRegion.pageSize())) {
                mine.buffer().putLong(0, 77L);
                assertEquals(77L, theirs.buffer().getLong(0));
            }
            EventFd.signal(received[1]);
            assertEquals(1, EventFd.drain(eventFd));
        } finally {
            Descriptors.close(memFd);
            Descriptors.close(eventFd);
            Arrays.stream(received).forEach(Descriptors::close);
        }
    }

    @Test
    void descriptorsBeyondTheRoomAreClosed() throws Exception {
        int[] sent = {MemFd.create("shunt-kept"), EventFd.create(), MemFd.create("shunt-dropped")};
        int[] received = new int[1];
        try {
            assertEquals(1, UnixSockets.send(left, new byte[] {1}, 0, 1, sent));
            int before = NoDescriptorLeaks.baseline();
            assertEquals(1, UnixSockets.receive(right, new byte[1], 0, 1, received));
            assertEquals(before + 1, NoDescriptorLeaks.settledCount(before + 1));
            assertEquals("/memfd:shunt-kept (deleted)", Descriptors.describe(received[0]));
        } finally {
            Arrays.stream(sent).forEach(Descriptors::close);
            Descriptors.close(received[0]);
        }
    }

    @Test
    void sendWithoutDescriptors() throws Exception {
        int[] received = {5, 5};
        assertEquals(2, UnixSockets.send(left, new byte[] {1, 2}, 0, 2, new int[0]));
        byte[] buf = new byte[2];
        assertEquals(2, UnixSockets.receive(right, buf, 0, 2, received));
        assertArrayEquals(new byte[] {1, 2}, buf);
        assertArrayEquals(new int[] {-1, -1}, received);
    }

    @Test
    void peekDoesNotConsume() throws Exception {
        byte[] buf = new byte[8];
        assertEquals(-1, UnixSockets.peek(right, buf, 0, 8));
        assertEquals(-1, UnixSockets.receive(right, buf, 0, 8, new int[0]));
        UnixSockets.writeFully(left, "hello".getBytes(StandardCharsets.US_ASCII), 0, 5);
        assertEquals(5, UnixSockets.peek(right, buf, 0, 8));
        assertEquals(5, UnixSockets.peek(right, buf, 0, 8));
        assertEquals("hello", new String(buf, 0, 5, StandardCharsets.US_ASCII));
        Arrays.fill(buf, (byte) 0);
        assertEquals(5, UnixSockets.read(right, buf, 0, 8));
        assertEquals("hello", new String(buf, 0, 5, StandardCharsets.US_ASCII));
        assertEquals(-1, UnixSockets.peek(right, buf, 0, 8));
    }

    @Test
    void pollTimesOut() throws Exception {
        long start = System.nanoTime();
        assertEquals(0, UnixSockets.poll(right, UnixSockets.POLLIN, 50));
        long elapsed = System.nanoTime() - start;
        assertTrue(elapsed >= TimeUnit.MILLISECONDS.toNanos(45), "waited only " + elapsed + " ns");
        assertEquals(UnixSockets.POLLOUT, UnixSockets.poll(right, UnixSockets.POLLOUT, 0));
    }

    @Test
    void endOfStream() throws Exception {
        UnixSockets.shutdownOutput(left);
        byte[] buf = new byte[4];
        assertTrue((UnixSockets.poll(right, UnixSockets.POLLIN | UnixSockets.POLLRDHUP, 1000) & UnixSockets.POLLRDHUP) != 0);
        assertEquals(0, UnixSockets.peek(right, buf, 0, 4));
        assertEquals(0, UnixSockets.receive(right, buf, 0, 4, new int[1]));
        assertEquals(0, UnixSockets.read(right, buf, 0, 4));
    }

    @Test
    void shuttingDownInputWakesAReaderWaitingInPoll() throws Exception {
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> woken = reader.submit(() -> UnixSockets.poll(right, UnixSockets.POLLIN, -1));
            UnixSockets.shutdownInput(right);
            assertTrue((woken.get(60, TimeUnit.SECONDS) & UnixSockets.POLLIN) != 0);
            assertEquals(0, UnixSockets.read(right, new byte[4], 0, 4), "end of stream, the peer still open");
            assertTrue(UnixSockets.sendByte(right), "output still open");
        } finally {
            reader.shutdownNow();
        }
    }

    @Test
    void sendingToAClosedPeerIsEpipe() throws Exception {
        Descriptors.close(right);
        right = -1;
        NativeCallException e = assertThrows(NativeCallException.class, () -> UnixSockets.send(left, new byte[1], 0, 1, new int[0]));
        assertEquals(Errno.EPIPE, e.errno());
        assertEquals("sendmsg", e.call());
        assertEquals(Errno.EPIPE, assertThrows(NativeCallException.class, () -> UnixSockets.writeFully(left, new byte[1], 0, 1)).errno());
    }

    @Test
    void writeFullyWaitsForTheReader() throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(42).nextBytes(data);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<byte[]> reader = executor.submit(() -> {
                byte[] got = new byte[data.length];
                int done = 0;
                while (done < got.length) {
                    int n = UnixSockets.read(right, got, done, got.length - done);
                    if (n == 0) {
                        break;
                    }
                    done += n;
                }
                return Arrays.copyOf(got, done);
            });
            UnixSockets.writeFully(left, data, 0, data.length);
            assertArrayEquals(data, reader.get(30, TimeUnit.SECONDS));
        } finally {
            executor.shutdownNow();
            assertTrue(executor.awaitTermination(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void peerCredentialsAreThisProcess() throws Exception {
        PeerCredentials credentials = UnixSockets.peerCredentials(right);
        assertEquals(ProcessHandle.current().pid(), credentials.pid());
        assertEquals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"), credentials.uid());
        assertEquals(Files.getAttribute(Path.of("/proc/self"), "unix:gid"), credentials.gid());
    }

    @Test
    void abstractNamesOfARealConnection() throws Exception {
        assertNull(UnixSockets.peerAbstractName(right));
        assertNull(UnixSockets.localAbstractName(left));

        String path = directory.resolve("listener.sock").toString();
        String name = "shunt-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        int listener = UnixSockets.socket();
        int named = UnixSockets.socket();
        int unnamed = UnixSockets.socket();
        int acceptedNamed = -1;
        int acceptedUnnamed = -1;
        try {
            UnixSockets.bindPath(listener, path);
            UnixSockets.listen(listener, 4);
            UnixSockets.bindAbstract(named, name);
            assertEquals(name, UnixSockets.localAbstractName(named));
            UnixSockets.connect(named, path);
            acceptedNamed = UnixSockets.accept(listener);
            assertEquals(name, UnixSockets.peerAbstractName(acceptedNamed));
            assertNull(UnixSockets.localAbstractName(acceptedNamed));
            assertNull(UnixSockets.peerAbstractName(named));

            UnixSockets.connect(unnamed, path);
            acceptedUnnamed = UnixSockets.accept(listener);
            assertNull(UnixSockets.peerAbstractName(acceptedUnnamed));

            UnixSockets.writeFully(named, new byte[] {42}, 0, 1);
            byte[] one = new byte[1];
            assertEquals(1, UnixSockets.read(acceptedNamed, one, 0, 1));
            assertEquals(42, one[0]);

            int clash = UnixSockets.socket();
            try {
                NativeCallException inUse = assertThrows(NativeCallException.class, () -> UnixSockets.bindAbstract(clash, name));
                assertEquals("bind", inUse.call());
                assertEquals("EADDRINUSE", Errno.name(inUse.errno()));
            } finally {
                Descriptors.close(clash);
            }
        } finally {
            Descriptors.close(acceptedNamed);
            Descriptors.close(acceptedUnnamed);
            Descriptors.close(listener);
            Descriptors.close(named);
            Descriptors.close(unnamed);
        }
    }

    @Test
    void badNamesAndPathsAreRejected() throws Exception {
        int fd = UnixSockets.socket();
        try {
            assertThrows(IllegalArgumentException.class, () -> UnixSockets.bindAbstract(fd, "caf\u00e9"));
            assertThrows(IllegalArgumentException.class, () -> UnixSockets.bindAbstract(fd, "x".repeat(108)));
            assertThrows(IllegalArgumentException.class, () -> UnixSockets.bindPath(fd, ""));
            NativeCallException missing = assertThrows(NativeCallException.class,
                    () -> UnixSockets.connect(fd, directory.resolve("nobody-listens").toString()));
            assertEquals(Errno.ENOENT, missing.errno());
        } finally {
            Descriptors.close(fd);
        }
    }
}
