package dev.shunt.nativeio.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shunt.nativeio.Cpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The CPUs the calling thread may run on, as the kernel lists them: for tests that move threads. */
public final class ThreadCpus {
    private ThreadCpus() {
    }

    /**
     * @return the calling thread's {@code Cpus_allowed_list}, for example {@code 0-1}
     * @throws IOException when {@code /proc/thread-self/status} cannot be read or has no such line
     */
    public static String allowedList() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/thread-self/status"))) {
            if (line.startsWith("Cpus_allowed_list:")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        throw new IOException("no Cpus_allowed_list in /proc/thread-self/status");
    }

    /**
     * Skips the test unless a peer can be held on CPU 0 by {@code taskset} while the calling thread may run on CPU 0
     * and another CPU, and may move itself.
     *
     * @return the calling thread's CPU list, which a test that moves it compares afterwards
     * @throws IOException when the list cannot be read, or the kernel refused giving a moved thread its mask back
     */
    public static String assumeMovableBesideCpu0() throws IOException {
        String mask = allowedList();
        assumeTrue(mask.startsWith("0") && (mask.contains(",") || mask.contains("-")),
                "needs CPU 0 and another one; this thread may run on " + mask);
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/taskset")), "needs taskset (util-linux) to hold the peer");
        assumeTrue(Cpus.moveOffCurrent() != Cpus.UNKNOWN, "this thread cannot move (sched_setaffinity refused)");
        return mask;
    }

    /**
     * Brings the calling thread onto CPU 0, beside a peer held there, or skips the test.
     *
     * @throws IOException when the kernel refused giving a moved thread its mask back
     */
    public static void assumeOnCpu0() throws IOException {
        for (int i = 0; Cpus.current() != 0 && i < 8; i++) {
            Cpus.moveOffCurrent();
        }
        assumeTrue(Cpus.current() == 0, "could not bring this thread onto CPU 0 beside the peer");
    }
}
