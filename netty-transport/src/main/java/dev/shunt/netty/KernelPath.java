package dev.shunt.netty;

import dev.shunt.core.StreamCounters;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.UnixChannelUtil;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The kernel path: the channel's bytes on its Unix socket, exactly as {@code EpollDomainSocketChannel} moves them
 * ({@code recv}, {@code writev}, {@code send}); the channel waits for space with {@code EPOLLOUT}. Every channel
 * starts here, and stays when the handshake falls back.
 */
final class KernelPath implements DataPath {
    private final LinuxSocket socket;

    KernelPath(LinuxSocket socket) {
        this.socket = socket;
    }

    @Override
    public boolean isFastPath() {
        return false;
    }

    @Override
    public StreamCounters counters() {
        return StreamCounters.NONE;
    }

    @Override
    public boolean isProtected() {
        return false;
    }

    @Override
    public boolean readsRing() {
        return false;
    }

    @Override
    public boolean isPolled() {
        return false;
    }

    @Override
    public void attach(ShuntIoHandler handler) {
    }

    @Override
    public void detach() {
    }

    @Override
    public void readRequested() {
    }

    @Override
    public void doorbellRang() {
    }

    @Override
    public void peerHungUp() {
    }

    @Override
    public ByteBuf lend(RecvByteBufAllocator.Handle allocHandle, ByteBufAllocator alloc) {
        return null;
    }

    @Override
    public int read(ByteBuf byteBuf) throws IOException {
        int writerIndex = byteBuf.writerIndex();
        int n;
        if (byteBuf.hasMemoryAddress()) {
            n = socket.recvAddress(byteBuf.memoryAddress(), writerIndex, byteBuf.capacity());
        } else {
            ByteBuffer buf = byteBuf.internalNioBuffer(writerIndex, byteBuf.writableBytes());
            n = socket.recv(buf, buf.position(), buf.limit());
        }
        if (n > 0) {
            byteBuf.writerIndex(writerIndex + n);
        }
        return n;
    }

    @Override
    public long write(ByteBuffer[] buffers, int count, long size) throws IOException {
        long written = socket.writev(buffers, 0, count, size);
        // writev leaves the buffers as they were, but the outbound buffer caches them between calls.
        long left = written;
        for (int i = 0; i < count && left > 0; i++) {
            ByteBuffer b = buffers[i];
            int n = (int) Math.min(left, b.remaining());
            b.position(b.position() + n);
            left -= n;
        }
        return written;
    }

    @Override
    public int write(ByteBuffer buf, int pos, int limit) throws IOException {
        return socket.send(buf, pos, limit);
    }

    @Override
    public boolean needsDirectBuffer(ByteBuf buf) {
        return UnixChannelUtil.isBufferCopyNeededForWrite(buf);
    }

    @Override
    public boolean awaitSpace() {
        return false;
    }

    @Override
    public void stopAwaitingSpace() {
    }

    @Override
    public boolean isAwaitingSpace() {
        return false;
    }

    @Override
    public void shutdownInput() throws IOException {
        socket.shutdown(true, false);
    }

    @Override
    public void shutdownOutput() throws IOException {
        socket.shutdown(false, true);
    }

    @Override
    public boolean isInputShutdown() {
        return socket.isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
        return socket.isOutputShutdown();
    }

    @Override
    public void close(Closeable kernelSocket) throws IOException {
        kernelSocket.close();
    }

    @Override
    public int sendBufferSize() throws IOException {
        return socket.getSendBufferSize();
    }

    @Override
    public int receiveBufferSize() throws IOException {
        return socket.getReceiveBufferSize();
    }
}
