package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.ChildJvm;
import dev.shunt.core.testing.ConnectedPair;
import dev.shunt.core.testing.NativeTestPrograms;
import dev.shunt.core.testing.PeerProcess;
import dev.shunt.nativeio.testing.ProtectionKeysCondition;
import dev.shunt.nativeio.testing.RequiresProtectionKeys;
import dev.shunt.nativeio.testing.WithoutProtectionKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What {@code shunt.mpk} does with and without usable protection keys. With keys: a stray write faults, a windowed
 * one does not, {@code required} engages and the outbound ring's pages carry the key. Without: {@code required}
 * falls back with the probe's reason, counted on both sides, and {@code optional} runs the fast path unprotected.
 * Seccomp refusing {@code pkey_alloc} (the filter Docker's default profile applies) is simulated with
 * {@code deny_pkeys} on every machine.
 */
class ProtectionKeyTest {
    private static final ShuntConfig REQUIRED = new ShuntConfig(true, MpkMode.REQUIRED, 4096, 1_000, 2_000);
    private static final ShuntConfig OPTIONAL = REQUIRED.withMpk(MpkMode.OPTIONAL);

    @Test
    @RequiresProtectionKeys
    void writeOutsideAWindowKillsTheProcessWithSegvPkuerr() throws Exception {
        try (ChildJvm child = ChildJvm.start(List.of(), MpkProbe.class, "outside")) {
            assertTrue(Integer.parseInt(child.expect("KEY", 30, TimeUnit.SECONDS)) > 0);
            int exit = child.waitFor(60, TimeUnit.SECONDS);
            assertNotEquals(0, exit);
            Path report = ChildJvm.errorReport(child.pid());
            assertTrue(Files.exists(report), "no crash report " + report + "; stderr: " + child.stderr());
            String text = Files.readString(report);
            Files.delete(report);
            assertTrue(text.contains("si_signo: 11 (SIGSEGV), si_code: 4"), "no SEGV_PKUERR in " + report);
        }
    }

    @Test
    @RequiresProtectionKeys
    void writeInsideAWindowSucceeds() throws Exception {
        try (ChildJvm child = ChildJvm.start(List.of(), MpkProbe.class, "inside")) {
            assertEquals("42", child.expect("WROTE", 30, TimeUnit.SECONDS));
            assertEquals(0, child.waitFor(30, TimeUnit.SECONDS));
        }
    }

    @Test
    @RequiresProtectionKeys
    void withKeysRequiredEngagesAndTheOutboundRingCarriesTheKey() throws Exception {
        int key = ProtectionPolicy.windowFor(MpkMode.REQUIRED).key();
        try (ConnectedPair pair = ConnectedPair.open(REQUIRED)) {
            assertTrue(pair.client.isFastPath(), pair.client.toString());
            assertTrue(pair.server.isFastPath(), pair.server.toString());
            assertTrue(pair.client.stream().isProtected());
            assertTrue(pair.server.stream().isProtected());
            List<Integer> keys = ringMappingKeys();
            assertTrue(keys.contains(key), "no ring mapping carries key " + key + ": " + keys);
            assertTrue(keys.contains(0), "the control words must stay on key 0: " + keys);
        }
    }

    @Test
    @WithoutProtectionKeys
    void withoutKeysRequiredFallsBackWithTheProbesReasonCountedOnBothSides() throws Exception {
        MetricsSnapshot before = ShuntMetrics.snapshot();
        try (ConnectedPair pair = ConnectedPair.open(REQUIRED)) {
            assertEquals(FallbackReason.NO_PROTECTION_KEYS, pair.client.fallbackReason());
            assertTrue(pair.client.detail().contains(ProtectionKeysCondition.whyNoKeys()), pair.client.detail());
            // The client never marked itself, so the server sees a peer without Shunt.
            assertEquals(FallbackReason.PEER_NOT_SHUNT, pair.server.fallbackReason());
        }
        try (ConnectedPair pair = ConnectedPair.open(REQUIRED, OPTIONAL)) {
            assertEquals(FallbackReason.NO_PROTECTION_KEYS, pair.server.fallbackReason());
            assertEquals(FallbackReason.PEER_DECLINED, pair.client.fallbackReason());
            assertTrue(pair.client.detail().contains(FallbackReason.NO_PROTECTION_KEYS.description()),
                    pair.client.detail());
        }
        MetricsSnapshot after = ShuntMetrics.snapshot();
        assertEquals(before.fallbacks(FallbackReason.NO_PROTECTION_KEYS) + 2,
                after.fallbacks(FallbackReason.NO_PROTECTION_KEYS));
        assertEquals(before.fallbacks(FallbackReason.PEER_NOT_SHUNT) + 1, after.fallbacks(FallbackReason.PEER_NOT_SHUNT));
        assertEquals(before.fallbacks(FallbackReason.PEER_DECLINED) + 1, after.fallbacks(FallbackReason.PEER_DECLINED));
        assertEquals(before.fastPathConnectionsOpened(), after.fastPathConnectionsOpened());
    }

    @Test
    @WithoutProtectionKeys
    void withoutKeysOptionalRunsTheFastPathUnprotected() throws Exception {
        try (ConnectedPair pair = ConnectedPair.open(OPTIONAL)) {
            assertTrue(pair.client.isFastPath(), pair.client.toString());
            assertTrue(pair.server.isFastPath(), pair.server.toString());
            assertFalse(pair.client.stream().isProtected());
            assertFalse(pair.server.stream().isProtected());
            byte[] ping = "ping".getBytes();
            pair.client.stream().write(ping, 0, ping.length);
            byte[] got = new byte[4];
            int read = 0;
            while (read < got.length) {
                read += pair.server.stream().read(got, read, got.length - read, 0);
            }
            assertEquals("ping", new String(got));
        }
    }

    /** The protection key of every mapping of a ring memfd in this process, from /proc/self/smaps. */
    private static List<Integer> ringMappingKeys() throws Exception {
        List<Integer> keys = new ArrayList<>();
        boolean inRing = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            if (Character.isDigit(line.charAt(0)) || (line.charAt(0) >= 'a' && line.charAt(0) <= 'f')) {
                inRing = line.contains("shunt-ring");
            } else if (inRing && line.startsWith("ProtectionKey:")) {
                keys.add(Integer.parseInt(line.substring("ProtectionKey:".length()).trim()));
            }
        }
        return keys;
    }

    private static String clientHandshakeBehindSeccomp(String mpk) throws Exception {
        Path dir = Files.createTempDirectory("shunt");
        Path path = dir.resolve("s");
        List<String> launcher = List.of(NativeTestPrograms.path("deny_pkeys").toString());
        try (ChildJvm server = ChildJvm.start(List.of("shunt.enabled=true", "shunt.mpk=optional"), PeerProcess.class,
                "server", path.toString(), "transfer", "1000000")) {
            server.expect("READY", 30, TimeUnit.SECONDS);
            try (ChildJvm client = ChildJvm.start(launcher, List.of("shunt.enabled=true", "shunt.mpk=" + mpk),
                    PeerProcess.class, "client", path.toString(), "transfer", "1000000")) {
                String handshake = client.expect("HANDSHAKE", 30, TimeUnit.SECONDS);
                String sent = server.expect("SENT", 60, TimeUnit.SECONDS);
                assertEquals("1000000 " + sent, client.expect("RECEIVED", 60, TimeUnit.SECONDS));
                assertEquals(0, client.waitFor(30, TimeUnit.SECONDS), client.stderr());
                assertEquals(0, server.waitFor(30, TimeUnit.SECONDS), server.stderr());
                return handshake;
            }
        } finally {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
    }

    /**
     * Behind the filter the client's probe names EPERM and seccomp where the CPU offers keys; where it does not,
     * the probe stops at the missing CPU flag, as it does in this JVM.
     */
    @Test
    void requiredFallsBackToTheSocketWhenSeccompRefusesKeys() throws Exception {
        String handshake = clientHandshakeBehindSeccomp("required");
        assertTrue(handshake.startsWith("fallback:protection keys unavailable"), handshake);
        String expected = ProtectionKeysCondition.keysAvailable() ? "EPERM" : ProtectionKeysCondition.whyNoKeys();
        assertTrue(handshake.contains(expected), handshake + " does not name " + expected);
    }

    @Test
    void optionalRunsTheFastPathWithoutKeysWhenSeccompRefusesThem() throws Exception {
        assertEquals("fast protected=false", clientHandshakeBehindSeccomp("optional"));
    }
}
