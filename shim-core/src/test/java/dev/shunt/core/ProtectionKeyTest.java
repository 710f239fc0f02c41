package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.ChildJvm;
import dev.shunt.core.testing.NativeTestPrograms;
import dev.shunt.core.testing.PeerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Protection keys for real, in child JVMs: a stray write faults, a windowed one does not; and {@code shunt.mpk}
 * decides what happens when seccomp refuses {@code pkey_alloc} (simulated with the same filter Docker's default
 * profile applies).
 */
class ProtectionKeyTest {
    @Test
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
    void writeInsideAWindowSucceeds() throws Exception {
        try (ChildJvm child = ChildJvm.start(List.of(), MpkProbe.class, "inside")) {
            assertEquals("42", child.expect("WROTE", 30, TimeUnit.SECONDS));
            assertEquals(0, child.waitFor(30, TimeUnit.SECONDS));
        }
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

    @Test
    void requiredFallsBackToTheSocketWhenSeccompRefusesKeys() throws Exception {
        String handshake = clientHandshakeBehindSeccomp("required");
        assertTrue(handshake.startsWith("fallback:protection keys unavailable"), handshake);
        assertTrue(handshake.contains("EPERM"), handshake);
    }

    @Test
    void optionalRunsTheFastPathWithoutKeysWhenSeccompRefusesThem() throws Exception {
        assertEquals("fast protected=false", clientHandshakeBehindSeccomp("optional"));
    }
}
