package dev.shunt.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.nativeio.testing.NoDescriptorLeaks;
import dev.shunt.nativeio.testing.RequiresProtectionKeys;
import dev.shunt.nativeio.testing.WithoutProtectionKeys;
import java.nio.ByteBuffer;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The key calls themselves. The tagged page is only ever touched by this JVM while the calling thread's rights
 * allow it: a violation would kill the JVM, not fail a test.
 */
@ExtendWith(NoDescriptorLeaks.class)
class ProtectionKeysTest {

    private static final int PAGE = 4096;

    @Test
    @RequiresProtectionKeys
    void rightsGateAccessToATaggedPage() throws Exception {
        int fd = MemFd.create("shunt-pkey-test");
        int key = ProtectionKeys.allocate(ProtectionKeys.DISABLE_ACCESS);
        try {
            assertTrue(key > 0 && key < 16, "key " + key);
            assertEquals(ProtectionKeys.DISABLE_ACCESS, ProtectionKeys.rights(key));
            MemFd.truncate(fd, PAGE);
            try (MappedRegion region = MappedRegion.map(fd, 0, PAGE)) {
                ProtectionKeys.protect(region.address(), PAGE, key);

                // The kernel honours this thread's PKRU too: it cannot read the futex word now.
                NativeCallException denied = assertThrows(NativeCallException.class, () -> Futex.await(region.address(), 1, 0));
                assertEquals(Errno.EFAULT, denied.errno());

                ProtectionKeys.setRights(key, 0);
                assertEquals(0, ProtectionKeys.rights(key));
                ByteBuffer buffer = region.buffer();
                buffer.putLong(0, 0x5eed_f00dL);
                assertEquals(0x5eed_f00dL, buffer.getLong(0));
                assertEquals(Futex.VALUE_CHANGED, Futex.await(region.address(), 1, 0));

                ProtectionKeys.setRights(key, ProtectionKeys.DISABLE_WRITE);
                assertEquals(ProtectionKeys.DISABLE_WRITE, ProtectionKeys.rights(key));
                assertEquals(0x5eed_f00dL, buffer.getLong(0));

                ProtectionKeys.setRights(key, ProtectionKeys.DISABLE_ACCESS);
                assertEquals(ProtectionKeys.DISABLE_ACCESS, ProtectionKeys.rights(key));
                ProtectionKeys.setRights(key, 0);
            }
        } finally {
            ProtectionKeys.setRights(key, 0);
            ProtectionKeys.free(key);
            Descriptors.close(fd);
        }
    }

    @Test
    void keyNumbersOutsideTheRangeAreRejected() {
        assertThrows(IllegalStateException.class, () -> ProtectionKeys.setRights(16, 0));
        assertThrows(IllegalStateException.class, () -> ProtectionKeys.rights(-1));
    }

    @Test
    @RequiresProtectionKeys
    void aKeyCannotBeFreedTwice() throws Exception {
        int key = ProtectionKeys.allocate(0);
        ProtectionKeys.free(key);
        NativeCallException twice = assertThrows(NativeCallException.class, () -> ProtectionKeys.free(key));
        assertEquals(Errno.EINVAL, twice.errno());
        assertEquals("pkey_free", twice.call());
    }

    /** Without PKU the kernel refuses keys with ENOSPC or EINVAL, under a seccomp filter with EPERM. */
    @Test
    @WithoutProtectionKeys
    void allocationFailsWithTheKernelsErrno() {
        NativeCallException refused = assertThrows(NativeCallException.class,
                () -> ProtectionKeys.allocate(ProtectionKeys.DISABLE_ACCESS));
        assertEquals("pkey_alloc", refused.call());
        assertTrue(Set.of(Errno.ENOSPC, Errno.EINVAL, Errno.EPERM).contains(refused.errno()), refused.getMessage());
    }
}
