package dev.shunt.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.nativeio.testing.NoDescriptorLeaks;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoDescriptorLeaks.class)
class FutexTest {

    private int fd = -1;
    private MappedRegion region;

    @BeforeEach
    void mapWord() throws Exception {
        fd = MemFd.create("shunt-futex-test");
        MemFd.truncate(fd, MappedRegion.pageSize());
        region = MappedRegion.map(fd, 0, MappedRegion.pageSize());
    }

    @AfterEach
    void unmap() {
        region.close();
        Descriptors.close(fd);
    }

    @Test
    void wrongExpectedValueReturnsAtOnce() throws Exception {
        region.buffer().putInt(0, 7);
        assertEquals(Futex.VALUE_CHANGED, Futex.await(region.address(), 8, -1));
    }

    @Test
    void timeoutElapses() throws Exception {
        long start = System.nanoTime();
        assertEquals(Futex.TIMED_OUT, Futex.await(region.address(), 0, TimeUnit.MILLISECONDS.toNanos(50)));
        long elapsed = System.nanoTime() - start;
        assertTrue(elapsed >= TimeUnit.MILLISECONDS.toNanos(45), "waited only " + elapsed + " ns");
        assertTrue(elapsed < TimeUnit.SECONDS.toNanos(5), "waited " + elapsed + " ns");
    }

    @Test
    void wakeWithoutWaitersWakesNobody() throws Exception {
        assertEquals(0, Futex.wake(region.address(), Integer.MAX_VALUE));
    }

    @Test
    void anotherThreadWakesTheWaiter() throws Exception {
        long word = region.address() + 64;
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> waiter = executor.submit(() -> Futex.await(word, 0, TimeUnit.SECONDS.toNanos(20)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int woken = 0;
            while (woken == 0 && System.nanoTime() < deadline) {
                woken = Futex.wake(word, 1);
                Thread.onSpinWait();
            }
            assertEquals(1, woken);
            assertEquals(Futex.WOKEN, waiter.get(10, TimeUnit.SECONDS));
        } finally {
            executor.shutdownNow();
            assertTrue(executor.awaitTermination(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void badAddressesFail() {
        NativeCallException unaligned = assertThrows(NativeCallException.class, () -> Futex.wake(region.address() + 1, 1));
        assertEquals(Errno.EINVAL, unaligned.errno());
        assertEquals("futex(FUTEX_WAKE)", unaligned.call());
        NativeCallException unmapped = assertThrows(NativeCallException.class, () -> Futex.await(0, 0, 0));
        assertEquals(Errno.EFAULT, unmapped.errno());
    }
}
