package dev.shunt.junixsocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.FallbackReason;
import dev.shunt.core.MpkMode;
import dev.shunt.core.ServerAdvertisement;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntHandshakeException;
import dev.shunt.core.StreamCounters;
import dev.shunt.nativeio.testing.WithoutProtectionKeys;
import java.io.IOException;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/** Connecting: addresses junixsocket maps, missing servers, and a client handshake that cannot finish. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShuntSocketTest {
    @TempDir
    Path dir;

    @Test
    void connectsToAJavaUnixDomainSocketAddressOnTheFastPath() throws Exception {
        Path path = dir.resolve("s");
        try (ShuntServerSocket server = ShuntServerSocket.newInstance(Connection.config(true))) {
            server.bind(AFUNIXSocketAddress.of(path));
            CompletableFuture<Socket> accepted = acceptOne(server);
            try (ShuntSocket client = ShuntSocket.newInstance(Connection.config(true))) {
                client.connect(UnixDomainSocketAddress.of(path), 5000);
                try (Socket served = accepted.get(10, TimeUnit.SECONDS)) {
                    assertTrue(client.isFastPath());
                    assertTrue(((ShuntSocket) served).isFastPath());
                }
            }
        }
    }

    /**
     * With {@code shunt.mpk=required} where keys are unusable, both ends stay on the kernel socket, say why, and the
     * bytes still travel.
     */
    @Test
    @WithoutProtectionKeys
    void withoutKeysRequiredKeepsBothEndsOnTheKernelSocketWithTheReason() throws Exception {
        Path path = dir.resolve("s");
        ShuntConfig required = Connection.config(true).withMpk(MpkMode.REQUIRED);
        try (ShuntServerSocket server = ShuntServerSocket.newInstance(required)) {
            server.bind(AFUNIXSocketAddress.of(path));
            CompletableFuture<Socket> accepted = acceptOne(server);
            try (ShuntSocket client = ShuntSocket.newInstance(required)) {
                client.connect(AFUNIXSocketAddress.of(path), 5000);
                try (ShuntSocket served = (ShuntSocket) accepted.get(10, TimeUnit.SECONDS)) {
                    assertEquals(FallbackReason.NO_PROTECTION_KEYS, client.getFallbackReason());
                    assertEquals(FallbackReason.PEER_NOT_SHUNT, served.getFallbackReason());
                    client.getOutputStream().write(42);
                    assertEquals(42, served.getInputStream().read());
                }
            }
        }
    }

    /**
     * Each socket counts what its connection did on the rings: bytes each way, the parks of a reader that waited, the
     * signal that woke it; a socket on the kernel path counts nothing.
     */
    @Test
    void countersTellWhatTheConnectionDid() throws Exception {
        try (Connection c = Connection.open(Mode.FAST_PATH)) {
            ShuntSocket served = (ShuntSocket) c.peer;
            c.local.getOutputStream().write(new byte[1000]);
            assertEquals(1000, served.getInputStream().readNBytes(1000).length);
            CompletableFuture<Integer> reply = CompletableFuture.supplyAsync(() -> {
                try {
                    return c.local.getInputStream().read();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            while (c.local.getCounters().parks() == 0) {
                Thread.sleep(1); // until the reader sleeps
            }
            served.getOutputStream().write(7);
            assertEquals(7, reply.get(10, TimeUnit.SECONDS));
            StreamCounters client = c.local.getCounters();
            assertEquals(1000, client.bytesSent());
            assertEquals(1, client.bytesReceived());
            assertTrue(client.parks() >= 1, client.toString());
            StreamCounters server = served.getCounters();
            assertEquals(1000, server.bytesReceived());
            assertEquals(1, server.bytesSent());
            assertTrue(server.signals() >= 1, "the server woke the sleeping reader: " + server);
            c.local.close();
            assertEquals(client, c.local.getCounters(), "still readable after close");
        }
        try (Connection c = Connection.open(Mode.DISABLED)) {
            c.local.getOutputStream().write(new byte[100]);
            assertEquals(100, c.peer.getInputStream().readNBytes(100).length);
            assertEquals(StreamCounters.NONE, c.local.getCounters());
        }
    }

    @Test
    void connectingToAMissingSocketFails() throws Exception {
        try (ShuntSocket client = ShuntSocket.newInstance(Connection.config(true))) {
            assertThrows(IOException.class, () -> client.connect(AFUNIXSocketAddress.of(dir.resolve("none"))));
            assertThrows(IOException.class, client::getInputStream);
        }
    }

    /**
     * A plain server that waits for the client's request, behind an advertisement that wrongly matches its socket
     * (docs/protocol.md, "wrong advertisement, client-first plain server"): the client's handshake waits for an
     * offer until its bound, then connect fails and the kernel socket is closed.
     */
    @Test
    void aSilentServerBehindAWrongAdvertisementFailsTheConnectWithinTheBound() throws Exception {
        Path path = dir.resolve("s");
        try (AFUNIXServerSocket plain = AFUNIXServerSocket.bindOn(AFUNIXSocketAddress.of(path));
                ServerAdvertisement wrong = ServerAdvertisement.publish(path, Connection.config(true))) {
            assertTrue(wrong.isPublished());
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return plain.accept();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try (ShuntSocket client = ShuntSocket.newInstance(Connection.config(true).withHandshakeTimeoutMillis(300))) {
                assertThrows(ShuntHandshakeException.class, () -> client.connect(AFUNIXSocketAddress.of(path)));
            }
            try (Socket served = accepted.get(10, TimeUnit.SECONDS)) {
                assertEquals(-1, served.getInputStream().read(), "the client closed its socket");
            }
        }
    }

    private static CompletableFuture<Socket> acceptOne(ShuntServerSocket server) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return server.accept();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }
}
