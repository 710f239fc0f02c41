package dev.shunt.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.nativeio.testing.NoDescriptorLeaks;
import dev.shunt.nativeio.testing.RequiresProtectionKeys;
import dev.shunt.nativeio.testing.WithoutProtectionKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoDescriptorLeaks.class)
class CapabilitiesTest {

    @Test
    void memfdAndSealsWorkOnEveryMachineOfThisKind() {
        Capabilities capabilities = Capabilities.probe();
        assertEquals(Capability.yes(), capabilities.memfd(), capabilities.toString());
        assertEquals(Capability.yes(), capabilities.seals(), capabilities.toString());
        assertTrue(capabilities.toString().endsWith(" memfd=yes seals=yes"), capabilities.toString());
    }

    @Test
    @RequiresProtectionKeys
    void withKeysTheProbeSaysYes() {
        Capabilities capabilities = Capabilities.probe();
        assertEquals(Capability.yes(), capabilities.protectionKeys(), capabilities.toString());
        assertEquals("protectionKeys=yes memfd=yes seals=yes", capabilities.toString());
    }

    /** The reason names the first thing that is missing: a CPU flag, or else the errno pkey_alloc failed with. */
    @Test
    @WithoutProtectionKeys
    void withoutKeysTheProbeSaysWhy() throws Exception {
        Capabilities capabilities = Capabilities.probe();
        Capability keys = capabilities.protectionKeys();
        assertFalse(keys.available());
        assertEquals("protectionKeys=no (" + keys.reason() + ") memfd=yes seals=yes", capabilities.toString());
        String flags = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("flags"))
                .findFirst().orElseThrow();
        List<String> cpuFlags = List.of(flags.substring(flags.indexOf(':') + 1).trim().split("\\s+"));
        if (!cpuFlags.contains("pku")) {
            assertTrue(keys.reason().startsWith("the CPU flag \"pku\" is missing from /proc/cpuinfo"), keys.reason());
        } else if (!cpuFlags.contains("ospke")) {
            assertTrue(keys.reason().startsWith("the CPU flag \"ospke\" is missing"), keys.reason());
        } else {
            assertTrue(keys.reason().startsWith("pkey_alloc failed: "), keys.reason());
        }
    }

    @Test
    void currentIsProbedOnce() {
        assertSame(Capabilities.current(), Capabilities.current());
        assertEquals(Capabilities.probe().protectionKeys(), Capabilities.current().protectionKeys());
    }

    @Test
    @RequiresProtectionKeys
    void probingLeavesTheProbingThreadWithoutRightsOnTheKeyNumber() throws Exception {
        CompletableFuture<Integer> rightsAfterReuse = new CompletableFuture<>();
        CompletableFuture<Integer> reused = new CompletableFuture<>();
        CompletableFuture<Void> probed = new CompletableFuture<>();
        Thread prober = new Thread(() -> {
            Capabilities.probe();
            probed.complete(null);
            try {
                rightsAfterReuse.complete(ProtectionKeys.rights(reused.get(10, TimeUnit.SECONDS)));
            } catch (Exception e) {
                rightsAfterReuse.completeExceptionally(e);
            }
        });
        prober.start();
        probed.get(10, TimeUnit.SECONDS);
        int key = ProtectionKeys.allocate(ProtectionKeys.DISABLE_ACCESS);
        try {
            reused.complete(key);
            assertEquals(ProtectionKeys.DISABLE_ACCESS, rightsAfterReuse.get(10, TimeUnit.SECONDS),
                    "the probing thread kept access to key " + key);
        } finally {
            ProtectionKeys.free(key);
            prober.join();
        }
    }

    @Test
    @RequiresProtectionKeys
    void probingFreesItsKey() throws Exception {
        Capabilities.probe();
        int key = ProtectionKeys.allocate(0);
        ProtectionKeys.free(key);
        Capabilities.probe();
        assertEquals(key, ProtectionKeys.allocate(0), "the probe left a key allocated");
        ProtectionKeys.free(key);
    }

    /**
     * Under a seccomp filter like Docker's default profile, pkey_alloc fails with EPERM, and a probe that gets as
     * far as pkey_alloc (the CPU offers keys) says so.
     */
    @Test
    @RequiresProtectionKeys
    void seccompRefusalIsReportedWithEpermAndSeccomp() throws Exception {
        CompletableFuture<Capabilities> result = new CompletableFuture<>();
        Thread confined = new Thread(() -> {
            try {
                SeccompRefusal.refusePkeyAllocOnThisThread();
                NativeCallException refused = assertThrows(NativeCallException.class, () -> ProtectionKeys.allocate(0));
                assertEquals(Errno.EPERM, refused.errno());
                result.complete(Capabilities.probe());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, "seccomp-confined");
        confined.start();
        Capabilities capabilities = result.get(30, TimeUnit.SECONDS);
        confined.join();

        Capability keys = capabilities.protectionKeys();
        assertFalse(keys.available());
        assertTrue(keys.reason().contains("EPERM"), keys.reason());
        assertTrue(keys.reason().contains("seccomp"), keys.reason());
        assertTrue(capabilities.memfd().available());
        assertTrue(capabilities.seals().available());
        assertEquals("protectionKeys=no (pkey_alloc failed: Operation not permitted (errno 1 EPERM), most likely refused by a"
                + " seccomp filter such as Docker's default profile, which --security-opt seccomp=unconfined lifts.)"
                + " memfd=yes seals=yes", capabilities.toString());
        assertTrue(Capabilities.probe().protectionKeys().available(), "the filter must stay on its own thread");
    }

    @Test
    void capabilityValues() {
        assertTrue(Capability.yes().available());
        assertEquals("", Capability.yes().reason());
        Capability no = Capability.no("because.");
        assertFalse(no.available());
        assertEquals("because.", no.reason());
        assertThrows(IllegalArgumentException.class, () -> Capability.no(""));
        assertThrows(IllegalArgumentException.class, () -> Capability.no(" "));
        assertThrows(IllegalArgumentException.class, () -> new Capability(true, "why"));
        assertThrows(NullPointerException.class, () -> Capability.no(null));
    }
}
