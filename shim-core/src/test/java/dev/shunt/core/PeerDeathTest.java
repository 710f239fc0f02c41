package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.ChildJvm;
import dev.shunt.core.testing.PeerProcess;
import dev.shunt.core.testing.TestProtection;
import dev.shunt.core.testing.TestServer;
import dev.shunt.nativeio.Descriptors;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The peer process is killed with SIGKILL mid-stream; the survivor in this JVM must neither hang nor leak. */
class PeerDeathTest {
    private static final ShuntConfig SERVER = TestProtection.fastPath(65536, 20_000, 5_000);
    private static final List<String> CLIENT = List.of("shunt.enabled=true", "shunt.ringBytes=65536");

    static long ringMappings() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains("shunt-ring")).count();
    }

    @Test
    void readerDrainsWhatWasPublishedThenSeesEndOfStream() throws Exception {
        int fdsBefore = Descriptors.openCount();
        long mapsBefore = ringMappings();
        try (TestServer server = new TestServer(SERVER);
                ChildJvm child = ChildJvm.start(CLIENT, PeerProcess.class, "client", server.path.toString(), "flood")) {
            TestServer.Accepted accepted = server.accept();
            ShuntStream stream = accepted.result.stream();
            assertEquals("fast protected=" + TestProtection.keysProtectRings(),
                    child.expect("HANDSHAKE", 30, TimeUnit.SECONDS));
            byte[] buf = new byte[65536];
            long read = 0;
            while (read < (16 << 20)) {
                read += stream.read(buf, 0, buf.length, 0);
            }
            child.kill();
            long killedAt = System.nanoTime();
            CompletableFuture<Long> drained = CompletableFuture.supplyAsync(() -> {
                long more = 0;
                try {
                    for (int n; (n = stream.read(buf, 0, buf.length, 0)) > 0; ) {
                        more += n;
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return more;
            });
            long more = drained.get(10, TimeUnit.SECONDS);
            assertTrue(more <= 65536, "read " + more + " bytes after the kill, more than one ring");
            assertTrue(System.nanoTime() - killedAt < TimeUnit.SECONDS.toNanos(5));
            stream.close();
            Descriptors.close(accepted.fd);
        }
        assertEquals(fdsBefore, Descriptors.openCount(), "descriptors leaked");
        assertEquals(mapsBefore, ringMappings(), "ring mappings leaked");
    }

    /**
     * A reader that has waited past its first liveness slice parks without slices; the {@link LivenessWatch} must
     * wake it when the peer dies (a slice of its own would not end for {@value ShuntStream#WATCHED_SLICE_MILLIS} ms).
     */
    @Test
    void readerParkedPastItsFirstSliceSeesEndOfStreamWhenThePeerDies() throws Exception {
        CompletableFuture<Integer> reader = blockedUntilTheStalledPeerDies(stream -> stream.read(new byte[16], 0, 16, 0));
        assertEquals(-1, reader.get(), "end of stream after the peer died");
    }

    @Test
    void blockedWriterGetsBrokenPipeWhenTheReaderDies() throws Exception {
        CompletableFuture<Integer> writer = blockedUntilTheStalledPeerDies(stream -> {
            stream.write(new byte[1 << 20], 0, 1 << 20);
            return 0;
        });
        ExecutionException e = assertThrows(ExecutionException.class, writer::get);
        assertTrue(e.getCause().getCause() instanceof SocketException, String.valueOf(e.getCause()));
        assertEquals("Broken pipe", e.getCause().getCause().getMessage());
    }

    /** A blocking call on a stream whose peer process stalls. */
    private interface BlockingCall {
        int call(ShuntStream stream) throws Exception;
    }

    /**
     * Runs a call against a peer that stalls, checks that it blocks past three liveness slices, kills the peer, and
     * returns the call's outcome once it is done, which must be within 5 s of the kill; nothing may leak.
     */
    private static CompletableFuture<Integer> blockedUntilTheStalledPeerDies(BlockingCall blocking) throws Exception {
        int fdsBefore = Descriptors.openCount();
        CompletableFuture<Integer> call;
        try (TestServer server = new TestServer(SERVER);
                ChildJvm child = ChildJvm.start(CLIENT, PeerProcess.class, "client", server.path.toString(), "stall")) {
            TestServer.Accepted accepted = server.accept();
            ShuntStream stream = accepted.result.stream();
            child.expect("STALLING", 30, TimeUnit.SECONDS);
            call = CompletableFuture.supplyAsync(() -> {
                try {
                    return blocking.call(stream);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThrows(java.util.concurrent.TimeoutException.class,
                    () -> call.get(3 * ShuntStream.LIVENESS_SLICE_MILLIS, TimeUnit.MILLISECONDS));
            child.kill();
            try {
                call.get(5, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                // The caller looks at the failure.
            }
            stream.close();
            Descriptors.close(accepted.fd);
        }
        assertEquals(fdsBefore, Descriptors.openCount(), "descriptors leaked");
        return call;
    }
}
