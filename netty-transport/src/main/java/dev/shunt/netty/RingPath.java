package dev.shunt.netty;

import dev.shunt.core.HandshakeResult;
import dev.shunt.core.LentBytes;
import dev.shunt.core.ShuntStream;
import dev.shunt.core.StreamCounters;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.unix.DomainSocketReadMode;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The fast path: the channel's bytes through the shared-memory rings of its {@link ShuntStream}, moved by a
 * {@link RingDriver} while the channel is registered with a {@link ShuntIoHandler}. The kernel socket stays open
 * beside the rings: its input is the peer's doorbell in byte read mode, its hang-up ({@code EPOLLRDHUP}) the peer's
 * close or death. The input and output shutdown states are the stream's.
 */
final class RingPath implements DataPath {
    private final HandshakeResult result;
    private final ShuntStream stream;
    private final RingChannel channel;
    private final ShuntDomainSocketChannelConfig config;
    /** Bytes moved through the rings so far: the driver measures progress as its difference. */
    private long moved;
    /** A write waits for ring space: the driver flushes again when it polls. */
    private boolean awaitingSpace;
    /** While registered with a ShuntIoHandler. */
    private RingDriver driver;

    RingPath(HandshakeResult result, RingChannel channel, ShuntDomainSocketChannelConfig config) {
        this.result = result;
        this.stream = result.stream();
        this.channel = channel;
        this.config = config;
    }

    ShuntStream stream() {
        return stream;
    }

    long moved() {
        return moved;
    }

    @Override
    public boolean isFastPath() {
        return true;
    }

    @Override
    public StreamCounters counters() {
        return stream.counters();
    }

    @Override
    public boolean isProtected() {
        return stream.isProtected();
    }

    @Override
    public boolean readsRing() {
        return config.getReadMode() == DomainSocketReadMode.BYTES;
    }

    @Override
    public boolean isPolled() {
        return true;
    }

    @Override
    public void attach(ShuntIoHandler handler) {
        if (driver != null) {
            return;
        }
        driver = new RingDriver(handler, this, channel);
        if (readsRing()) {
            // The peer rings the doorbell with a byte on the kernel socket: input there is always wanted.
            channel.listenToDoorbell(true);
        }
        // Whatever the peer sent before the doorbell was armed is found by the first poll.
        driver.wake();
    }

    @Override
    public void detach() {
        if (driver != null) {
            driver.detach();
            driver = null;
        }
    }

    @Override
    public void readRequested() {
        if (driver != null) {
            driver.wake();
        }
    }

    /** Input on the kernel socket is the peer's doorbell (or the end of its socket): discarded, and the ring polled. */
    @Override
    public void doorbellRang() {
        if (stream.drainDoorbell()) {
            // The peer's socket is closed: no doorbell can ring any more, and its end of stream would keep a
            // level-triggered EPOLLIN firing while the pipeline reads nothing. EPOLLRDHUP reports the hang-up.
            channel.listenToDoorbell(false);
        }
        if (driver != null) {
            driver.rang();
        }
    }

    @Override
    public void peerHungUp() {
        // A write waiting for space fails now ("Broken pipe"): no space will come.
        if (driver != null && awaitingSpace) {
            driver.wake();
        }
    }

    /** With {@link ShuntChannelOption#RECEIVE_IN_PLACE}: the next bytes as a buffer into the ring itself. */
    @Override
    public ByteBuf lend(RecvByteBufAllocator.Handle allocHandle, ByteBufAllocator alloc) throws IOException {
        if (!config.isReceiveInPlace()) {
            return null;
        }
        int wanted = allocHandle.guess();
        LentBytes lent = stream.lendNow(wanted);
        if (lent == null) {
            // Ring empty or at its end of stream, or half of it lent out already: the read copies.
            return null;
        }
        allocHandle.attemptedBytesRead(wanted);
        allocHandle.lastBytesRead(lent.length());
        moved += lent.length();
        return new LentByteBuf(alloc, lent);
    }

    @Override
    public int read(ByteBuf byteBuf) throws IOException {
        int writerIndex = byteBuf.writerIndex();
        int n = stream.readNow(byteBuf.internalNioBuffer(writerIndex, byteBuf.writableBytes()));
        if (n > 0) {
            byteBuf.writerIndex(writerIndex + n);
            moved += n;
        } else if (n == 0 && channel.receivedRdHup()) {
            // The peer closed its socket or died: nothing more can arrive.
            n = -1;
        }
        return n;
    }

    @Override
    public long write(ByteBuffer[] buffers, int count, long size) throws IOException {
        checkPeer();
        long written = 0;
        for (int i = 0; i < count; i++) {
            ByteBuffer b = buffers[i];
            int wanted = b.remaining();
            int n = stream.writeNow(b);
            written += n;
            if (n < wanted) {
                break;
            }
        }
        moved += written;
        return written;
    }

    @Override
    public int write(ByteBuffer buf, int pos, int limit) throws IOException {
        checkPeer();
        ByteBuffer slice = buf.duplicate();
        slice.limit(limit).position(pos);
        int n = stream.writeNow(slice);
        moved += n;
        return n;
    }

    private void checkPeer() throws IOException {
        if (channel.receivedRdHup()) {
            throw new IOException("Broken pipe: the peer closed the connection");
        }
    }

    @Override
    public boolean needsDirectBuffer(ByteBuf buf) {
        // The ring copies from any buffer.
        return false;
    }

    @Override
    public boolean awaitSpace() {
        awaitingSpace = true;
        if (driver != null) {
            driver.wake();
        }
        return true;
    }

    @Override
    public void stopAwaitingSpace() {
        awaitingSpace = false;
    }

    @Override
    public boolean isAwaitingSpace() {
        return awaitingSpace;
    }

    @Override
    public void shutdownInput() throws IOException {
        stream.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        stream.shutdownOutput();
    }

    @Override
    public boolean isInputShutdown() {
        return stream.isInputShutdown() || !channel.isOpen();
    }

    @Override
    public boolean isOutputShutdown() {
        return stream.isOutputShutdown() || !channel.isOpen();
    }

    @Override
    public void close(Closeable kernelSocket) throws IOException {
        result.close(kernelSocket);
    }

    @Override
    public int sendBufferSize() {
        return stream.sendBufferSize();
    }

    @Override
    public int receiveBufferSize() {
        return stream.receiveBufferSize();
    }
}
