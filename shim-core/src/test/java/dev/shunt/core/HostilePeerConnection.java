package dev.shunt.core;

import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.MappedRegion;
import dev.shunt.nativeio.NativeCallException;
import dev.shunt.nativeio.UnixSockets;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The hostile side of one connection: a client that completes the handshake honestly (client marker, the
 * server's OFFER, an ACCEPT), keeps its own mapping of the shared region and can then write anything into the
 * control words. {@link HostilePeerTest} uses it inside the test JVM, {@link HostilePeerProcess} in a JVM of
 * its own; either way the victim's mapping holds the same pages.
 */
final class HostilePeerConnection implements AutoCloseable {
    static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    /** The words of a control block that a scribble may hit. */
    static final int[] WORDS = {SharedRegionLayout.PRODUCER_POSITION, SharedRegionLayout.PRODUCER_CLOSED,
        SharedRegionLayout.CONSUMER_POSITION, SharedRegionLayout.CONSUMER_CLOSED, SharedRegionLayout.CONSUMER_SLEEP,
        SharedRegionLayout.PRODUCER_SLEEP, SharedRegionLayout.CONSUMER_CPU};

    /** The connected socket. */
    final int fd;
    /** This side's own mapping of the shared region. */
    final MappedRegion mapping;
    /** A raw view of the whole region, header and control page included. */
    final ByteBuffer raw;
    /** Ring capacity per direction, as the server's offer announced it. */
    final int capacity;

    private HostilePeerConnection(int fd, MappedRegion mapping, int capacity) {
        this.fd = fd;
        this.mapping = mapping;
        this.raw = mapping.buffer();
        this.capacity = capacity;
    }

    /**
     * Connects to a Shunt server and completes the handshake as an honest client would.
     *
     * @param serverPath the server's socket file
     */
    static HostilePeerConnection connect(Path serverPath) throws IOException {
        int fd = UnixSockets.socket();
        MappedRegion mapping = null;
        try {
            ClientMarker.bind(fd);
            UnixSockets.connect(fd, serverPath.toString());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            HandshakeMessage offer = HandshakeMessage.receive(fd, deadline);
            try {
                mapping = MappedRegion.map(offer.fds[0], 0, offer.body.getLong(0));
            } finally {
                offer.closeFds();
            }
            HandshakeMessage.send(fd, HandshakeMessage.accept(), new int[0], deadline);
            return new HostilePeerConnection(fd, mapping, offer.body.getInt(8));
        } catch (IOException | RuntimeException e) {
            if (mapping != null) {
                mapping.close();
            }
            Descriptors.close(fd);
            throw e;
        }
    }

    /**
     * Writes one random value into one random control word of either ring: positions mostly near the legal
     * range (one ring below to two rings above 0), sometimes any 64-bit value; flags and sleep words mostly
     * 0-3, sometimes any 32-bit value.
     */
    void scribble(Random random) {
        int block = random.nextBoolean() ? SharedRegionLayout.RING_A_CONTROL_OFFSET
                : SharedRegionLayout.RING_B_CONTROL_OFFSET;
        int word = WORDS[random.nextInt(WORDS.length)];
        if (word == SharedRegionLayout.PRODUCER_POSITION || word == SharedRegionLayout.CONSUMER_POSITION) {
            long value = random.nextInt(4) == 0 ? random.nextLong() : random.nextInt(3 * capacity) - capacity;
            LONG.setVolatile(raw, block + word, value);
        } else {
            int value = random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(4);
            INT.setVolatile(raw, block + word, value);
        }
    }

    /**
     * Publishes bytes into the client's outbound ring (ring B, which the victim reads) from its start, then ends
     * that stream, the way an honest producer would but without waking the victim: its sleep announcement is left
     * as it is, or taken (set back to awake) as if a signal were on its way, and no signal is sent. Only for a fresh
     * connection, and at most one ring of bytes.
     *
     * @param takeAnnouncement whether to take the victim's announcement
     */
    void publishWithoutWaking(byte[] data, boolean takeAnnouncement) {
        int ring = SharedRegionLayout.RING_B_CONTROL_OFFSET;
        int at = (int) SharedRegionLayout.dataOffset(MappedRegion.pageSize(), capacity, ring);
        raw.put(at, data);
        LONG.setVolatile(raw, ring + SharedRegionLayout.PRODUCER_POSITION, (long) data.length);
        INT.setVolatile(raw, ring + SharedRegionLayout.PRODUCER_CLOSED, SharedRegionLayout.CLOSED);
        if (takeAnnouncement) {
            INT.setVolatile(raw, ring + SharedRegionLayout.CONSUMER_SLEEP, SharedRegionLayout.AWAKE);
        }
    }

    /** Writes a 32-bit control word (a sleep word or a flag) at a region offset. */
    void writeInt(int offset, int value) {
        INT.setVolatile(raw, offset, value);
    }

    /** @return the 32-bit control word at a region offset */
    int readInt(int offset) {
        return (int) INT.getVolatile(raw, offset);
    }

    /** @return the absolute address of a region offset in this side's mapping, for {@code futex(2)} */
    long address(int offset) {
        return mapping.address() + offset;
    }

    /** @return whether the victim closed its socket (hang-up), which it does after closing the stream */
    boolean victimHungUp() throws NativeCallException {
        return (UnixSockets.poll(fd, UnixSockets.POLLRDHUP, 0)
                & (UnixSockets.POLLRDHUP | UnixSockets.POLLHUP | UnixSockets.POLLERR)) != 0;
    }

    @Override
    public void close() {
        mapping.close();
        Descriptors.close(fd);
    }
}
