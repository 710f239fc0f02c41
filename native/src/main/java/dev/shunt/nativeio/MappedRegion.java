package dev.shunt.nativeio;

import com.kenai.jffi.MemoryIO;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicBoolean;

/** One {@code mmap}'ed range ({@code MAP_SHARED}, {@code PROT_READ | PROT_WRITE}) of a file descriptor. */
public final class MappedRegion implements AutoCloseable {

    private static final int PROT_READ = 0x1;
    private static final int PROT_READ_WRITE = PROT_READ | 0x2;
    private static final int MAP_SHARED = 0x1;
    private static final int MADV_REMOVE = 9;
    private static final long MAP_FAILED = -1L;
    private static final int SC_PAGESIZE = 30;
    private static final int PAGE_SIZE = (int) LibCHolder.LIBC.sysconf(SC_PAGESIZE);

    private final long address;
    private final long length;
    private final AtomicBoolean closed = new AtomicBoolean();

    private MappedRegion(long address, long length) {
        this.address = address;
        this.length = length;
    }

    /**
     * Maps {@code length} bytes of a file, starting at {@code offset}, shared and read-write.
     *
     * @param fd     the file descriptor, for example a memfd
     * @param offset the file offset; a non-negative multiple of {@link #pageSize()}
     * @param length the number of bytes; greater than 0 and at most {@link Integer#MAX_VALUE}
     * @return the mapping, to be closed by the caller
     * @throws IllegalArgumentException if offset or length is out of range
     * @throws NativeCallException      if {@code mmap} fails
     */
    public static MappedRegion map(int fd, long offset, long length) throws NativeCallException {
        if (offset < 0 || offset % PAGE_SIZE != 0) {
            throw new IllegalArgumentException("offset " + offset + " is not a non-negative multiple of the page size " + PAGE_SIZE);
        }
        if (length <= 0 || length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("length " + length + " is not in 1.." + Integer.MAX_VALUE);
        }
        long address = LibCHolder.LIBC.mmap(null, length, PROT_READ_WRITE, MAP_SHARED, fd, offset);
        if (address == MAP_FAILED) {
            throw new NativeCallException("mmap", LibCHolder.errno());
        }
        return new MappedRegion(address, length);
    }

    /**
     * Makes part of the region read-only for this process ({@code mprotect(PROT_READ)}): a write there kills
     * the process with {@code SIGSEGV} ({@code SEGV_ACCERR}). Other mappings of the same file keep their rights.
     *
     * @param offset first byte, a multiple of {@link #pageSize()} inside the region
     * @param bytes  number of bytes, a multiple of {@link #pageSize()} that ends inside the region
     * @throws IllegalArgumentException if the range is not whole pages of the region
     * @throws NativeCallException      if {@code mprotect} fails
     */
    public void makeReadOnly(long offset, long bytes) throws NativeCallException {
        checkPages(offset, bytes);
        if (LibCHolder.LIBC.mprotect(address + offset, bytes, PROT_READ) != 0) {
            throw new NativeCallException("mprotect", LibCHolder.errno());
        }
    }

    /**
     * Gives part of the region's file back to the kernel ({@code madvise(MADV_REMOVE)}): the pages are freed in the
     * file, and so in every mapping of it, in this process and in others; the next access to them finds a fresh
     * zeroed page. The file keeps its size, so no access raises {@code SIGBUS}. Older kernels refuse it
     * ({@code EACCES}) on a range that is read-only in this mapping.
     *
     * @param offset first byte, a multiple of {@link #pageSize()} inside the region
     * @param bytes  number of bytes, a multiple of {@link #pageSize()} that ends inside the region
     * @throws IllegalArgumentException if the range is not whole pages of the region
     * @throws NativeCallException      if {@code madvise} fails
     */
    public void discard(long offset, long bytes) throws NativeCallException {
        checkPages(offset, bytes);
        if (LibCHolder.LIBC.madvise(address + offset, bytes, MADV_REMOVE) != 0) {
            throw new NativeCallException("madvise(MADV_REMOVE)", LibCHolder.errno());
        }
    }

    private void checkPages(long offset, long bytes) {
        if (offset < 0 || bytes <= 0 || offset % PAGE_SIZE != 0 || bytes % PAGE_SIZE != 0 || offset + bytes > length) {
            throw new IllegalArgumentException("[" + offset + ", " + (offset + bytes) + ") is not a run of whole pages in "
                    + this);
        }
    }

    /**
     * The size of a memory page.
     *
     * @return {@code sysconf(_SC_PAGESIZE)}, 4096 on x86-64
     */
    public static int pageSize() {
        return PAGE_SIZE;
    }

    /**
     * The address of the first mapped byte.
     *
     * @return the address, page aligned
     */
    public long address() {
        return address;
    }

    /**
     * The number of mapped bytes.
     *
     * @return the length given to {@link #map}
     */
    public long length() {
        return length;
    }

    /**
     * A direct buffer over the whole region, in native byte order. Each call returns a new
     * buffer object; all of them become invalid when the region is closed.
     *
     * @return a new buffer with position 0 and limit {@link #length()}
     * @throws IllegalStateException if the region is closed
     */
    public ByteBuffer buffer() {
        if (closed.get()) {
            throw new IllegalStateException("region at 0x" + Long.toHexString(address) + " is closed");
        }
        return MemoryIO.getInstance().newDirectByteBuffer(address, (int) length).order(ByteOrder.nativeOrder());
    }

    /**
     * Unmaps the region; further calls do nothing. After it, no buffer obtained from this
     * region may be touched: that is the caller's duty.
     *
     * @throws UncheckedIOException wrapping a {@link NativeCallException} if {@code munmap} fails
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && LibCHolder.LIBC.munmap(address, length) != 0) {
            throw new UncheckedIOException(new NativeCallException("munmap", LibCHolder.errno()));
        }
    }

    /**
     * Describes the region for diagnostics.
     *
     * @return address, length and whether it is closed
     */
    @Override
    public String toString() {
        return "MappedRegion[0x" + Long.toHexString(address) + ", " + length + " bytes" + (closed.get() ? ", closed]" : "]");
    }
}
