package dev.shunt.netty;

import dev.shunt.core.StreamCounters;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where a {@link ShuntDomainSocketChannel}'s bytes travel: the kernel socket ({@link KernelPath}) or the
 * shared-memory rings ({@link RingPath}). A channel starts on the kernel socket and the handshake chooses once; the
 * channel then asks its path, never which path it has. Descriptors ({@code FileDescriptor} messages) always travel
 * on the kernel socket, whatever the path. All methods run on the channel's event loop, except the queries that
 * {@link ShuntDomainSocketChannel}'s public methods make ({@link #isFastPath()}, {@link #isProtected()}, the
 * shutdown states).
 */
interface DataPath {
    /** @return whether the bytes travel through shared memory */
    boolean isFastPath();

    /** @return what this connection did on the rings; {@link StreamCounters#NONE} on the kernel path */
    StreamCounters counters();

    /** @return whether this process's outbound ring is guarded by a protection key (false on the kernel socket) */
    boolean isProtected();

    /**
     * @return whether bytes are read from the ring (fast path, byte read mode): then the kernel socket's input is
     *     the peer's doorbell, wanted whether the pipeline reads or not
     */
    boolean readsRing();

    /**
     * @return whether reads are also attempted without a readiness event (the loop polls the ring), so that a
     *     read loop that finds nothing at its first attempt did not read at all
     */
    boolean isPolled();

    /**
     * Starts driving the rings on a loop, if not already: called whenever the channel is registered and active.
     *
     * @param handler the loop's handler
     */
    void attach(ShuntIoHandler handler);

    /** Stops driving the rings (the channel leaves its loop). */
    void detach();

    /** The pipeline asked for bytes: look at the ring now. */
    void readRequested();

    /** The kernel socket reported input while it is the doorbell ({@link #readsRing()}). */
    void doorbellRang();

    /** The kernel socket reported {@code EPOLLRDHUP} and the active channel read what it could. */
    void peerHungUp();

    /**
     * Lends the next bytes in place, when the path and the configuration allow it.
     *
     * @param allocHandle the read loop's handle (its guess bounds the bytes; the attempt is recorded in it)
     * @param alloc the allocator the lent buffer reports
     * @return a read-only buffer into the ring, or null when the bytes must be read by copy
     */
    ByteBuf lend(RecvByteBufAllocator.Handle allocHandle, ByteBufAllocator alloc) throws IOException;

    /**
     * Reads into the buffer's writable bytes and advances its writer index, as {@code doReadBytes} does.
     *
     * @return bytes read, 0 when nothing is there now, -1 at end of stream
     */
    int read(ByteBuf byteBuf) throws IOException;

    /**
     * Writes from the buffers in order, as much as fits now; the buffers' positions are not used afterwards.
     *
     * @return bytes written, 0 when nothing fitted
     */
    long write(ByteBuffer[] buffers, int count, long size) throws IOException;

    /**
     * Writes {@code buf} from {@code pos} to {@code limit}, for {@code FileRegion.transferTo}.
     *
     * @return bytes written, 0 when nothing fitted
     */
    int write(ByteBuffer buf, int pos, int limit) throws IOException;

    /** @return whether an outbound buffer must be copied to a direct one before this path writes it */
    boolean needsDirectBuffer(ByteBuf buf);

    /**
     * A write found no room: wait for ring space, where the path has a ring.
     *
     * @return true when the path waits for the space itself; false when the channel must wait for
     *     {@code EPOLLOUT}
     */
    boolean awaitSpace();

    /** The outbound buffer is flushed (or given a turn later): no wait for space. */
    void stopAwaitingSpace();

    /** @return whether a write waits for ring space ({@link #awaitSpace()}) */
    boolean isAwaitingSpace();

    /** Ends the input ({@code shutdownInput}). */
    void shutdownInput() throws IOException;

    /** Ends the output ({@code shutdownOutput}). */
    void shutdownOutput() throws IOException;

    /** @return whether the input has ended */
    boolean isInputShutdown();

    /** @return whether the output has ended */
    boolean isOutputShutdown();

    /**
     * Closes the connection in the core's order ({@link dev.shunt.core.HandshakeResult#close}): the stream first on
     * the ring path, then the kernel socket.
     *
     * @param kernelSocket closes the channel's kernel socket
     * @throws IOException what closing the kernel socket threw
     */
    void close(Closeable kernelSocket) throws IOException;

    /** @return {@code SO_SNDBUF} as this path reports it (the core's rule: the ring's capacity on the ring path) */
    int sendBufferSize() throws IOException;

    /** @return {@code SO_RCVBUF} as this path reports it */
    int receiveBufferSize() throws IOException;
}
