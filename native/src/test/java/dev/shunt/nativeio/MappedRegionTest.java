package dev.shunt.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.shunt.nativeio.testing.NoDescriptorLeaks;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoDescriptorLeaks.class)
class MappedRegionTest {

    private static final int PAGE = 4096;

    private int fd = -1;

    @BeforeEach
    void createMemfd() throws Exception {
        fd = MemFd.create("shunt-mapped-region-test");
    }

    @AfterEach
    void closeMemfd() {
        Descriptors.close(fd);
    }

    @Test
    void pageSizeIs4096() {
        assertEquals(PAGE, MappedRegion.pageSize());
    }

    @Test
    void twoMappingsShareTheFile() throws Exception {
        MemFd.truncate(fd, PAGE);
        try (MappedRegion first = MappedRegion.map(fd, 0, PAGE); MappedRegion second = MappedRegion.map(fd, 0, PAGE)) {
            assertNotEquals(first.address(), second.address());
            assertEquals(PAGE, first.length());
            ByteBuffer a = first.buffer();
            assertEquals(ByteOrder.nativeOrder(), a.order());
            assertEquals(PAGE, a.capacity());
            a.putLong(128, 0x0123_4567_89ab_cdefL);
            assertEquals(0x0123_4567_89ab_cdefL, second.buffer().getLong(128));
            second.buffer().putInt(PAGE - 4, 42);
            assertEquals(42, a.getInt(PAGE - 4));
        }
    }

    @Test
    void readOnlyPagesStillSeeWritesThroughAnotherMapping() throws Exception {
        MemFd.truncate(fd, 2L * PAGE);
        try (MappedRegion reader = MappedRegion.map(fd, 0, 2L * PAGE);
                MappedRegion writer = MappedRegion.map(fd, 0, 2L * PAGE)) {
            reader.makeReadOnly(PAGE, PAGE);
            writer.buffer().putLong(PAGE + 8, 77L);
            assertEquals(77L, reader.buffer().getLong(PAGE + 8));
            reader.buffer().putLong(8, 5L);
            assertEquals(5L, writer.buffer().getLong(8), "the first page stays writable");
            assertThrows(IllegalArgumentException.class, () -> reader.makeReadOnly(1, PAGE));
            assertThrows(IllegalArgumentException.class, () -> reader.makeReadOnly(PAGE, 2L * PAGE));
            assertThrows(IllegalArgumentException.class, () -> reader.makeReadOnly(0, 0));
        }
    }

    @Test
    void discardedPagesAreFreedInTheFileAndReadAsZeros() throws Exception {
        MemFd.truncate(fd, 4L * PAGE);
        try (MappedRegion writer = MappedRegion.map(fd, 0, 4L * PAGE);
                MappedRegion reader = MappedRegion.map(fd, 0, 4L * PAGE)) {
            reader.makeReadOnly(0, 4L * PAGE);
            for (int page = 0; page < 4; page++) {
                writer.buffer().putLong(page * PAGE + 8, 1000L + page);
                assertEquals(1000L + page, reader.buffer().getLong(page * PAGE + 8));
            }
            assertEquals(4L * PAGE, allocatedBytes());
            writer.discard(PAGE, 2L * PAGE);
            assertEquals(2L * PAGE, allocatedBytes(), "the two middle pages are gone from the file");
            assertEquals(1000L, reader.buffer().getLong(8));
            assertEquals(0L, reader.buffer().getLong(PAGE + 8), "another mapping sees the freed page as zeros");
            assertEquals(0L, reader.buffer().getLong(2 * PAGE + 8));
            assertEquals(1003L, reader.buffer().getLong(3 * PAGE + 8));
            assertEquals(4L * PAGE, MemFd.size(fd), "the file keeps its size");
            writer.buffer().putLong(PAGE + 8, 7L);
            assertEquals(7L, reader.buffer().getLong(PAGE + 8), "a freed page is used again on the next write");
            assertThrows(IllegalArgumentException.class, () -> writer.discard(1, PAGE));
            assertThrows(IllegalArgumentException.class, () -> writer.discard(0, 5L * PAGE));
        }
    }

    /** @return bytes the memfd holds in memory: {@code st_blocks} (512-byte units) from {@code fstat} */
    private long allocatedBytes() throws Exception {
        jnr.ffi.Pointer stat = jnr.ffi.Memory.allocateDirect(LibCHolder.RUNTIME, 144);
        assertEquals(0, LibCHolder.LIBC.fstat(fd, stat));
        return stat.getLong(64) * 512;
    }

    /**
     * mmap's sixth argument (the offset) is the one jnr-ffi issue 181 corrupts: a mapping at a
     * non-zero offset must see exactly the page at that offset.
     */
    @Test
    void mappingAtNonZeroOffsetSeesThatPage() throws Exception {
        MemFd.truncate(fd, 3L * PAGE);
        try (MappedRegion whole = MappedRegion.map(fd, 0, 3L * PAGE)) {
            ByteBuffer all = whole.buffer();
            for (int i = 0; i < 3 * PAGE; i++) {
                all.put(i, (byte) (i / PAGE * 0x40 + i % 61));
            }
            try (MappedRegion page1 = MappedRegion.map(fd, PAGE, PAGE); MappedRegion page2 = MappedRegion.map(fd, 2L * PAGE, PAGE)) {
                ByteBuffer one = page1.buffer();
                ByteBuffer two = page2.buffer();
                for (int i = 0; i < PAGE; i++) {
                    assertEquals(all.get(PAGE + i), one.get(i), "page 1 byte " + i);
                    assertEquals(all.get(2 * PAGE + i), two.get(i), "page 2 byte " + i);
                }
                one.putInt(8, 0xCAFE_BABE);
                assertEquals(0xCAFE_BABE, all.getInt(PAGE + 8));
            }
        }
    }

    /** An offset above 4 GiB needs all 64 bits of the sixth argument (the file is sparse). */
    @Test
    void mappingAtOffsetAbove4GiBSeesThatPage() throws Exception {
        long offset = (1L << 32) + PAGE;
        MemFd.truncate(fd, offset + 2 * PAGE);
        try (MappedRegion pair = MappedRegion.map(fd, offset - PAGE, 2L * PAGE)) {
            pair.buffer().putLong(0, 1111L).putLong(PAGE, 2222L);
            try (MappedRegion high = MappedRegion.map(fd, offset, PAGE)) {
                assertEquals(2222L, high.buffer().getLong(0));
            }
        }
    }

    @Test
    void badArgumentsAreRejected() throws Exception {
        MemFd.truncate(fd, 2L * PAGE);
        assertThrows(IllegalArgumentException.class, () -> MappedRegion.map(fd, 100, PAGE));
        assertThrows(IllegalArgumentException.class, () -> MappedRegion.map(fd, -PAGE, PAGE));
        assertThrows(IllegalArgumentException.class, () -> MappedRegion.map(fd, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> MappedRegion.map(fd, 0, Integer.MAX_VALUE + 1L));
        NativeCallException e = assertThrows(NativeCallException.class, () -> MappedRegion.map(-1, 0, PAGE));
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("mmap", e.call());
    }

    @Test
    void closeIsIdempotent() throws Exception {
        MemFd.truncate(fd, PAGE);
        MappedRegion region = MappedRegion.map(fd, 0, PAGE);
        region.close();
        region.close();
        assertThrows(IllegalStateException.class, region::buffer);
    }
}
