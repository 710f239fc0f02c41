package dev.shunt.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.shunt.core.FallbackReason;
import dev.shunt.core.ServerAdvertisement;
import dev.shunt.core.testing.ChildJvm;
import dev.shunt.core.testing.NativeTestPrograms;
import dev.shunt.core.testing.PeerProcess;
import dev.shunt.core.testing.TestProtection;
import dev.shunt.nativeio.testing.ProtectionKeysCondition;
import java.io.IOException;
import java.io.StringReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The built {@code shunt-doctor.jar}, run as a process of its own on this machine: plain, behind the seccomp launcher
 * that refuses {@code pkey_alloc}, against the advertised socket of a Shunt server in another JVM, a plain socket, a
 * re-created socket file, a missing path and an unwritable directory. Every JSON report is parsed by Gson. The tests
 * pass on machines with and without protection keys, and say which facts differ between the two.
 */
class ShuntDoctorTest {
    private static final List<String> NO_LAUNCHER = List.of();
    private static final int NOBODY = 65534;

    private Path dir;

    @BeforeEach
    void createDirectory() throws IOException {
        dir = Files.createTempDirectory("shunt-doctor");
    }

    @AfterEach
    void deleteDirectory() throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void protectionKeysSectionSaysWhatThisMachineOffersAndWhy() throws Exception {
        DoctorRun run = DoctorRun.json(NO_LAUNCHER);
        boolean keys = ProtectionKeysCondition.keysAvailable();
        assertEquals(keys, run.element("protectionKeys.available").getAsBoolean(), run.toString());
        assertEquals(keys, run.element("protectionKeys.pkeyAlloc.succeeded").getAsBoolean(), run.toString());
        assertEquals(keys, run.element("protectionKeys.cpuFlags.pku").getAsBoolean(), run.toString());
        assertEquals("disabled", run.get("protectionKeys.seccomp.mode"), run.toString());
        assertTrue(run.element("memfd.available").getAsBoolean(), run.toString());
        assertTrue(run.element("seals.available").getAsBoolean(), run.toString());
        assertEquals(Runtime.version().feature(), Runtime.Version.parse(run.get("jdk.version")).feature());
        assertTrue(run.element("configuration.enabledAssumed").getAsBoolean(), run.toString());
        if (keys) {
            assertNull(run.get("protectionKeys.reason"), run.toString());
            assertVerdict(run, "fast-path-with-keys", null, 0);
        } else {
            // The same probe as Shunt's own: the reason is word for word the one this JVM's probe gives.
            assertEquals(ProtectionKeysCondition.whyNoKeys(), run.get("protectionKeys.reason"), run.toString());
            assertTrue(Stream.of("ENOSPC", "EINVAL", "ENOSYS").anyMatch(run.get("protectionKeys.pkeyAlloc.errno")::equals),
                    run.toString());
            assertVerdict(run, "kernel-path", FallbackReason.NO_PROTECTION_KEYS, 1);
            assertTrue(run.get("verdict.detail").contains(ProtectionKeysCondition.whyNoKeys()), run.toString());
            assertTrue(run.get("verdict.advice").contains("shunt.mpk=optional"), run.toString());
        }
        DoctorRun optional = DoctorRun.json(NO_LAUNCHER, "-Dshunt.mpk=optional");
        assertVerdict(optional, keys ? "fast-path-with-keys" : "fast-path-without-keys", null, 0);
        DoctorRun off = DoctorRun.json(NO_LAUNCHER, "-Dshunt.mpk=off");
        assertVerdict(off, "fast-path-without-keys", null, 0);
    }

    @Test
    void seccompLauncherRefusingPkeyAllocIsNamedWithItsErrno() throws Exception {
        List<String> denyPkeys = List.of(NativeTestPrograms.path("deny_pkeys").toString());
        DoctorRun run = DoctorRun.json(denyPkeys);
        assertFalse(run.element("protectionKeys.available").getAsBoolean(), run.toString());
        assertFalse(run.element("protectionKeys.pkeyAlloc.succeeded").getAsBoolean(), run.toString());
        assertEquals("EPERM", run.get("protectionKeys.pkeyAlloc.errno"), run.toString());
        assertTrue(run.get("protectionKeys.pkeyAlloc.meaning").contains("seccomp"), run.toString());
        assertEquals("filter", run.get("protectionKeys.seccomp.mode"), run.toString());
        assertTrue(run.element("protectionKeys.seccomp.filters").getAsInt() >= 1, run.toString());
        // Where the CPU offers keys, Shunt's probe itself gets EPERM; where it does not, it stops at the CPU flag.
        String why = ProtectionKeysCondition.keysAvailable() ? "EPERM" : ProtectionKeysCondition.whyNoKeys();
        assertTrue(run.get("protectionKeys.reason").contains(why), run.toString());
        assertVerdict(run, "kernel-path", FallbackReason.NO_PROTECTION_KEYS, 1);
        assertVerdict(DoctorRun.json(denyPkeys, "-Dshunt.mpk=optional"), "fast-path-without-keys", null, 0);
    }

