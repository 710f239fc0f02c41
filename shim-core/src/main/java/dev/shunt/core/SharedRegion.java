package dev.shunt.core;

import static dev.shunt.core.SharedRegionLayout.CAPACITY_OFFSET;
import static dev.shunt.core.SharedRegionLayout.MAGIC;
import static dev.shunt.core.SharedRegionLayout.MAGIC_OFFSET;
import static dev.shunt.core.SharedRegionLayout.REGION_BYTES_OFFSET;
import static dev.shunt.core.SharedRegionLayout.VERSION;
import static dev.shunt.core.SharedRegionLayout.VERSION_OFFSET;

import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.MappedRegion;
import dev.shunt.nativeio.MemFd;
import dev.shunt.nativeio.NativeCallException;
import dev.shunt.nativeio.ProtectionKeys;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One connection's mapped memfd (layout in {@link SharedRegionLayout}): created and sealed by the server,
 * validated and attached by the client. In this process the inbound ring's data pages are read-only, and the
 * outbound ring's are tagged with the process's protection key when it has one.
 * The header is read once, at attach; afterwards only control blocks are read, through the rings.
 */
final class SharedRegion implements AutoCloseable {
    static final int REQUIRED_SEALS = MemFd.SEAL_SHRINK | MemFd.SEAL_GROW | MemFd.SEAL_SEAL;

    private final MappedRegion mapping;
    private final ByteBuffer buffer;
    private final int capacity;
    /** The kernel's mappings (VMAs) of this region in this process, counted in {@link MappingBudget}. */
    private final int mappings;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SharedRegion(MappedRegion mapping, int capacity, AccessWindow window, Role role)
            throws NativeCallException {
        this.mapping = mapping;
        this.buffer = mapping.buffer().order(ByteOrder.nativeOrder());
        this.capacity = capacity;
        int page = MappedRegion.pageSize();
        mapping.makeReadOnly(SharedRegionLayout.dataOffset(page, capacity, SharedRegionLayout.inboundControl(role)),
                capacity);
        if (window.key() >= 0) {
            long outbound = SharedRegionLayout.dataOffset(page, capacity, SharedRegionLayout.outboundControl(role));
            ProtectionKeys.protect(mapping.address() + outbound, capacity, window.key());
        }
        this.mappings = mappings(role, window.key() >= 0);
        MappingBudget.acquire(mappings);
    }

    /**
     * @return the mappings the kernel keeps for a region: one per run of pages with the same rights and key, in layout
     *     order control page, ring A, ring B (the inbound ring read-only, the outbound one keyed or like the control
     *     page)
     */
    static int mappings(Role role, boolean keyed) {
        int[] kinds = new int[3];
        int[] rings = {SharedRegionLayout.RING_A_CONTROL_OFFSET, SharedRegionLayout.RING_B_CONTROL_OFFSET};
        for (int i = 0; i < rings.length; i++) {
            boolean inbound = rings[i] == SharedRegionLayout.inboundControl(role);
            kinds[i + 1] = inbound ? 1 : keyed ? 2 : 0;
        }
        int runs = 1;
        for (int i = 1; i < kinds.length; i++) {
            if (kinds[i] != kinds[i - 1]) {
                runs++;
            }
        }
        return runs;
    }

    /**
     * A region just created, with the memfd that holds it.
     *
     * @param region the mapped region
     * @param memfd the memfd, which the caller sends to the peer and then closes
     */
    record Created(SharedRegion region, int memfd) {
    }

    /**
     * Creates, initialises and seals a region in a new memfd.
     *
     * @param capacity ring capacity per direction (validated by {@link ShuntConfig})
     * @param window the protection to apply to the data pages
     * @return the mapped region and its memfd
     * @throws NativeCallException when the kernel refuses a step
     */
    static Created create(int capacity, AccessWindow window) throws NativeCallException {
        int page = MappedRegion.pageSize();
        long bytes = SharedRegionLayout.regionBytes(page, capacity);
        int memfd = MemFd.create("shunt-ring");
        MappedRegion mapping = null;
        try {
            MemFd.truncate(memfd, bytes);
            mapping = MappedRegion.map(memfd, 0, bytes);
            ByteBuffer header = mapping.buffer().order(ByteOrder.nativeOrder());
            header.putLong(MAGIC_OFFSET, MAGIC);
            header.putInt(VERSION_OFFSET, VERSION);
            header.putInt(CAPACITY_OFFSET, capacity);
            header.putLong(REGION_BYTES_OFFSET, bytes);
            MemFd.addSeals(memfd, REQUIRED_SEALS);
            return new Created(new SharedRegion(mapping, capacity, window, Role.SERVER), memfd);
        } catch (NativeCallException | RuntimeException e) {
            if (mapping != null) {
                mapping.close();
            }
            Descriptors.close(memfd);
            throw e;
        }
    }

