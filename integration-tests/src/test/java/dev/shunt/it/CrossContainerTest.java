package dev.shunt.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.PeerProcess;
import dev.shunt.junixsocket.TwoJvmPeer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A server JVM and a client JVM in two containers that share only the directory holding the socket, moving
 * 256 MiB each way with checksums, once through the core API and once through the junixsocket adapter.
 */
class CrossContainerTest {
    private static final long BYTES = 256L << 20;
    private static final List<String> REQUIRED = List.of("shunt.enabled=true", "shunt.mpk=required");
    private static final List<String> OPTIONAL = List.of("shunt.enabled=true", "shunt.mpk=optional");

    /** A peer program: its main class and arguments per role. */
    enum Peer {
        /** The core API ({@code ShuntHandshake}, {@code ShuntStream}). */
        CORE(PeerProcess.class) {
            @Override
            String[] args(String role) {
                return new String[] {role, "/sock/s", "transfer", Long.toString(BYTES)};
            }
        },
        /** The junixsocket adapter ({@code ShuntServerSocket}, {@code ShuntSocket}). */
        JUNIXSOCKET(TwoJvmPeer.class) {
            @Override
            String[] args(String role) {
                return new String[] {role, "/sock/s", "1000", Long.toString(BYTES)};
            }
        };

        final Class<?> main;

        Peer(Class<?> main) {
            this.main = main;
        }

        abstract String[] args(String role);
    }

    static Stream<Peer> peers() {
        return Stream.of(Peer.values());
    }

    /** What one side printed. */
    private record Side(String handshake, String metrics) {
        boolean fast() {
            return handshake.startsWith("fast");
        }

        long bytesIn() {
            return Long.parseLong(metrics.substring(metrics.indexOf("in=") + 3, metrics.indexOf(' ')));
        }
    }

    private static Side[] transfer(Peer peer, boolean unconfined, List<String> serverProps, List<String> clientProps)
            throws Exception {
        Path dir = Files.createTempDirectory("shunt-it");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (ContainerJvm server = ContainerJvm.start(dir, unconfined, serverProps, peer.main, peer.args("server"))) {
            server.expect("READY", 60, TimeUnit.SECONDS);
            try (ContainerJvm client = ContainerJvm.start(dir, unconfined, clientProps, peer.main,
                    peer.args("client"))) {
                String s = server.expect("HANDSHAKE", 60, TimeUnit.SECONDS);
                String c = client.expect("HANDSHAKE", 60, TimeUnit.SECONDS);
                String serverSent = server.expect("SENT", 180, TimeUnit.SECONDS);
                String clientSent = client.expect("SENT", 180, TimeUnit.SECONDS);
                assertEquals(received(clientSent), server.expect("RECEIVED", 180, TimeUnit.SECONDS));
                assertEquals(received(serverSent), client.expect("RECEIVED", 180, TimeUnit.SECONDS));
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

    /** The RECEIVED line that matches the peer's SENT line ("[bytes] crc" becomes "bytes crc"). */
    private static String received(String sent) {
        return sent.contains(" ") ? sent : BYTES + " " + sent;
    }

    private static void assertFastPath(Side side, long atLeast) {
        assertTrue(side.fast(), side.handshake());
        assertTrue(side.bytesIn() >= atLeast, side.metrics());
    }

    @ParameterizedTest
    @MethodSource("peers")
    void defaultSeccompRefusesKeysSoRequiredFallsBack(Peer peer) throws Exception {
        Side[] sides = transfer(peer, false, REQUIRED, REQUIRED);
        assertTrue(sides[1].handshake().startsWith("fallback"), sides[1].handshake());
        assertTrue(sides[1].handshake().toLowerCase().contains("protection"), sides[1].handshake());
        assertTrue(sides[0].handshake().startsWith("fallback"), sides[0].handshake());
        assertEquals(0, sides[0].bytesIn());
        assertEquals(0, sides[1].bytesIn());
        if (peer == Peer.CORE) {
            assertTrue(sides[1].handshake().startsWith("fallback:protection keys unavailable"), sides[1].handshake());
            assertTrue(sides[1].handshake().contains("EPERM"), sides[1].handshake());
            assertTrue(sides[1].metrics().contains("protection keys unavailable=1"), sides[1].metrics());
            assertEquals("fallback:peer does not run Shunt", sides[0].handshake());
        }
    }

    @ParameterizedTest
    @MethodSource("peers")
    void defaultSeccompWithOptionalRunsTheFastPathWithoutKeys(Peer peer) throws Exception {
        Side[] sides = transfer(peer, false, OPTIONAL, OPTIONAL);
        assertFastPath(sides[0], BYTES);
        assertFastPath(sides[1], BYTES);
        if (peer == Peer.CORE) {
            assertEquals("fast protected=false", sides[0].handshake());
            assertEquals("fast protected=false", sides[1].handshake());
        }
    }

    @ParameterizedTest
    @MethodSource("peers")
    void unconfinedContainersRunTheFastPathWithKeys(Peer peer) throws Exception {
        Side[] sides = transfer(peer, true, REQUIRED, REQUIRED);
        assertFastPath(sides[0], BYTES);
        assertFastPath(sides[1], BYTES);
        if (peer == Peer.CORE) {
            assertEquals("fast protected=true", sides[0].handshake());
            assertEquals("fast protected=true", sides[1].handshake());
        }
    }

    @ParameterizedTest
    @MethodSource("peers")
    void shuntOnOneSideOnlyFallsBackCleanly(Peer peer) throws Exception {
        for (boolean serverSide : new boolean[] {true, false}) {
            List<String> off = List.of("shunt.enabled=false");
            Side[] sides = transfer(peer, true, serverSide ? REQUIRED : off, serverSide ? off : REQUIRED);
            assertTrue(sides[0].handshake().startsWith("fallback"), sides[0].handshake());
            assertTrue(sides[1].handshake().startsWith("fallback"), sides[1].handshake());
            assertEquals(0, sides[0].bytesIn());
        }
    }
}