    @Test
    void advertisedSocketOfAShuntServerInAnotherJvm() throws Exception {
        Path socket = dir.resolve("s");
        try (ChildJvm server = startServer(socket)) {
            DoctorRun run = DoctorRun.json(NO_LAUNCHER, "-D" + TestProtection.PROPERTY, socket.toString());
            assertEquals(socket.toString(), run.get("socket.path"));
            assertTrue(run.element("socket.exists").getAsBoolean(), run.toString());
            assertEquals("socket", run.get("socket.type"), run.toString());
            // The identity the server wrote into its advertisement, the identity this JVM reads, and the doctor's.
            assertEquals(advertisedIdentity(socket), run.get("socket.identity"), run.toString());
            assertEquals(ServerAdvertisement.identityOf(socket), run.get("socket.identity"), run.toString());
            assertEquals(socket + ".shunt", run.get("socket.advertisement.path"));
            assertTrue(run.element("socket.advertisement.valid").getAsBoolean(), run.toString());
            assertTrue(run.element("socket.advertised").getAsBoolean(), run.toString());
            assertTrue(run.element("socket.directory.writable").getAsBoolean(), run.toString());
            boolean keys = TestProtection.keysProtectRings();
            assertVerdict(run, keys ? "fast-path-with-keys" : "fast-path-without-keys", null, 0);

            DoctorRun text = DoctorRun.run(NO_LAUNCHER, "-D" + TestProtection.PROPERTY, socket.toString());
            assertEquals(0, text.exitCode(), text.toString());
            assertTrue(text.stdout().contains("advertised by a Shunt server: yes"), text.toString());
            assertTrue(text.stdout().contains("a connection would take: fast-path-"), text.toString());

            DoctorRun disabled = DoctorRun.json(NO_LAUNCHER, "-Dshunt.enabled=false", socket.toString());
            assertVerdict(disabled, "kernel-path", FallbackReason.DISABLED, 1);
            assertTrue(disabled.element("socket.advertised").getAsBoolean(), "checked all the same: " + disabled);
        }
    }

    @Test
    void plainSocketWithoutAdvertisementStaysOnTheKernelSocket() throws Exception {
        Path socket = dir.resolve("plain");
        try (ServerSocketChannel plain = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            plain.bind(UnixDomainSocketAddress.of(socket));
            DoctorRun run = DoctorRun.json(NO_LAUNCHER, "-Dshunt.mpk=optional", socket.toString());
            assertEquals("socket", run.get("socket.type"), run.toString());
            assertFalse(run.element("socket.advertisement.exists").getAsBoolean(), run.toString());
            assertFalse(run.element("socket.advertised").getAsBoolean(), run.toString());
            assertEquals("PEER_NOT_SHUNT", run.get("socket.advertisement.fallbackReason"), run.toString());
            assertVerdict(run, "kernel-path", FallbackReason.PEER_NOT_SHUNT, 1);
        }
    }

    @Test
    void socketFileRecreatedAfterTheAdvertisementIsStale() throws Exception {
        Path socket = dir.resolve("s");
        try (ChildJvm server = startServer(socket)) {
            String advertised = advertisedIdentity(socket);
            Files.delete(socket);
            try (ServerSocketChannel successor = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                successor.bind(UnixDomainSocketAddress.of(socket));
                DoctorRun run = DoctorRun.json(NO_LAUNCHER, "-Dshunt.mpk=optional", socket.toString());
                assertTrue(run.element("socket.advertisement.exists").getAsBoolean(), run.toString());
                assertFalse(advertised.equals(run.get("socket.identity")), run.toString());
                assertVerdict(run, "kernel-path", FallbackReason.STALE_ADVERTISEMENT, 1);
            }
        }
    }

    @Test
    void missingPathIsNothingToConnectTo() throws Exception {
        Path socket = dir.resolve("absent");
        DoctorRun run = DoctorRun.json(NO_LAUNCHER, "-Dshunt.mpk=optional", socket.toString());
        assertFalse(run.element("socket.exists").getAsBoolean(), run.toString());
        assertNull(run.get("socket.type"), run.toString());
        assertFalse(run.element("socket.advertised").getAsBoolean(), run.toString());
        assertTrue(run.element("socket.directory.writable").getAsBoolean(), run.toString());
        assertVerdict(run, "no-socket", null, 3);
        Files.writeString(socket, "not a socket");
        assertVerdict(DoctorRun.json(NO_LAUNCHER, "-Dshunt.mpk=optional", socket.toString()), "no-socket", null, 3);
    }

