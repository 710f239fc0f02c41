package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.ChildJvm;
import dev.shunt.core.testing.ConnectedPair;
import dev.shunt.core.testing.PeerProcess;
import dev.shunt.core.testing.TestProtection;
import dev.shunt.core.testing.TestServer;
import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.Test;

/**
 * Shunt's JFR events, recorded with a {@link RecordingStream} over real connections: handshakes on the fast path and
 * falling back (with the reason), a reader's wait that slept until its peer wrote, and the protocol error of a peer
 * that wrote an impossible position into shared memory.
 */
class ShuntEventsTest {
    private static final ShuntConfig FAST = TestProtection.fastPath(4096, 0, 5_000);

    @Test
    void recordsHandshakesWaitsAndProtocolErrors() throws Exception {
        List<RecordedEvent> events = new CopyOnWriteArrayList<>();
        try (RecordingStream recording = new RecordingStream()) {
            recording.enable("dev.shunt.Handshake");
            recording.enable("dev.shunt.ProtocolError");
            recording.enable("dev.shunt.Wait").withThreshold(Duration.ofMillis(20));
            recording.onEvent(events::add);
            recording.startAsync();

            try (ConnectedPair pair = ConnectedPair.open(FAST)) {
                CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
                    try {
                        return pair.server.stream().read(new byte[8], 0, 8, 0);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                Thread.sleep(100);
                pair.client.stream().write(new byte[] {1}, 0, 1);
                assertEquals(1, reader.get(10, TimeUnit.SECONDS));
            }
            try (ConnectedPair pair = ConnectedPair.open(FAST, FAST.withEnabled(false))) {
                assertTrue(!pair.client.isFastPath());
            }
            try (TestServer server = new TestServer(FAST)) {
                CompletableFuture<TestServer.Accepted> accepted = CompletableFuture.supplyAsync(() -> {
                    try {
                        return server.accept();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                try (HostilePeerConnection hostile = HostilePeerConnection.connect(server.path)) {
                    ShuntStream victim = accepted.get(10, TimeUnit.SECONDS).result.stream();
                    HostilePeerConnection.LONG.setVolatile(hostile.raw, SharedRegionLayout.inboundControl(Role.SERVER)
                            + SharedRegionLayout.PRODUCER_POSITION, 3L * hostile.capacity);
                    assertThrows(ShuntProtocolException.class, () -> victim.readNow(new byte[8], 0, 8));
                }
            }

            RecordedEvent fastServer = await(events, e -> e.getEventType().getName().equals("dev.shunt.Handshake")
                    && e.getString("role").equals("server") && e.getString("outcome").startsWith("fast path"));
            assertEquals(TestProtection.keysProtectRings() ? "fast path with protection keys"
                    : "fast path without protection keys", fastServer.getString("outcome"));
            assertEquals("", fastServer.getString("fallbackReason"));
            assertTrue(fastServer.getInt("fd") >= 0);
            await(events, e -> e.getEventType().getName().equals("dev.shunt.Handshake")
                    && e.getString("role").equals("client") && e.getString("outcome").startsWith("fast path"));
            RecordedEvent fallback = await(events, e -> e.getEventType().getName().equals("dev.shunt.Handshake")
                    && e.getString("role").equals("client") && e.getString("outcome").equals("fallback"));
            assertEquals(FallbackReason.DISABLED.name(), fallback.getString("fallbackReason"));
            RecordedEvent unmarked = await(events, e -> e.getEventType().getName().equals("dev.shunt.Handshake")
                    && e.getString("role").equals("server") && e.getString("outcome").equals("fallback"));
            assertEquals(FallbackReason.PEER_NOT_SHUNT.name(), unmarked.getString("fallbackReason"));

            RecordedEvent wait = await(events, e -> e.getEventType().getName().equals("dev.shunt.Wait"));
            assertTrue(wait.getBoolean("slept"), wait.toString());
            assertEquals(0, wait.getLong("spinBudget"), "spinNanos=0 never spins");
            assertTrue(wait.getDuration().toMillis() >= 20, wait.toString());
            assertTrue(wait.getDuration().toMillis() < 10_000, wait.toString());

            RecordedEvent error = await(events, e -> e.getEventType().getName().equals("dev.shunt.ProtocolError"));
            assertEquals("server", error.getString("role"));
            assertTrue(error.getString("message").contains("producer position"), error.getString("message"));
        }
    }

    /**
     * A socket layer that reads the peer's address itself spares a plain client's connection its descriptor
     * ({@link ServerHandshakes#start(String, ServerHandshakes.Descriptor, ServerHandshakes.Outcome)}), except while a
     * recording wants handshake events, which name the descriptor.
     */
    @Test
    void aRecordedHandshakeOfAPlainClientNamesTheDescriptorTheSocketLayerGave() throws Exception {
        List<RecordedEvent> events = new CopyOnWriteArrayList<>();
        AtomicInteger asked = new AtomicInteger();
        try (RecordingStream recording = new RecordingStream();
                ListeningSocket listening = ListeningSocket.open(4)) {
            recording.enable("dev.shunt.Handshake");
            recording.onEvent(events::add);
            recording.startAsync();
            int client = UnixSockets.socket();
            int accepted = -1;
            try {
                UnixSockets.connect(client, listening.path.toString());
                accepted = UnixSockets.accept(listening.fd);
                int fd = accepted;
                ServerHandshakes handshakes = new ServerHandshakes(FAST, listening.path.toString());
                CompletableFuture<HandshakeResult> outcome = new CompletableFuture<>();
                handshakes.start(null, () -> {
                    asked.incrementAndGet();
                    return fd;
                }, (result, failure) -> outcome.complete(result));
                assertEquals(FallbackReason.PEER_NOT_SHUNT, outcome.get(10, TimeUnit.SECONDS).fallbackReason());
                handshakes.close();
                RecordedEvent event = await(events, e -> e.getEventType().getName().equals("dev.shunt.Handshake"));
                assertEquals(1, asked.get());
                assertEquals(fd, event.getInt("fd"));
                assertEquals(FallbackReason.PEER_NOT_SHUNT.name(), event.getString("fallbackReason"));
            } finally {
                Descriptors.close(client);
                if (accepted >= 0) {
                    Descriptors.close(accepted);
                }
            }
        }
    }

    /**
     * A server in a process of its own, started with the command line docs/observability.md gives, records its
     * handshake with this process's client and the waits of its echo loop; the file it dumps at exit holds them.
     */
    @Test
    void aPeerProcessRecordsWithTheDocumentedCommandLine() throws Exception {
        Path dir = Files.createTempDirectory("shunt-jfr");
        Path path = dir.resolve("s");
        Path jfr = dir.resolve("child.jfr");
        String flags = "-XX:StartFlightRecording:+dev.shunt.Handshake#enabled=true,+dev.shunt.ProtocolError#enabled=true,"
                + "+dev.shunt.Wait#enabled=true,+dev.shunt.Wait#threshold=0ms,filename=" + jfr;
        try (ChildJvm server = ChildJvm.start(List.of("env", "JAVA_TOOL_OPTIONS=" + flags),
                List.of(ShuntConfig.ENABLED + "=true"), PeerProcess.class, "server", path.toString(), "echo")) {
            server.expect("READY", 30, TimeUnit.SECONDS);
            int fd = UnixSockets.socket();
            ClientHandshake handshake = ShuntHandshake.prepareClient(fd, path, FAST);
            UnixSockets.connect(fd, path.toString());
            HandshakeResult client = handshake.complete();
            try {
                assertTrue(client.isFastPath(), client.toString());
                byte[] buf = new byte[3];
                for (int i = 0; i < 3; i++) {
                    Thread.sleep(50); // the child's echo loop waits for each message
                    client.stream().write(buf, 0, buf.length);
                    assertEquals(3, client.stream().read(buf, 0, buf.length, 0));
                }
            } finally {
                client.close(() -> Descriptors.close(fd));
            }
            assertTrue(server.expect("METRICS", 30, TimeUnit.SECONDS).startsWith("in=9 out=9"));
            assertEquals(0, server.waitFor(30, TimeUnit.SECONDS), server.stderr());
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
        RecordedEvent handshake = events.stream().filter(e -> e.getEventType().getName().equals("dev.shunt.Handshake"))
                .findFirst().orElseThrow(() -> new AssertionError("no handshake among " + events.size() + " events"));
        assertEquals("server", handshake.getString("role"));
        assertTrue(handshake.getString("outcome").startsWith("fast path"), handshake.toString());
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("dev.shunt.Wait")
                && e.getBoolean("slept") && e.getDuration().toMillis() >= 20), "a slept wait of the echo loop");
        Files.delete(jfr);
        Files.deleteIfExists(path);
        Files.delete(dir);
    }

    private static RecordedEvent await(List<RecordedEvent> events, Predicate<RecordedEvent> wanted)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() - deadline < 0) {
            for (RecordedEvent e : events) {
                if (wanted.test(e)) {
                    return e;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no such event among " + events);
    }
}
