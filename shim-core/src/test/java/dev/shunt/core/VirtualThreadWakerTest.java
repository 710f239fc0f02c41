package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.ConnectedPair;
import dev.shunt.core.testing.TestProtection;
import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.EventFd;
import dev.shunt.nativeio.MemFd;
import dev.shunt.nativeio.UnixSockets;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The virtual-thread waker outlives the loss of its epoll set: the set's descriptor closed behind its back and the
 * number taken by another file, as a stray {@code close} of a stale descriptor number elsewhere in the process does.
 * The tests watch the waker from outside, through {@code /proc}: the epoll descriptor its thread waits on (the first
 * argument of its blocking system call) and the descriptors that set watches ({@code fdinfo}). Runs on JDK 25 with
 * one carrier thread, like {@link VirtualThreadWaitTest}.
 */
class VirtualThreadWakerTest {
    private static final ShuntConfig FAST = TestProtection.fastPath(4096, 20_000, 5_000);
    private static final Pattern WATCHED = Pattern.compile("^tfd:\\s*(\\d+)\\s", Pattern.MULTILINE);
    /** The waker thread's name as the kernel keeps it: the first 15 characters. */
    private static final String WAKER_COMM = "shunt-virtual-t";
    /** {@code epoll_wait} and {@code epoll_pwait} on x86-64. */
    private static final Set<String> EPOLL_WAITS = Set.of("232", "281");
    private static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private ExecutorService executor;
    private int occupant = -1;

    @BeforeEach
    void startExecutor() throws Exception {
        executor = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
    }

    @AfterEach
    void stopExecutor() {
        executor.shutdownNow();
        Descriptors.close(occupant);
    }

    private Future<byte[]> readOnVirtualThread(ConnectedPair pair) {
        ShuntStream stream = pair.server.stream();
        return executor.submit(() -> {
            byte[] buf = new byte[3];
            int n = 0;
            while (n < buf.length) {
                int r = stream.read(buf, n, buf.length - n, 0);
                if (r < 0) {
                    throw new EOFException();
                }
                n += r;
            }
            return buf;
        });
    }

    /** Writes to the pair's server side and checks that the given virtual-thread reader gets the bytes. */
    private static void deliver(ConnectedPair pair, Future<byte[]> reader, int tag) throws Exception {
        byte[] message = {(byte) tag, 2, 3};
        pair.client.stream().write(message, 0, message.length);
        assertArrayEquals(message, reader.get(10, TimeUnit.SECONDS));
    }

