package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.ConnectedPair;
import dev.shunt.core.testing.TestProtection;
import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a selector-driven adapter asks without moving bytes: {@link ShuntStream#isReadable()},
 * {@link ShuntStream#isWritable()}, a doorbell sleep for ring space only, and
 * {@link ShuntHandshake#isMarkedClient(String)}.
 */
class ShuntStreamReadinessTest {
    private static final int RING = 4096;
    private static final ShuntConfig FAST = TestProtection.fastPath(RING, 0, 5_000);

    @TempDir
    Path dir;

    @Test
    void readableAndWritableFollowTheRings() throws Exception {
        try (ConnectedPair pair = ConnectedPair.open(FAST)) {
            ShuntStream client = pair.client.stream();
            ShuntStream server = pair.server.stream();
            assertFalse(server.isReadable());
            client.write(new byte[] {1}, 0, 1);
            assertTrue(server.isReadable());
            server.readNow(ByteBuffer.allocate(10));
            assertFalse(server.isReadable());
            assertTrue(client.isWritable());
            client.write(new byte[RING], 0, RING);
            assertFalse(client.isWritable(), "the ring is full");
            server.readNow(ByteBuffer.allocate(1));
            assertTrue(client.isWritable());
            client.shutdownOutput();
            server.readNow(ByteBuffer.allocate(RING));
            assertTrue(server.isReadable(), "the end of the stream is readable");
        }
    }

    @Test
    void aSleepForSpaceOnlyIsNotKeptAwakeByUnreadInput() throws Exception {
        try (ConnectedPair pair = ConnectedPair.open(FAST)) {
            ShuntStream client = pair.client.stream();
            ShuntStream server = pair.server.stream();
            server.write(new byte[] {1}, 0, 1);
            client.write(new byte[RING], 0, RING);
            assertFalse(client.prepareDoorbellSleep(true), "input waits: a loop that wants input stays awake");
            assertTrue(client.prepareDoorbellSleep(false, true), "only space is wanted, and there is none");
            client.cancelDoorbellSleep();
            server.readNow(ByteBuffer.allocate(1));
            assertFalse(client.prepareDoorbellSleep(false, true), "space freed up");
        }
    }

    @Test
    void anAcceptedSocketTellsWhetherItsClientMarkedItself() throws Exception {
        Path socket = dir.resolve("s");
        int listener = UnixSockets.socket();
        try (ServerAdvertisement ignored = bindAndAdvertise(listener, socket)) {
            int marked = UnixSockets.socket();
            ShuntHandshake.prepareClient(marked, socket, FAST);
            UnixSockets.connect(marked, socket.toString());
            int plain = UnixSockets.socket();
            UnixSockets.connect(plain, socket.toString());
            int first = UnixSockets.accept(listener);
            int second = UnixSockets.accept(listener);
            assertTrue(ShuntHandshake.isMarkedClient(UnixSockets.peerAbstractName(first)));
            assertFalse(ShuntHandshake.isMarkedClient(UnixSockets.peerAbstractName(second)));
            for (int fd : new int[] {marked, plain, first, second}) {
                Descriptors.close(fd);
            }
        } finally {
            Descriptors.close(listener);
        }
    }

    private static ServerAdvertisement bindAndAdvertise(int listener, Path socket) throws Exception {
        UnixSockets.bindPath(listener, socket.toString());
        UnixSockets.listen(listener, 4);
        return ServerAdvertisement.publish(socket, FAST);
    }
}