    /**
     * Validates a memfd received from the peer and maps it. The memfd is not closed here.
     *
     * @param memfd the descriptor from the offer
     * @param announcedBytes region size the offer announced
     * @param announcedCapacity ring capacity the offer announced
     * @param window the protection to apply to the data pages
     * @return the mapped region
     * @throws FallbackException with {@link FallbackReason#INVALID_OFFER} when anything does not match
     */
    static SharedRegion attach(int memfd, long announcedBytes, int announcedCapacity, AccessWindow window)
            throws FallbackException {
        if (announcedCapacity < ShuntConfig.MIN_RING_BYTES || announcedCapacity > ShuntConfig.MAX_RING_BYTES
                || Integer.bitCount(announcedCapacity) != 1) {
            throw new FallbackException(FallbackReason.INVALID_OFFER, "ring capacity " + announcedCapacity);
        }
        int page = MappedRegion.pageSize();
        long expected = SharedRegionLayout.regionBytes(page, announcedCapacity);
        if (announcedBytes != expected) {
            throw new FallbackException(FallbackReason.INVALID_OFFER,
                    "region of " + announcedBytes + " bytes announced, " + expected + " expected");
        }
        MappedRegion mapping = null;
        try {
            int seals = MemFd.seals(memfd);
            if ((seals & REQUIRED_SEALS) != REQUIRED_SEALS) {
                throw new FallbackException(FallbackReason.INVALID_OFFER, "memfd seals 0x" + Integer.toHexString(seals)
                        + " lack shrink, grow or seal");
            }
            long size = MemFd.size(memfd);
            if (size != expected) {
                throw new FallbackException(FallbackReason.INVALID_OFFER,
                        "memfd holds " + size + " bytes, " + expected + " announced");
            }
            mapping = map(memfd, expected);
            ByteBuffer header = mapping.buffer().order(ByteOrder.nativeOrder());
            long magic = header.getLong(MAGIC_OFFSET);
            int version = header.getInt(VERSION_OFFSET);
            int capacity = header.getInt(CAPACITY_OFFSET);
            long bytes = header.getLong(REGION_BYTES_OFFSET);
            if (magic != MAGIC || version != VERSION || capacity != announcedCapacity || bytes != expected) {
                throw new FallbackException(FallbackReason.INVALID_OFFER, "region header (magic 0x"
                        + Long.toHexString(magic) + ", version " + version + ", capacity " + capacity + ", bytes "
                        + bytes + ") does not match the offer");
            }
            try {
                return new SharedRegion(mapping, capacity, window, Role.CLIENT);
            } catch (NativeCallException e) {
                throw new FallbackException(FallbackReason.LOCAL_FAILURE, e.getMessage());
            }
        } catch (NativeCallException e) {
            throw new FallbackException(FallbackReason.INVALID_OFFER, e.getMessage());
        } catch (FallbackException | RuntimeException e) {
            if (mapping != null) {
                mapping.close();
            }
            throw e;
        }
    }

    private static MappedRegion map(int memfd, long bytes) throws FallbackException {
        try {
            return MappedRegion.map(memfd, 0, bytes);
        } catch (NativeCallException e) {
            throw new FallbackException(FallbackReason.LOCAL_FAILURE, e.getMessage());
        }
    }

    /** @return the control block at a layout offset */
    ControlBlock control(int controlOffset) {
        return new ControlBlock(buffer, mapping.address(), controlOffset);
    }

    /** @return the data of the ring whose control block is at {@code controlOffset} */
    ByteBuffer data(int controlOffset) {
        int offset = (int) SharedRegionLayout.dataOffset(MappedRegion.pageSize(), capacity, controlOffset);
        return buffer.slice(offset, capacity);
    }

    /**
     * Gives the data pages of the ring whose control block is at {@code controlOffset} back to the kernel, in this
     * process and the peer's; they read as zeros until written again. Only for the ring this side writes, while no
     * byte in it is unread.
     */
    void discardData(int controlOffset) throws NativeCallException {
        mapping.discard(SharedRegionLayout.dataOffset(MappedRegion.pageSize(), capacity, controlOffset), capacity);
    }

    /** @return ring capacity per direction */
    int capacity() {
        return capacity;
    }

    /** Unmaps the region; nothing may touch its buffers afterwards. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            mapping.close();
            MappingBudget.release(mappings);
        }
    }
}