    /** @return the descriptors that epoll descriptor {@code fd} watches, empty if it is none */
    private static Set<Integer> watchedBy(int fd) {
        Set<Integer> watched = new TreeSet<>();
        try {
            Matcher m = WATCHED.matcher(Files.readString(Path.of("/proc/self/fdinfo", Integer.toString(fd))));
            while (m.find()) {
                watched.add(Integer.valueOf(m.group(1)));
            }
        } catch (NoSuchFileException e) {
            // not open
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return watched;
    }

    /** @return the waker thread's system call as {@code /proc} shows it: number and arguments, or "running" */
    private static String wakerSyscall() throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    if (Files.readString(task.resolve("comm")).trim().equals(WAKER_COMM)) {
                        return Files.readString(task.resolve("syscall")).trim();
                    }
                } catch (NoSuchFileException e) {
                    // a thread that ended meanwhile
                }
            }
        }
        return "no waker thread";
    }

    /** @return the epoll descriptor the waker thread waits on now, or -1 if it does not wait in epoll */
    private static int wakerSet() throws IOException {
        String[] call = wakerSyscall().split(" ");
        if (call.length < 2 || !EPOLL_WAITS.contains(call[0])) {
            return -1;
        }
        return Integer.parseInt(call[1].substring(2), 16);
    }

    /**
     * Waits for the waker thread to wait in an epoll set that watches the sockets of these readers' streams (which
     * it does once they park); fails, naming the waker's state, if it does not within 10 s, or with a reader's
     * failure if one fails.
     *
     * @return the set's descriptor
     */
    private static int awaitWatched(Map<ConnectedPair, Future<byte[]>> readers) throws Exception {
        List<Integer> sockets = readers.keySet().stream().map(pair -> pair.serverFd).toList();
        long deadline = System.nanoTime() + SETTLE_NANOS;
        while (true) {
            int set = wakerSet();
            if (set >= 0 && watchedBy(set).containsAll(sockets)) {
                return set;
            }
            for (Future<byte[]> reader : readers.values()) {
                if (reader.isDone()) {
                    reader.get();
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the waker does not wait on a set that watches " + sockets + "; its system "
                        + "call: " + wakerSyscall() + (set >= 0 ? "; that set watches " + watchedBy(set) : ""));
            }
            Thread.sleep(10);
        }
    }

    /** A way to open a descriptor. */
    private interface Opener {
        int open() throws IOException;
    }

    /**
     * Closes a descriptor behind its owner's back and puts a new one under the same number (new descriptors take the
     * lowest free number, so lower free numbers are filled first and then given back).
     *
     * @return the new descriptor
     */
    private static int replace(int fd, Opener opener) throws IOException {
        Descriptors.close(fd);
        List<Integer> fillers = new ArrayList<>();
        int opened;
        while ((opened = opener.open()) < fd) {
            fillers.add(opened);
        }
        fillers.forEach(Descriptors::close);
        assertEquals(fd, opened, "another thread took the number");
        return opened;
    }

    /** Closes the waker's epoll descriptor behind its back and puts an eventfd under the same number. */
    private void takeAwayTheEpollSet(int epoll) throws IOException {
        occupant = replace(epoll, EventFd::create);
    }

    @Test
    void wakerThatLostItsEpollSetInAWaitRebuildsItAndKeepsWakingReaders() throws Exception {
        try (ConnectedPair a = ConnectedPair.open(FAST); ConnectedPair b = ConnectedPair.open(FAST)) {
            Future<byte[]> readerA = readOnVirtualThread(a);
            takeAwayTheEpollSet(awaitWatched(Map.of(a, readerA)));
            // The waker still waits in the set it lost: a doorbell byte ends that wait, and the next one fails.
            UnixSockets.sendByte(a.clientFd);
            awaitWatched(Map.of(a, readerA));
            deliver(a, readerA, 1);
            Future<byte[]> readerB = readOnVirtualThread(b);
            Future<byte[]> againA = readOnVirtualThread(a);
            awaitWatched(Map.of(a, againA, b, readerB));
            deliver(b, readerB, 2);
            deliver(a, againA, 3);
            assertTrue(EventFd.isEventFd(occupant), "the waker closed a descriptor that was no longer its own");
        }
    }

    @Test
    void streamThatRegistersWhileTheEpollSetIsLostIsServed() throws Exception {
        try (ConnectedPair a = ConnectedPair.open(FAST); ConnectedPair b = ConnectedPair.open(FAST)) {
            Future<byte[]> readerA = readOnVirtualThread(a);
            takeAwayTheEpollSet(awaitWatched(Map.of(a, readerA)));
            Future<byte[]> readerB = readOnVirtualThread(b);
            awaitWatched(Map.of(a, readerA, b, readerB));
            deliver(b, readerB, 1);
            deliver(a, readerA, 2);
            assertTrue(EventFd.isEventFd(occupant), "the waker closed a descriptor that was no longer its own");
        }
    }

    @Test
    void rebuiltSetDropsARegistrationWhoseSocketWasClosedBehindItsBackAndServesTheOthers() throws Exception {
        try (ConnectedPair a = ConnectedPair.open(FAST); ConnectedPair c = ConnectedPair.open(FAST)) {
            Future<byte[]> readerA = readOnVirtualThread(a);
            Future<byte[]> readerC = readOnVirtualThread(c);
            int set = awaitWatched(Map.of(a, readerA, c, readerC));
            // c's number now names a memfd, which epoll refuses to watch; the pair closes it at the end.
            replace(c.serverFd, () -> MemFd.create("not-a-socket"));
            takeAwayTheEpollSet(set);
            UnixSockets.sendByte(a.clientFd);
            int rebuilt = awaitWatched(Map.of(a, readerA));
            assertFalse(watchedBy(rebuilt).contains(c.serverFd));
            deliver(a, readerA, 1);
        }
    }
}
