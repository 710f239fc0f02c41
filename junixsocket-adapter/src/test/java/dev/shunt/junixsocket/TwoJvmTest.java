package dev.shunt.junixsocket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shunt.core.testing.ChildJvm;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server JVM and a client JVM, each using only the public API configured by system properties, run an echo,
 * a raw 1 GiB transfer and a checksummed bulk transfer of 1 GiB each way through {@link ShuntServerSocket} and
 * {@link ShuntSocket}: first on the fast path, then with {@code shunt.enabled=false} (plain junixsocket) for
 * comparison. The measured numbers are printed, never asserted.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class TwoJvmTest {
    private static final int MESSAGES = 50_000;
    private static final long BYTES = 1L << 30;

    @TempDir
    Path dir;

    @Test
    void echoAndOneGibibyteEachWayOnTheFastPathThenOnTheKernelSocket() throws Exception {
        String[] fast = run(true, "fast");
        String[] kernel = run(false, "fallback DISABLED");
        System.out.println("| path | echo p50 us | echo p99 us | 1 GiB one way, s | 1 GiB each way + CRC32, s |");
        System.out.println("|---|---:|---:|---:|---:|");
        System.out.println("| Shunt fast path | " + String.join(" | ", fast) + " |");
        System.out.println("| junixsocket (shunt.enabled=false) | " + String.join(" | ", kernel) + " |");
    }

    /** @return echo p50, echo p99, the raw transfer's seconds and the client's bulk seconds */
    private String[] run(boolean enabled, String expectedHandshake) throws Exception {
        Path socket = dir.resolve(enabled ? "fast.sock" : "kernel.sock");
        List<String> properties = List.of("shunt.enabled=" + enabled);
        String[] args = {socket.toString(), Integer.toString(MESSAGES), Long.toString(BYTES)};
        try (ChildJvm server = ChildJvm.start(properties, TwoJvmPeer.class, with("server", args))) {
            server.expect("READY", 60, TimeUnit.SECONDS);
            try (ChildJvm client = ChildJvm.start(properties, TwoJvmPeer.class, with("client", args))) {
                assertEquals(expectedHandshake, client.expect("HANDSHAKE", 60, TimeUnit.SECONDS));
                assertEquals(expectedHandshake, server.expect("HANDSHAKE", 60, TimeUnit.SECONDS));
                String[] echo = client.expect("ECHO", 300, TimeUnit.SECONDS).split(" ");
                String raw = client.expect("RAW", 300, TimeUnit.SECONDS);
                String clientSent = client.expect("SENT", 300, TimeUnit.SECONDS);
                String clientReceived = client.expect("RECEIVED", 300, TimeUnit.SECONDS);
                String bulk = client.expect("BULK", 60, TimeUnit.SECONDS);
                String clientMetrics = client.expect("METRICS", 60, TimeUnit.SECONDS);
                String serverSent = server.expect("SENT", 300, TimeUnit.SECONDS);
                String serverReceived = server.expect("RECEIVED", 300, TimeUnit.SECONDS);
                String serverMetrics = server.expect("METRICS", 60, TimeUnit.SECONDS);
                assertEquals(clientSent, serverReceived, "client to server: byte count and CRC32");
                assertEquals(serverSent, clientReceived, "server to client: byte count and CRC32");
                assertEquals(BYTES, Long.parseLong(clientSent.split(" ")[0]));
                long echoed = (long) (TwoJvmPeer.WARM_UP + MESSAGES) * TwoJvmPeer.MESSAGE;
                long toServer = enabled ? echoed + BYTES + BYTES : 0;
                long toClient = enabled ? echoed + 1 + BYTES : 0;
                assertEquals("in=" + toClient + " out=" + toServer, clientMetrics, "client's fast-path byte counters");
                assertEquals("in=" + toServer + " out=" + toClient, serverMetrics, "server's fast-path byte counters");
                assertEquals(0, client.waitFor(60, TimeUnit.SECONDS), client.stderr());
                assertEquals(0, server.waitFor(60, TimeUnit.SECONDS), server.stderr());
                return new String[] {echo[0].substring(4), echo[1].substring(4), raw, bulk};
            }
        }
    }

    private static String[] with(String role, String[] args) {
        String[] all = new String[args.length + 1];
        all[0] = role;
        System.arraycopy(args, 0, all, 1, args.length);
        return all;
    }
}
