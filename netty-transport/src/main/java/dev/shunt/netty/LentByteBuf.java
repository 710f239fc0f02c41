package dev.shunt.netty;

import dev.shunt.core.LentBytes;
import io.netty.buffer.AbstractReferenceCountedByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import io.netty.util.ResourceLeakTracker;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ScatteringByteChannel;

/**
 * A received {@link ByteBuf} that points into the shared-memory ring instead of holding a copy: read-only, and
 * given back to the ring when its reference count drops to zero (slices and duplicates share that count). Until
 * then the peer cannot reuse that part of the ring. Tracked by Netty's leak detector like pooled buffers.
 */
final class LentByteBuf extends AbstractReferenceCountedByteBuf {
    private static final ResourceLeakDetector<ByteBuf> LEAKS =
            ResourceLeakDetectorFactory.instance().newResourceLeakDetector(ByteBuf.class);

    private final ByteBufAllocator alloc;
    private final LentBytes lent;
    private final ByteBuffer bytes;
    private final ResourceLeakTracker<ByteBuf> leak;

    LentByteBuf(ByteBufAllocator alloc, LentBytes lent) {
        super(lent.length());
        this.alloc = alloc;
        this.lent = lent;
        this.bytes = lent.buffer().duplicate().order(ByteOrder.BIG_ENDIAN);
        setIndex(0, lent.length());
        this.leak = LEAKS.track(this);
    }

    @Override
    protected void deallocate() {
        lent.giveBack();
        if (leak != null) {
            leak.close(this);
        }
    }

    @Override
    public ByteBuf touch(Object hint) {
        if (leak != null) {
            leak.record(hint);
        }
        return this;
    }

    @Override
    public ByteBuf touch() {
        return touch(null);
    }

    // ----- reading -------------------------------------------------------------------------------

    @Override
    protected byte _getByte(int index) {
        return bytes.get(index);
    }

    @Override
    protected short _getShort(int index) {
        return bytes.getShort(index);
    }

    @Override
    protected short _getShortLE(int index) {
        return Short.reverseBytes(bytes.getShort(index));
    }

    @Override
    protected int _getUnsignedMedium(int index) {
        return (bytes.get(index) & 0xff) << 16 | (bytes.get(index + 1) & 0xff) << 8 | bytes.get(index + 2) & 0xff;
    }

    @Override
    protected int _getUnsignedMediumLE(int index) {
        return bytes.get(index) & 0xff | (bytes.get(index + 1) & 0xff) << 8 | (bytes.get(index + 2) & 0xff) << 16;
    }

    @Override
    protected int _getInt(int index) {
        return bytes.getInt(index);
    }

    @Override
    protected int _getIntLE(int index) {
        return Integer.reverseBytes(bytes.getInt(index));
    }

    @Override
    protected long _getLong(int index) {
        return bytes.getLong(index);
    }

    @Override
    protected long _getLongLE(int index) {
        return Long.reverseBytes(bytes.getLong(index));
    }

    @Override
    public ByteBuf getBytes(int index, ByteBuf dst, int dstIndex, int length) {
        checkDstIndex(index, length, dstIndex, dst.capacity());
        dst.setBytes(dstIndex, bytes.slice(index, length));
        return this;
    }

    @Override
    public ByteBuf getBytes(int index, byte[] dst, int dstIndex, int length) {
        checkDstIndex(index, length, dstIndex, dst.length);
        bytes.get(index, dst, dstIndex, length);
        return this;
    }

    @Override
    public ByteBuf getBytes(int index, ByteBuffer dst) {
        checkIndex(index, dst.remaining());
        dst.put(bytes.slice(index, dst.remaining()));
        return this;
    }

    @Override
    public ByteBuf getBytes(int index, OutputStream out, int length) throws IOException {
        checkIndex(index, length);
        byte[] chunk = new byte[length];
        bytes.get(index, chunk, 0, length);
        out.write(chunk);
        return this;
    }

    @Override
    public int getBytes(int index, GatheringByteChannel out, int length) throws IOException {
        checkIndex(index, length);
        return out.write(bytes.slice(index, length));
    }

    @Override
    public int getBytes(int index, FileChannel out, long position, int length) throws IOException {
        checkIndex(index, length);
        return out.write(bytes.slice(index, length), position);
    }

    @Override
    public ByteBuf copy(int index, int length) {
        checkIndex(index, length);
        return alloc.directBuffer(length).writeBytes(bytes.slice(index, length));
    }

    @Override
    public int nioBufferCount() {
        return 1;
    }

    @Override
    public ByteBuffer nioBuffer(int index, int length) {
        checkIndex(index, length);
        return bytes.slice(index, length);
    }

    @Override
    public ByteBuffer internalNioBuffer(int index, int length) {
        return nioBuffer(index, length);
    }

    @Override
    public ByteBuffer[] nioBuffers(int index, int length) {
        return new ByteBuffer[] {nioBuffer(index, length)};
    }

    // ----- what the buffer is ------------------------------------------------------------------------

    @Override
    public int capacity() {
        return bytes.capacity();
    }

    @Override
    public ByteBuf capacity(int newCapacity) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public ByteBufAllocator alloc() {
        return alloc;
    }

    @Override
    @Deprecated
    public ByteOrder order() {
        return ByteOrder.BIG_ENDIAN;
    }

    @Override
    public ByteBuf unwrap() {
        return null;
    }

    @Override
    public boolean isDirect() {
        return true;
    }

    @Override
    public boolean isReadOnly() {
        return true;
    }

    @Override
    public boolean isContiguous() {
        return true;
    }

    @Override
    public boolean isWritable() {
        return false;
    }

    @Override
    public boolean isWritable(int size) {
        return false;
    }

    @Override
    public ByteBuf ensureWritable(int minWritableBytes) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public int ensureWritable(int minWritableBytes, boolean force) {
        return 1;
    }

    @Override
    public boolean hasArray() {
        return false;
    }

    @Override
    public byte[] array() {
        throw new UnsupportedOperationException("lent ring memory has no array");
    }

    @Override
    public int arrayOffset() {
        throw new UnsupportedOperationException("lent ring memory has no array");
    }

    @Override
    public boolean hasMemoryAddress() {
        return false;
    }

    @Override
    public long memoryAddress() {
        throw new UnsupportedOperationException("lent ring memory is read through its ByteBuffer");
    }

    // ----- writing: refused, the bytes belong to the ring ------------------------------------------

    @Override
    protected void _setByte(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setShort(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setShortLE(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setMedium(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setMediumLE(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setInt(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setIntLE(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setLong(int index, long value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setLongLE(int index, long value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public ByteBuf setBytes(int index, ByteBuf src, int srcIndex, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public ByteBuf setBytes(int index, byte[] src, int srcIndex, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public ByteBuf setBytes(int index, ByteBuffer src) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public int setBytes(int index, InputStream in, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public int setBytes(int index, ScatteringByteChannel in, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public int setBytes(int index, FileChannel in, long position, int length) {
        throw new ReadOnlyBufferException();
    }
}
