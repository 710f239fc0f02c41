package dev.shunt.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.nativeio.testing.NoDescriptorLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoDescriptorLeaks.class)
class MemFdTest {

    @Test
    void sealsForbidResizing() throws Exception {
        int fd = MemFd.create("shunt-memfd-test");
        try {
            assertEquals("/memfd:shunt-memfd-test (deleted)", Descriptors.describe(fd));
            assertEquals(0, MemFd.size(fd));
            MemFd.truncate(fd, 8192);
            assertEquals(8192, MemFd.size(fd));
            assertEquals(0, MemFd.seals(fd));

            int seals = MemFd.SEAL_SHRINK | MemFd.SEAL_GROW | MemFd.SEAL_SEAL;
            MemFd.addSeals(fd, seals);
            assertEquals(seals, MemFd.seals(fd));

            NativeCallException shrink = assertThrows(NativeCallException.class, () -> MemFd.truncate(fd, 4096));
            assertEquals(Errno.EPERM, shrink.errno());
            assertEquals("ftruncate", shrink.call());
            assertEquals("ftruncate failed: Operation not permitted (errno 1 EPERM)", shrink.getMessage());
            NativeCallException grow = assertThrows(NativeCallException.class, () -> MemFd.truncate(fd, 16384));
            assertEquals(Errno.EPERM, grow.errno());
            NativeCallException more = assertThrows(NativeCallException.class, () -> MemFd.addSeals(fd, MemFd.SEAL_WRITE));
            assertEquals(Errno.EPERM, more.errno());
            assertEquals(8192, MemFd.size(fd));
        } finally {
            Descriptors.close(fd);
        }
        assertEquals("closed", Descriptors.describe(fd));
    }

    @Test
    void sealsOfAnEventFdIsEinval() throws Exception {
        int fd = EventFd.create();
        try {
            NativeCallException e = assertThrows(NativeCallException.class, () -> MemFd.seals(fd));
            assertEquals(Errno.EINVAL, e.errno());
            assertTrue(e.getMessage().endsWith("(errno 22 EINVAL)"), e.getMessage());
        } finally {
            Descriptors.close(fd);
        }
    }

    @Test
    void closedDescriptorIsEbadf() throws Exception {
        int fd = MemFd.create("shunt-closed");
        Descriptors.close(fd);
        assertEquals(Errno.EBADF, assertThrows(NativeCallException.class, () -> MemFd.size(fd)).errno());
        Descriptors.close(fd);
        Descriptors.close(-1);
    }

    @Test
    void errnoNames() {
        assertEquals("EPERM", Errno.name(Errno.EPERM));
        assertEquals("EAGAIN", Errno.name(Errno.EAGAIN));
        assertEquals("ETIMEDOUT", Errno.name(Errno.ETIMEDOUT));
        assertEquals("ECONNRESET", Errno.name(Errno.ECONNRESET));
        assertEquals("E999", Errno.name(999));
        assertEquals("E-1", Errno.name(-1));
        assertEquals("No such file or directory", Errno.describe(Errno.ENOENT));
        assertEquals("Unknown error 999", Errno.describe(999));
    }
}
