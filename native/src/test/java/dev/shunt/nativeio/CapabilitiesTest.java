package dev.shunt.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoDescriptorLeaks.class)
class CapabilitiesTest {

    @Test
    void thisMachineHasEverything() {
        Capabilities capabilities = Capabilities.probe();
        assertEquals(Capability.yes(), capabilities.protectionKeys(), capabilities.toString());
        assertEquals(Capability.yes(), capabilities.memfd(), capabilities.toString());
        assertEquals(Capability.yes(), capabilities.seals(), capabilities.toString());
        assertEquals("protectionKeys=yes memfd=yes seals=yes", capabilities.toString());
    }

    @Test
    void currentIsProbedOnce() {
        assertSame(Capabilities.current(), Capabilities.current());
        assertTrue(Capabilities.current().protectionKeys().available());
    }

    @Test
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
    void probingFreesItsKey() throws Exception {
        Capabilities.probe();
        int key = ProtectionKeys.allocate(0);
        ProtectionKeys.free(key);
        Capabilities.probe();
        assertEquals(key, ProtectionKeys.allocate(0), "the probe left a key allocated");
        ProtectionKeys.free(key);
    }

    /** Under a seccomp filter like Docker's default profile, pkey_alloc fails with EPERM. */
    @Test
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