    /**
     * A directory this user cannot write. Root may write any directory, so as root the doctor runs as nobody
     * ({@code setpriv}), the directory left readable to others.
     */
    @Test
    void unwritableDirectoryIsReported() throws Exception {
        Path socket = dir.resolve("s");
        try (ChildJvm server = startServer(socket)) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
            List<String> asUser = isRoot() ? List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY,
                    "--clear-groups") : NO_LAUNCHER;
            DoctorRun run = DoctorRun.json(asUser, "-Dshunt.mpk=off", socket.toString());
            assertFalse(run.element("socket.directory.writable").getAsBoolean(), run.toString());
            assertTrue(run.element("socket.directory.exists").getAsBoolean(), run.toString());
            // The server advertised before the directory was closed to writes: a client can still take the fast path.
            assertTrue(run.element("socket.advertised").getAsBoolean(), run.toString());
            assertVerdict(run, "fast-path-without-keys", null, 0);
        }
    }

    @Test
    void malformedPropertyIsAConfigurationError() throws Exception {
        DoctorRun run = DoctorRun.json(NO_LAUNCHER, "-Dshunt.ringBytes=12", "-Dshunt.enable=true");
        assertFalse(run.element("configuration.valid").getAsBoolean(), run.toString());
        assertTrue(run.get("configuration.error").startsWith("shunt.ringBytes must be a power of two"), run.toString());
        assertEquals("shunt.enable", run.element("configuration.notReadByCore").getAsJsonArray().get(0).getAsString());
        assertVerdict(run, "configuration-error", null, 2);
        DoctorRun text = DoctorRun.run(NO_LAUNCHER, "-Dshunt.mpk=sometimes");
        assertEquals(2, text.exitCode(), text.toString());
        assertTrue(text.stdout().contains("shunt.mpk must be one of required, optional, off; got 'sometimes'"),
                text.toString());
    }

    @Test
    void pathWithCharactersJsonMustEscapeComesBackIntact() throws Exception {
        Path socket = dir.resolve("q\"b\\s/n\nt\tc\u0001\u001fe");
        DoctorRun run = DoctorRun.json(NO_LAUNCHER, "-Dshunt.mpk=optional", socket.toString());
        assertEquals(socket.toString(), run.get("socket.path"), run.toString());
        assertEquals(socket + ".shunt", run.get("socket.advertisement.path"), run.toString());
    }

    @Test
    void scriptRunsTheBuiltJar() throws Exception {
        Path script = Path.of(System.getProperty("shunt.doctor.script", "../bin/shunt-doctor"));
        DoctorRun run = DoctorRun.script(script, "--json", "-Dshunt.mpk=off");
        assertVerdict(run, "fast-path-without-keys", null, 0);
    }

    @Test
    void badArgumentsExitWithTheUsageCode() throws Exception {
        DoctorRun run = DoctorRun.run(NO_LAUNCHER, "--bogus");
        assertEquals(64, run.exitCode(), run.toString());
        assertTrue(run.stderr().contains("usage: shunt-doctor"), run.toString());
        assertEquals("", run.stdout());
    }

    private static void assertVerdict(DoctorRun run, String outcome, FallbackReason reason, int exitCode) {
        JsonObject verdict = run.element("verdict").getAsJsonObject();
        assertEquals(outcome, verdict.get("outcome").getAsString(), run.toString());
        assertEquals(reason == null ? null : reason.name(), run.get("verdict.fallbackReason"), run.toString());
        assertEquals(exitCode, verdict.get("exitCode").getAsInt(), run.toString());
        assertEquals(exitCode, run.exitCode(), run.toString());
    }

    /** A Shunt server ({@link PeerProcess}) in another JVM that has bound, listened and advertised {@code socket}. */
    private static ChildJvm startServer(Path socket) throws Exception {
        ChildJvm server = ChildJvm.start(List.of("shunt.enabled=true"), PeerProcess.class, "server",
                socket.toString(), "echo");
        server.expect("READY", 60, TimeUnit.SECONDS);
        return server;
    }

    /** The socket identity the server wrote into its advertisement file. */
    private static String advertisedIdentity(Path socket) throws IOException {
        Properties advertisement = new Properties();
        advertisement.load(new StringReader(Files.readString(ServerAdvertisement.pathFor(socket))));
        return advertisement.getProperty("identity");
    }

    private static boolean isRoot() throws IOException {
        return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    }
}
