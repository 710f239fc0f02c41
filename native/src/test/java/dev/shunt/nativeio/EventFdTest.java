package dev.shunt.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.nativeio.testing.NoDescriptorLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoDescriptorLeaks.class)
class EventFdTest {

    @Test
    void signalsAddUpAndDrainResets() throws Exception {
        int fd = EventFd.create();
        try {
            assertEquals(0, EventFd.drain(fd));
            EventFd.signal(fd);
            EventFd.signal(fd);
            assertEquals(UnixSockets.POLLIN, UnixSockets.poll(fd, UnixSockets.POLLIN, 0));
            assertEquals(2, EventFd.drain(fd));
            assertEquals(0, EventFd.drain(fd));
            assertEquals(0, UnixSockets.poll(fd, UnixSockets.POLLIN, 0));
        } finally {
            Descriptors.close(fd);
        }
    }

    @Test
    void recognisesEventFds() throws Exception {
        int eventFd = EventFd.create();
        int memFd = MemFd.create("shunt-not-an-eventfd");
        try {
            assertEquals("anon_inode:[eventfd]", Descriptors.describe(eventFd));
            assertTrue(EventFd.isEventFd(eventFd));
            assertFalse(EventFd.isEventFd(memFd));
        } finally {
            Descriptors.close(eventFd);
            Descriptors.close(memFd);
        }
        assertFalse(EventFd.isEventFd(eventFd));
    }

    @Test
    void closedDescriptorFails() throws Exception {
        int fd = EventFd.create();
        Descriptors.close(fd);
        NativeCallException signal = assertThrows(NativeCallException.class, () -> EventFd.signal(fd));
        assertEquals(Errno.EBADF, signal.errno());
        assertEquals("write(eventfd)", signal.call());
        assertEquals(Errno.EBADF, assertThrows(NativeCallException.class, () -> EventFd.drain(fd)).errno());
    }
}
