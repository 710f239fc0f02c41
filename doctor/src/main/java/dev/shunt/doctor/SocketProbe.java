package dev.shunt.doctor;

import dev.shunt.core.ClientPreflight;
import dev.shunt.core.ServerAdvertisement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * What a client would find at a socket path before it connects: the socket file and its identity, the server's
 * advertisement beside it ({@code <socket>.shunt}, see {@code docs/protocol.md}) and whether it names that very
 * file, and whether the directory is writable (a server must create its socket file and advertisement there). It
 * does not connect: a connection would reach the application behind the socket.
 */
final class SocketProbe {
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;

    private SocketProbe() {
    }

    /**
     * Adds the socket section to {@code report}.
     *
     * @param path the socket path, as given
     * @return what the path names, links not followed ({@code "socket"}, {@code "symbolic link"},
     *     {@code "regular file"}, {@code "directory"}, {@code "other"}), or null when nothing is there
     */
    static String probe(Path path, Facts report) {
        Path absolute = path.toAbsolutePath().normalize();
        Facts section = report.section("socket", "socket " + absolute);
        section.put("path", "path", absolute.toString());
        String type = type(absolute, section);
        if (type != null) {
            section.put("identity", "identity (device:inode:mtime-nanos)", identity(absolute));
        }
        Path advertisement = ServerAdvertisement.pathFor(absolute);
        ClientPreflight check = ClientPreflight.forAdvertisement(absolute);
        section.section("advertisement", "advertisement")
                .put("path", "path", advertisement.toString())
                .put("exists", "exists", Files.exists(advertisement, LinkOption.NOFOLLOW_LINKS))
                .put("valid", "lets a client go on", check.isFastPath())
                .put("fallbackReason", "fallback reason", check.isFastPath() ? null : check.fallbackReason().name())
                .put("detail", "detail", check.isFastPath() ? null : check.detail());
        section.put("advertised", "advertised by a Shunt server", check.isFastPath());
        Path directory = absolute.getParent() == null ? absolute : absolute.getParent();
        section.section("directory", "directory " + directory)
                .put("path", "path", directory.toString())
                .put("exists", "exists", Files.isDirectory(directory))
                .put("writable", "writable by this user (a server creates its socket and advertisement there)",
                        Files.isWritable(directory));
        return type;
    }

    /** Adds whether the path exists and what it is; returns the type, or null when it does not exist. */
    private static String type(Path path, Facts section) {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            section.put("exists", "exists", false).put("type", "type", null);
            return null;
        } catch (IOException e) {
            section.put("exists", "exists", false).put("type", "type", null).put("error", "cannot tell", e.toString());
            return null;
        }
        String type;
        switch (mode & S_IFMT) {
            case S_IFSOCK:
                type = "socket";
                break;
            case S_IFLNK:
                type = "symbolic link";
                break;
            case S_IFREG:
                type = "regular file";
                break;
            case S_IFDIR:
                type = "directory";
                break;
            default:
                type = "other";
        }
        section.put("exists", "exists", true).put("type", "type", type);
        return type;
    }

    private static String identity(Path path) {
        try {
            return ServerAdvertisement.identityOf(path);
        } catch (IOException e) {
            return null;
        }
    }
}
