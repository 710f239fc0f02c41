package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.NativeTestPrograms;
import dev.shunt.core.testing.TestProtection;
import dev.shunt.core.testing.TestServer;
import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Shunt on one side, a C program that has never heard of it on the other, with client-speaks-first and
 * server-speaks-first exchanges: the bytes must be exactly those of a plain socket.
 */
class PlainPeerTest {
    private static final ShuntConfig ON = TestProtection.fastPath(65536, 20_000, 1_000);
    private static final String MESSAGE = "GET /status HTTP/1.0\r\nHost: local\r\n\r\n";

    private static Process plainPeer(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = NativeTestPrograms.path("plain_peer").toString();
        System.arraycopy(args, 0, command, 1, args.length);
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static String finish(Process p) throws Exception {
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    private static byte[] readToEnd(int fd) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        for (int n; (n = UnixSockets.read(fd, buf, 0, buf.length)) > 0; ) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "WELCOME\n"})
    void shuntServerServesAPlainCClient(String greeting) throws Exception {
        long before = ShuntMetrics.snapshot().fallbacks(FallbackReason.PEER_NOT_SHUNT);
        try (TestServer server = new TestServer(ON)) {
            Process client = plainPeer("connect", server.path.toString(), Integer.toString(greeting.length()), MESSAGE);
            TestServer.Accepted accepted = server.accept();
            assertEquals(FallbackReason.PEER_NOT_SHUNT, accepted.result.fallbackReason());
            byte[] g = greeting.getBytes(StandardCharsets.ISO_8859_1);
            UnixSockets.writeFully(accepted.fd, g, 0, g.length);
            byte[] request = readToEnd(accepted.fd);
            UnixSockets.writeFully(accepted.fd, request, 0, request.length);
            Descriptors.close(accepted.fd);
            String expected = greeting.isEmpty() ? MESSAGE : greeting + "\n" + MESSAGE;
            assertEquals(expected, finish(client));
            assertEquals(MESSAGE, new String(request, StandardCharsets.ISO_8859_1));
        }
        assertEquals(before + 1, ShuntMetrics.snapshot().fallbacks(FallbackReason.PEER_NOT_SHUNT));
    }

    private static Process plainServer(Path path, String greeting) throws Exception {
        Process server = plainPeer("serve", path.toString(), greeting.isEmpty() ? "-" : greeting);
        BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("READY", lines.readLine());
        return server;
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "HELLO\n"})
    void shuntClientTalksToAPlainCServer(String greeting) throws Exception {
        Path dir = Files.createTempDirectory("shunt");
        Path path = dir.resolve("s");
        Process server = plainServer(path, greeting);
        int fd = UnixSockets.socket();
        try {
            ClientHandshake handshake = ShuntHandshake.prepareClient(fd, path, ON);
            UnixSockets.connect(fd, path.toString());
            assertEquals(FallbackReason.PEER_NOT_SHUNT, handshake.complete().fallbackReason());
            byte[] m = MESSAGE.getBytes(StandardCharsets.ISO_8859_1);
            UnixSockets.writeFully(fd, m, 0, m.length);
            UnixSockets.shutdownOutput(fd);
            assertEquals(greeting + MESSAGE, new String(readToEnd(fd), StandardCharsets.ISO_8859_1));
            assertTrue(server.waitFor(30, TimeUnit.SECONDS));
        } finally {
            Descriptors.close(fd);
            server.destroyForcibly();
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
    }

    /** The worst case: an advertisement that wrongly names a plain server's socket file. */
    @Test
    void wronglyAdvertisedServerFirstPlainServerKeepsItsBytes() throws Exception {
        Path dir = Files.createTempDirectory("shunt");
        Path path = dir.resolve("s");
        Process server = plainServer(path, "HELLO\n");
        int fd = UnixSockets.socket();
        try (ServerAdvertisement lie = ServerAdvertisement.publish(path, ON)) {
            ClientHandshake handshake = ShuntHandshake.prepareClient(fd, path, ON);
            assertTrue(handshake.isAttempting());
            UnixSockets.connect(fd, path.toString());
            assertEquals(FallbackReason.STALE_ADVERTISEMENT, handshake.complete().fallbackReason());
            byte[] m = MESSAGE.getBytes(StandardCharsets.ISO_8859_1);
            UnixSockets.writeFully(fd, m, 0, m.length);
            UnixSockets.shutdownOutput(fd);
            assertEquals("HELLO\n" + MESSAGE, new String(readToEnd(fd), StandardCharsets.ISO_8859_1));
        } finally {
            Descriptors.close(fd);
            server.destroyForcibly();
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
    }

    /** With a lying advertisement and a silent plain server, connect fails within the bound instead of hanging. */
    @Test
    void wronglyAdvertisedClientFirstPlainServerFailsWithinTheBound() throws Exception {
        Path dir = Files.createTempDirectory("shunt");
        Path path = dir.resolve("s");
        Process server = plainServer(path, "");
        int fd = UnixSockets.socket();
        try (ServerAdvertisement lie = ServerAdvertisement.publish(path, ON)) {
            ClientHandshake handshake = ShuntHandshake.prepareClient(fd, path, ON);
            UnixSockets.connect(fd, path.toString());
            long start = System.nanoTime();
            ShuntHandshakeException e = assertThrows(ShuntHandshakeException.class, handshake::complete);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis >= 900 && millis < 5_000, millis + " ms");
            assertTrue(e.getMessage().contains("shunt.handshakeTimeoutMillis"), e.getMessage());
        } finally {
            Descriptors.close(fd);
            server.destroyForcibly();
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
    }
}
