package dev.shunt.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.shunt.core.FallbackReason;
import dev.shunt.core.testing.PeerProcess;
import dev.shunt.core.testing.TestProtection;
import dev.shunt.junixsocket.TwoJvmPeer;
import dev.shunt.nativeio.testing.ProtectionKeysCondition;
import dev.shunt.nativeio.testing.RequiresProtectionKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A server JVM and a client JVM in two containers that share only the directory holding the socket, moving
 * 256 MiB each way with checksums, through the core API, through the junixsocket adapter and through the Netty
 * transport; and shunt-doctor in a container, whose verdict on the server's socket must be what a client container
 * then does.
 */
class CrossContainerTest {
    private static final long BYTES = 256L << 20;
    private static final List<String> REQUIRED = List.of("shunt.enabled=true", "shunt.mpk=required");
    private static final List<String> OPTIONAL = List.of("shunt.enabled=true", "shunt.mpk=optional");
    /** Engages the fast path in an unconfined container: with keys where the host has them. */
    private static final List<String> FAST = List.of("shunt.enabled=true", TestProtection.PROPERTY);
    /**
     * What a probe in a container under Docker's default seccomp profile names: EPERM where the CPU offers keys,
     * else the same missing CPU flag as on the host.
     */
    private static final String NO_KEYS_BECAUSE = ProtectionKeysCondition.keysAvailable() ? "EPERM"
            : ProtectionKeysCondition.whyNoKeys();

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
        },
        /** The Netty transport ({@code ShuntServerDomainSocketChannel}, {@code ShuntDomainSocketChannel}). */
        NETTY(NettyTransferPeer.class) {
            @Override
            String[] args(String role) {
                return new String[] {role, "/sock/s", Long.toString(BYTES)};
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

    /** What one side printed; {@code keys} is the capability probe, printed by the Netty peer only. */
    private record Side(String handshake, String metrics, String keys) {
        boolean fast() {
            return handshake.startsWith("fast");
        }

        long bytesIn() {
            return Long.parseLong(metrics.substring(metrics.indexOf("in=") + 3, metrics.indexOf(' ')));
        }
    }

    private static Side[] transfer(Peer peer, boolean unconfined, List<String> serverProps, List<String> clientProps)
            throws Exception {
        try (TempDirectory sockets = TempDirectory.create("shunt-it")) {
            Files.setPosixFilePermissions(sockets.path, PosixFilePermissions.fromString("rwxrwxrwx"));
            return transferIn(sockets.path, peer, unconfined, serverProps, clientProps);
        }
    }

    /** Runs the server and the client, sharing {@code dir}; returns what each printed. */
    private static Side[] transferIn(Path dir, Peer peer, boolean unconfined, List<String> serverProps,
            List<String> clientProps) throws Exception {
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
                String serverMetrics = server.expect("METRICS", 60, TimeUnit.SECONDS);
                String clientMetrics = client.expect("METRICS", 60, TimeUnit.SECONDS);
                boolean keys = peer == Peer.NETTY;
                Side[] sides = {
                    new Side(s, serverMetrics, keys ? server.expect("KEYS", 60, TimeUnit.SECONDS) : ""),
                    new Side(c, clientMetrics, keys ? client.expect("KEYS", 60, TimeUnit.SECONDS) : "")};
                System.out.printf("%s unconfined=%s server=%s client=%s%n  server: %s | %s | %s%n"
                        + "  client: %s | %s | %s%n", peer, unconfined, serverProps, clientProps, s, serverMetrics,
                        sides[0].keys(), c, clientMetrics, sides[1].keys());
                return sides;
            }
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
            assertTrue(sides[1].handshake().contains(NO_KEYS_BECAUSE), sides[1].handshake());
            assertTrue(sides[1].metrics().contains("protection keys unavailable=1"), sides[1].metrics());
            assertEquals("fallback:peer does not run Shunt", sides[0].handshake());
        }
        if (peer == Peer.NETTY) {
            // The channel reports the reason; the particulars (EPERM from pkey_alloc, or the missing CPU flag)
            // come from the same probe the core consults, printed by each side.
            assertEquals("fallback:protection keys unavailable", sides[1].handshake());
            assertEquals("fallback:peer does not run Shunt", sides[0].handshake());
            assertTrue(sides[1].metrics().contains("protection keys unavailable=1"), sides[1].metrics());
            assertTrue(sides[0].metrics().contains("peer does not run Shunt=1"), sides[0].metrics());
            for (Side side : sides) {
                assertTrue(side.keys().startsWith("protectionKeys=no") && side.keys().contains(NO_KEYS_BECAUSE),
                        side.keys());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("peers")
    void defaultSeccompWithOptionalRunsTheFastPathWithoutKeys(Peer peer) throws Exception {
        Side[] sides = transfer(peer, false, OPTIONAL, OPTIONAL);
        assertFastPath(sides[0], BYTES);
        assertFastPath(sides[1], BYTES);
        if (peer != Peer.JUNIXSOCKET) {
            assertEquals("fast protected=false", sides[0].handshake());
            assertEquals("fast protected=false", sides[1].handshake());
        }
    }

    @ParameterizedTest
    @MethodSource("peers")
    @RequiresProtectionKeys
    void unconfinedContainersRunTheFastPathWithKeys(Peer peer) throws Exception {
        Side[] sides = transfer(peer, true, REQUIRED, REQUIRED);
        assertFastPath(sides[0], BYTES);
        assertFastPath(sides[1], BYTES);
        if (peer != Peer.JUNIXSOCKET) {
            assertEquals("fast protected=true", sides[0].handshake());
            assertEquals("fast protected=true", sides[1].handshake());
        }
    }

    @ParameterizedTest
    @MethodSource("peers")
    void shuntOnOneSideOnlyFallsBackCleanly(Peer peer) throws Exception {
        for (boolean serverSide : new boolean[] {true, false}) {
            List<String> off = List.of("shunt.enabled=false");
            Side[] sides = transfer(peer, true, serverSide ? FAST : off, serverSide ? off : FAST);
            assertTrue(sides[0].handshake().startsWith("fallback"), sides[0].handshake());
            assertTrue(sides[1].handshake().startsWith("fallback"), sides[1].handshake());
            assertEquals(0, sides[0].bytesIn());
            if (peer == Peer.NETTY) {
                String disabled = "fallback:" + FallbackReason.DISABLED.description();
                assertEquals(serverSide ? "fallback:peer does not run Shunt" : disabled, sides[0].handshake());
                assertEquals(serverSide ? disabled : "fallback:peer does not run Shunt", sides[1].handshake());
                assertEquals(0, sides[1].bytesIn());
            }
        }
    }

    static Stream<Arguments> doctorCases() {
        return Stream.of(Arguments.of(false, "required"), Arguments.of(false, "optional"), Arguments.of(true, "required"));
    }

    /**
     * shunt-doctor in a container, under the same seccomp profile and {@code shunt.*} properties as the client, checks
     * the socket a server container advertised; a client container then connects. Under Docker's default profile the
     * doctor names EPERM from {@code pkey_alloc} and a seccomp filter; unconfined, neither.
     */
    @ParameterizedTest
    @MethodSource("doctorCases")
    void doctorInAContainerPredictsWhatTheConnectionDoes(boolean unconfined, String mpk) throws Exception {
        List<String> props = List.of("shunt.enabled=true", "shunt.mpk=" + mpk);
        JsonObject report;
        int exit;
        String handshake;
        try (TempDirectory sockets = TempDirectory.create("shunt-it")) {
            Files.setPosixFilePermissions(sockets.path, PosixFilePermissions.fromString("rwxrwxrwx"));
            try (ContainerJvm server = ContainerJvm.start(sockets.path, unconfined, props, PeerProcess.class, "server",
                    "/sock/s", "transfer", "1000000")) {
                server.expect("READY", 60, TimeUnit.SECONDS);
                try (ContainerJvm doctor = ContainerJvm.start(sockets.path, unconfined, props, DoctorInContainer.class,
                        "--json", "/sock/s")) {
                    report = JsonParser.parseString(doctor.expect("DOCTOR", 60, TimeUnit.SECONDS)).getAsJsonObject();
                    exit = Integer.parseInt(doctor.expect("EXIT", 60, TimeUnit.SECONDS));
                }
                try (ContainerJvm client = ContainerJvm.start(sockets.path, unconfined, props, PeerProcess.class,
                        "client", "/sock/s", "transfer", "1000000")) {
                    handshake = client.expect("HANDSHAKE", 60, TimeUnit.SECONDS);
                    client.expect("RECEIVED", 60, TimeUnit.SECONDS);
                }
            }
        }
        System.out.printf("doctor unconfined=%s mpk=%s exit=%d client=%s%n  %s%n", unconfined, mpk, exit, handshake,
                report);
        JsonObject keys = report.getAsJsonObject("protectionKeys");
        JsonObject verdict = report.getAsJsonObject("verdict");
        String outcome = verdict.get("outcome").getAsString();
        assertTrue(report.getAsJsonObject("socket").get("advertised").getAsBoolean(), report.toString());
        assertEquals(unconfined ? "disabled" : "filter", keys.getAsJsonObject("seccomp").get("mode").getAsString());
        if (!unconfined) {
            assertEquals("EPERM", keys.getAsJsonObject("pkeyAlloc").get("errno").getAsString(), report.toString());
        }
        boolean fast = mpk.equals("optional") || (unconfined && ProtectionKeysCondition.keysAvailable());
        assertEquals(fast ? 0 : 1, exit, report.toString());
        assertEquals(exit, verdict.get("exitCode").getAsInt(), report.toString());
        if (fast) {
            boolean withKeys = outcome.equals("fast-path-with-keys");
            assertEquals(unconfined && ProtectionKeysCondition.keysAvailable(), withKeys, report.toString());
            assertEquals("fast protected=" + withKeys, handshake);
        } else {
            assertEquals("kernel-path", outcome, report.toString());
            FallbackReason reason = FallbackReason.valueOf(verdict.get("fallbackReason").getAsString());
            assertEquals(FallbackReason.NO_PROTECTION_KEYS, reason, report.toString());
            assertTrue(handshake.startsWith("fallback:" + reason.description()), handshake);
        }
    }
}
