package dev.shunt.junixsocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.FallbackReason;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntMetrics;
import dev.shunt.core.testing.ChildJvm;
import java.io.InputStream;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * The core's per-connection rules as the junixsocket adapter applies them, between this JVM (the client, a
 * {@link ShuntSocket}) and a server JVM ({@link RulesPeer} on a {@link ShuntServerSocket}): a client the application
 * bound stays on the kernel socket ({@code CLIENT_BOUND}) with its own address, which the server sees; and what
 * {@code SO_SNDBUF}/{@code SO_RCVBUF} report on both paths, on both ends.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConnectionRulesTwoJvmTest {
    /** The server's ring size, which decides: not the client's ({@link Connection#RING_BYTES}). */
    private static final int SERVER_RING_BYTES = 128 * 1024;
    private static final int CLIENT_REQUESTED_BUFFER = 16 * 1024;
    private static final byte[] MESSAGE = "bytes that travel both ways".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"file", "abstract"})
    void aClientTheApplicationBoundFallsBackWithItsOwnAddressWhichTheServerSees(String kind) throws Exception {
        Path socket = dir.resolve("s");
        AFUNIXSocketAddress local = kind.equals("file") ? AFUNIXSocketAddress.of(dir.resolve("client"))
                : AFUNIXSocketAddress.inAbstractNamespace("app-client-" + ProcessHandle.current().pid() + "-"
                        + System.nanoTime());
        try (ChildJvm server = startServer(socket, true)) {
            long before = ShuntMetrics.snapshot().fallbacks(FallbackReason.CLIENT_BOUND);
            try (ShuntSocket client = ShuntSocket.newInstance(Connection.config(true))) {
                client.bind(local);
                assertTrue(client.isBound());
                assertEquals(RulesPeer.describe(local), RulesPeer.describe(client.getLocalSocketAddress()));
                assertThrows(SocketException.class, () -> client.bind(local), "bound once only");
                client.connect(AFUNIXSocketAddress.of(socket));
                assertFalse(client.isFastPath());
                assertEquals(FallbackReason.CLIENT_BOUND, client.getFallbackReason());
                assertEquals(before + 1, ShuntMetrics.snapshot().fallbacks(FallbackReason.CLIENT_BOUND));
                assertEquals(RulesPeer.describe(local), RulesPeer.describe(client.getLocalSocketAddress()));
                assertEquals("fallback " + FallbackReason.PEER_NOT_SHUNT, server.expect("ACCEPTED", 60,
                        TimeUnit.SECONDS));
                assertEquals(RulesPeer.describe(local), server.expect("PEER", 60, TimeUnit.SECONDS));
                assertArrayEquals(MESSAGE, echo(client));
            }
            assertEquals(Integer.toString(MESSAGE.length), server.expect("ECHOED", 60, TimeUnit.SECONDS));
            assertEquals(0, server.waitFor(60, TimeUnit.SECONDS), server.stderr());
        }
    }

    /**
     * Both ends set the options to their own requests and read them back: on the fast path each reports the rings'
     * capacity, which the server's {@code shunt.ringBytes} chose; on the kernel path each reports its kernel socket's
     * buffers, which Linux doubles. An unbound client of the same configuration, so the fast path is the client's
     * choice to make.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void bufferSizesReportTheRingsOnTheFastPathAndTheKernelSocketOtherwise(boolean serverEnabled) throws Exception {
        Path socket = dir.resolve("s");
        try (ChildJvm server = startServer(socket, serverEnabled)) {
            try (ShuntSocket client = ShuntSocket.newInstance(Connection.config(true))) {
                client.setSendBufferSize(CLIENT_REQUESTED_BUFFER);
                client.setReceiveBufferSize(CLIENT_REQUESTED_BUFFER);
                client.connect(AFUNIXSocketAddress.of(socket));
                assertEquals(serverEnabled, client.isFastPath(), String.valueOf(client.getFallbackReason()));
                int clientExpected = serverEnabled ? SERVER_RING_BYTES : 2 * CLIENT_REQUESTED_BUFFER;
                assertEquals(clientExpected, client.getSendBufferSize());
                assertEquals(clientExpected, client.getReceiveBufferSize());
                assertEquals(clientExpected, client.getOption(StandardSocketOptions.SO_SNDBUF));
                assertEquals(clientExpected, client.getOption(StandardSocketOptions.SO_RCVBUF));
                assertEquals(serverEnabled ? "fast" : "fallback " + FallbackReason.DISABLED,
                        server.expect("ACCEPTED", 60, TimeUnit.SECONDS));
                int serverExpected = serverEnabled ? SERVER_RING_BYTES : 2 * RulesPeer.REQUESTED_BUFFER;
                assertEquals(String.join(" ", List.of(Integer.toString(serverExpected), Integer.toString(serverExpected),
                        Integer.toString(serverExpected), Integer.toString(serverExpected))),
                        server.expect("BUFFERS", 60, TimeUnit.SECONDS));
                assertArrayEquals(MESSAGE, echo(client));
            }
            assertEquals(0, server.waitFor(60, TimeUnit.SECONDS), server.stderr());
        }
    }

    @Test
    void anUnboundClientOfTheSameConfigurationTakesTheFastPath() throws Exception {
        Path socket = dir.resolve("s");
        try (ChildJvm server = startServer(socket, true)) {
            try (ShuntSocket client = ShuntSocket.newInstance(Connection.config(true))) {
                client.connect(AFUNIXSocketAddress.of(socket));
                assertTrue(client.isFastPath(), "the bound client above falls back only because it is bound");
                assertEquals("fast", server.expect("ACCEPTED", 60, TimeUnit.SECONDS));
                assertTrue(server.expect("PEER", 60, TimeUnit.SECONDS).startsWith("abstract:shunt-v"),
                        "an unbound Shunt client shows the server its marker");
                assertArrayEquals(MESSAGE, echo(client));
            }
            assertEquals(0, server.waitFor(60, TimeUnit.SECONDS), server.stderr());
        }
    }

    private static ChildJvm startServer(Path socket, boolean enabled) throws Exception {
        ChildJvm server = ChildJvm.start(List.of(ShuntConfig.ENABLED + "=" + enabled,
                ShuntConfig.RING_BYTES + "=" + SERVER_RING_BYTES), RulesPeer.class, "server", socket.toString());
        server.expect("READY", 60, TimeUnit.SECONDS);
        return server;
    }

    /** Sends {@link #MESSAGE}, ends output and reads the echo to its end. */
    private static byte[] echo(ShuntSocket client) throws Exception {
        client.getOutputStream().write(MESSAGE);
        client.shutdownOutput();
        InputStream in = client.getInputStream();
        return in.readAllBytes();
    }
}
