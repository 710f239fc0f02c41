package dev.shunt.nativeio;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Plain file-descriptor operations. */
public final class Descriptors {

    private static final String FD_DIRECTORY = "/proc/self/fd";

    private Descriptors() {
    }

    /**
     * Closes a descriptor quietly: errors (a descriptor that is not open, for instance) are
     * ignored, and a negative descriptor is ignored. {@code close} is never retried, as Linux
     * releases the descriptor even when it reports {@code EINTR}.
     *
     * @param fd the descriptor
     */
    public static void close(int fd) {
        if (fd >= 0) {
            LibCHolder.LIBC.close(fd);
        }
    }

    /**
     * What a descriptor refers to, from {@code readlink /proc/self/fd/<fd>}.
     *
     * @param fd the descriptor
     * @return for example {@code "anon_inode:[eventfd]"}, {@code "/memfd:x (deleted)"} or
     *         {@code "socket:[123]"}; {@code "closed"} when the descriptor is not open
     * @throws UncheckedIOException if the link exists but cannot be read
     */
    public static String describe(int fd) {
        if (fd < 0) {
            return "closed";
        }
        try {
            return Files.readSymbolicLink(Path.of(FD_DIRECTORY, Integer.toString(fd))).toString();
        } catch (NoSuchFileException e) {
            return "closed";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The number of entries in {@code /proc/self/fd}, for leak tests. The count includes the
     * descriptor used to list the directory, so compare counts, not absolute numbers. The JVM
     * itself opens files for an instant now and then (for example cgroup files when it
     * re-reads container limits), so a single reading may be one too high: a leak check
     * should take the lowest of several readings as its baseline and re-read before failing.
     *
     * @return the number of open descriptors of this process
     * @throws UncheckedIOException if the directory cannot be listed
     */
    public static int openCount() {
        String[] entries = new File(FD_DIRECTORY).list();
        if (entries == null) {
            throw new UncheckedIOException(new IOException("cannot list " + FD_DIRECTORY));
        }
        return entries.length;
    }
}
