package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.ChildJvm;
import dev.shunt.core.testing.PeerProcess;
import dev.shunt.core.testing.TestProtection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Two separate JVMs joined by a real Unix socket, moving data with checksums. */
class TwoProcessTest {
    /** What each side reports on the fast path: protected by a key where this machine has them. */
    private static final String FAST = "fast protected=" + TestProtection.keysProtectRings();
    private static final List<String> ENABLED = List.of("shunt.enabled=true", "shunt.ringBytes=1048576");

    private static void transfer(List<String> serverProps, List<String> clientProps, long bytes, String expectServer,
            String expectClient) throws Exception {
        transfer(List.of(), serverProps, List.of(), clientProps, bytes, expectServer, expectClient);
    }

    private static void transfer(List<String> serverLauncher, List<String> serverProps, List<String> clientLauncher,
            List<String> clientProps, long bytes, String expectServer, String expectClient) throws Exception {
        Path dir = Files.createTempDirectory("shunt");
        Path path = dir.resolve("s");
        try (ChildJvm server = ChildJvm.start(serverLauncher, serverProps, PeerProcess.class, "server",
                path.toString(), "transfer", Long.toString(bytes))) {
            server.expect("READY", 30, TimeUnit.SECONDS);
            try (ChildJvm client = ChildJvm.start(clientLauncher, clientProps, PeerProcess.class, "client",
                    path.toString(), "transfer", Long.toString(bytes))) {
                String s = server.expect("HANDSHAKE", 30, TimeUnit.SECONDS);
                String c = client.expect("HANDSHAKE", 30, TimeUnit.SECONDS);
                assertTrue(s.startsWith(expectServer), s);
                assertTrue(c.startsWith(expectClient), c);
                String serverSent = server.expect("SENT", 120, TimeUnit.SECONDS);
                String clientSent = client.expect("SENT", 120, TimeUnit.SECONDS);
                String serverGot = server.expect("RECEIVED", 120, TimeUnit.SECONDS);
                String clientGot = client.expect("RECEIVED", 120, TimeUnit.SECONDS);
                assertEquals(bytes + " " + clientSent, serverGot);
                assertEquals(bytes + " " + serverSent, clientGot);
                String metrics = client.expect("METRICS", 30, TimeUnit.SECONDS);
                if (expectClient.startsWith("fast")) {
                    assertTrue(metrics.startsWith("in=" + bytes + " out=" + bytes), metrics);
                }
                assertEquals(0, client.waitFor(30, TimeUnit.SECONDS), client.stderr());
                assertEquals(0, server.waitFor(30, TimeUnit.SECONDS), server.stderr());
            }
        } finally {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void oneGibibyteEachWayAtOnceOverTheFastPath() throws Exception {
        transfer(ENABLED, ENABLED, 1L << 30, FAST, FAST);
    }

    @Test
    void clientWithShuntDisabledKeepsBothOnTheKernelSocket() throws Exception {
        transfer(ENABLED, List.of("shunt.enabled=false"), 64L << 20, "fallback:peer does not run Shunt",
                "fallback:Shunt is disabled");
    }

    @Test
    void serverWithShuntDisabledIsNotAdvertisedSoTheClientStaysPlain() throws Exception {
        transfer(List.of("shunt.enabled=false"), ENABLED, 64L << 20, "fallback:Shunt is disabled",
                "fallback:peer does not run Shunt");
    }

    /** New pid, network, IPC, UTS and mount namespaces: what separates two containers, short of the files. */
    private static final List<String> OWN_NAMESPACES = List.of("unshare", "--pid", "--net", "--ipc", "--uts",
            "--mount", "--fork");

    @Test
    void fastPathBetweenProcessesInSeparateNamespacesSharingOnlyTheSocketFile() throws Exception {
        transfer(List.of(), ENABLED, OWN_NAMESPACES, ENABLED, 256L << 20, FAST, FAST);
        transfer(OWN_NAMESPACES, ENABLED, List.of(), ENABLED, 256L << 20, FAST, FAST);
    }
}
