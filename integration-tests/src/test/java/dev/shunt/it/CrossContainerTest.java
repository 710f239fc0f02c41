package dev.shunt.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.PeerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A server JVM and a client JVM in two containers that share only the directory holding the socket, moving
 * 256 MiB each way with checksums through the core (the adapters' own container tests build on this).
 */
class CrossContainerTest {
    private static final long BYTES = 256L << 20;

    /** What one side printed. */
    private record Side(String handshake, String metrics) {
    }

    private static Side[] transfer(boolean unconfined, List<String> serverProps, List<String> clientProps)
            throws Exception {
        Path dir = Files.createTempDirectory("shunt-it");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (ContainerJvm server = ContainerJvm.start(dir, unconfined, serverProps, PeerProcess.class, "server",
                "/sock/s", "transfer", Long.toString(BYTES))) {
            server.expect("READY", 60, TimeUnit.SECONDS);
            try (ContainerJvm client = ContainerJvm.start(dir, unconfined, clientProps, PeerProcess.class, "client",
                    "/sock/s", "transfer", Long.toString(BYTES))) {
                String s = server.expect("HANDSHAKE", 60, TimeUnit.SECONDS);
                String c = client.expect("HANDSHAKE", 60, TimeUnit.SECONDS);
                String serverSent = server.expect("SENT", 120, TimeUnit.SECONDS);
                String clientSent = client.expect("SENT", 120, TimeUnit.SECONDS);
                assertEquals(BYTES + " " + clientSent, server.expect("RECEIVED", 120, TimeUnit.SECONDS));
                assertEquals(BYTES + " " + serverSent, client.expect("RECEIVED", 120, TimeUnit.SECONDS));
                return new Side[] {new Side(s, server.expect("METRICS", 60, TimeUnit.SECONDS)),
                    new Side(c, client.expect("METRICS", 60, TimeUnit.SECONDS))};
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static final List<String> REQUIRED = List.of("shunt.enabled=true", "shunt.mpk=required");
    private static final List<String> OPTIONAL = List.of("shunt.enabled=true", "shunt.mpk=optional");

    @Test
    void defaultSeccompRefusesKeysSoRequiredFallsBackWithTheReason() throws Exception {
        Side[] sides = transfer(false, REQUIRED, REQUIRED);
        assertTrue(sides[1].handshake().startsWith("fallback:protection keys unavailable"), sides[1].handshake());
        assertTrue(sides[1].handshake().contains("EPERM"), sides[1].handshake());
        assertTrue(sides[1].metrics().contains("protection keys unavailable=1"), sides[1].metrics());
        assertEquals("fallback:peer does not run Shunt", sides[0].handshake());
        assertTrue(sides[0].metrics().contains("peer does not run Shunt=1"), sides[0].metrics());
    }

    @Test
    void defaultSeccompWithOptionalRunsTheFastPathWithoutKeys() throws Exception {
        Side[] sides = transfer(false, OPTIONAL, OPTIONAL);
        assertEquals("fast protected=false", sides[0].handshake());
        assertEquals("fast protected=false", sides[1].handshake());
        assertTrue(sides[1].metrics().startsWith("in=" + BYTES + " out=" + BYTES), sides[1].metrics());
        assertTrue(sides[0].metrics().startsWith("in=" + BYTES + " out=" + BYTES), sides[0].metrics());
    }

    @Test
    void unconfinedContainersRunTheFastPathWithKeys() throws Exception {
        Side[] sides = transfer(true, REQUIRED, REQUIRED);
        assertEquals("fast protected=true", sides[0].handshake());
        assertEquals("fast protected=true", sides[1].handshake());
        assertTrue(sides[1].metrics().startsWith("in=" + BYTES + " out=" + BYTES), sides[1].metrics());
    }

    @Test
    void shuntOnOneSideOnlyFallsBackCleanly() throws Exception {
        Side[] sides = transfer(true, REQUIRED, List.of("shunt.enabled=false"));
        assertEquals("fallback:Shunt is disabled on this side", sides[1].handshake());
        assertEquals("fallback:peer does not run Shunt", sides[0].handshake());
        sides = transfer(true, List.of("shunt.enabled=false"), REQUIRED);
        assertEquals("fallback:peer does not run Shunt", sides[1].handshake());
        assertEquals("fallback:Shunt is disabled on this side", sides[0].handshake());
    }
}
