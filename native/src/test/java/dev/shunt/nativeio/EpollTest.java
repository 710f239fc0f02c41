package dev.shunt.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EpollTest {
    @Test
    void reportsTokensOfReadyDescriptorsAndHangUps() throws Exception {
        int bell = EventFd.create();
        int[] pair = UnixSockets.socketPair();
        try (Epoll epoll = Epoll.create(8)) {
            epoll.add(bell, Epoll.IN | Epoll.EDGE_TRIGGERED, 7);
            epoll.add(pair[0], Epoll.RDHUP | Epoll.EDGE_TRIGGERED, 9);
            int[] tokens = new int[8];
            int[] events = new int[8];
            assertEquals(0, epoll.await(tokens, events, 10));
            EventFd.signal(bell);
            assertEquals(1, epoll.await(tokens, events, 1000));
            assertEquals(7, tokens[0]);
            assertTrue((events[0] & Epoll.IN) != 0);
            assertEquals(0, epoll.await(tokens, events, 10), "edge-triggered: reported once");
            Descriptors.close(pair[1]);
            assertEquals(1, epoll.await(tokens, events, 1000));
            assertEquals(9, tokens[0]);
            assertTrue((events[0] & Epoll.RDHUP) != 0);
            epoll.remove(bell);
            EventFd.signal(bell);
            assertEquals(0, epoll.await(tokens, events, 10));
            NativeCallException e = assertThrows(NativeCallException.class, () -> epoll.remove(bell));
            assertEquals(Errno.ENOENT, e.errno());
            e = assertThrows(NativeCallException.class, () -> epoll.modify(bell, Epoll.IN, 7));
            assertEquals(Errno.ENOENT, e.errno());
        } finally {
            Descriptors.close(bell);
            Descriptors.close(pair[0]);
        }
    }

    @Test
    void modifyReArmsAnEdgeTriggeredDescriptorThatIsStillReady() throws Exception {
        int bell = EventFd.create();
        try (Epoll epoll = Epoll.create(8)) {
            epoll.add(bell, Epoll.IN | Epoll.EDGE_TRIGGERED, 7);
            EventFd.signal(bell);
            int[] tokens = new int[8];
            int[] events = new int[8];
            assertEquals(1, epoll.await(tokens, events, 1000));
            assertEquals(0, epoll.await(tokens, events, 10));
            epoll.modify(bell, Epoll.IN | Epoll.EDGE_TRIGGERED, 8);
            assertEquals(1, epoll.await(tokens, events, 1000));
            assertEquals(8, tokens[0]);
        } finally {
            Descriptors.close(bell);
        }
    }
}
