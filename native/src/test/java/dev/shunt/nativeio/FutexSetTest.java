package dev.shunt.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shunt.nativeio.testing.NoDescriptorLeaks;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoDescriptorLeaks.class)
class FutexSetTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private int fd = -1;
    private MappedRegion region;
    private ExecutorService waker;

    @BeforeEach
    void mapWords() throws Exception {
        assumeTrue(FutexSet.supported(), "futex_waitv(2) is not available on this kernel");
        fd = MemFd.create("shunt-futex-set-test");
        MemFd.truncate(fd, MappedRegion.pageSize());
        region = MappedRegion.map(fd, 0, MappedRegion.pageSize());
        waker = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void unmap() throws Exception {
        if (region != null) {
            waker.shutdownNow();
            assertTrue(waker.awaitTermination(10, TimeUnit.SECONDS));
            region.close();
            Descriptors.close(fd);
        }
    }

    @Test
    void aWakeOfOneSharedWordReturnsItsIndex() throws Exception {
        FutexSet set = new FutexSet();
        set.add(region.address(), 0);
        set.add(region.address() + 64, 0);
        set.add(region.address() + 128, 0);
        set.armBell();
        Future<Integer> woken = waker.submit(() -> {
            long word = region.address() + 64;
            // FUTEX_WAKE reports the waiter it woke: retry until the other thread sleeps.
            while (Futex.wake(word, 1) == 0) {
                LockSupport.parkNanos(100_000);
            }
            return 0;
        });
        assertEquals(2, set.await(System.nanoTime() + 10 * SECOND));
        woken.get(10, TimeUnit.SECONDS);
        assertFalse(set.bellRang());
    }

    @Test
    void aWordThatNoLongerHoldsItsValueReturnsAtOnce() throws Exception {
        region.buffer().putInt(64, 5);
        FutexSet set = new FutexSet();
        set.add(region.address(), 0);
        set.add(region.address() + 64, 4);
        set.armBell();
        assertEquals(FutexSet.CHANGED, set.await(System.nanoTime() + 10 * SECOND));
    }

    @Test
    void ringingTheBellWakesTheSleeperAndOnlyOnce() throws Exception {
        FutexSet set = new FutexSet();
        set.add(region.address(), 0);
        set.armBell();
        CompletableFuture<Boolean> rang = new CompletableFuture<>();
        waker.execute(() -> rang.complete(set.ringBell()));
        int woken = set.await(System.nanoTime() + 10 * SECOND);
        assertTrue(rang.get(10, TimeUnit.SECONDS));
        // A bell rung before the sleep began no longer holds its armed value: the wait returns at once.
        assertTrue(woken == 0 || woken == FutexSet.CHANGED, "woken " + woken);
        assertTrue(set.bellRang());
        assertFalse(set.ringBell(), "a rung bell rings again");
        set.disarmBell();
        assertFalse(set.ringBell(), "a disarmed bell rings");
    }

    @Test
    void theDeadlineEndsTheSleep() throws Exception {
        FutexSet set = new FutexSet();
        set.add(region.address(), 0);
        set.armBell();
        long start = System.nanoTime();
        assertEquals(FutexSet.TIMED_OUT, set.await(start + TimeUnit.MILLISECONDS.toNanos(50)));
        long elapsed = System.nanoTime() - start;
        assertTrue(elapsed >= TimeUnit.MILLISECONDS.toNanos(45), "slept only " + elapsed + " ns");
        assertEquals(FutexSet.TIMED_OUT, set.await(start), "a deadline already passed");
    }

    @Test
    void theSetHoldsAtMostItsCapacityAndClearsToItsBell() {
        FutexSet set = new FutexSet();
        for (int i = 1; i < FutexSet.CAPACITY; i++) {
            assertTrue(set.add(region.address() + 4L * i, 0));
        }
        assertEquals(FutexSet.CAPACITY, set.size());
        assertFalse(set.add(region.address(), 0));
        set.clear();
        assertEquals(1, set.size());
    }

    @Test
    void aSeccompFilterRefusingTheCallMakesItUnavailable() throws Exception {
        assertTrue(FutexSet.probe());
        Thread refused = new Thread(() -> {
            SeccompRefusal.refuseFutexWaitvOnThisThread();
            assertFalse(FutexSet.probe());
        });
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        refused.setUncaughtExceptionHandler((t, e) -> failure.complete(e));
        refused.start();
        refused.join(10_000);
        assertFalse(refused.isAlive());
        assertFalse(failure.isDone(), () -> "the refused thread failed: " + failure.getNow(null));
    }
}
