package dev.shunt.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client's {@link Advertisement#check} with its result remembered per socket path, so that a client that
 * connects again and again to one server reads and parses the advertisement once, not per connection.
 *
 * <p>A remembered check stands for as long as the advertisement file keeps its stamp (device, inode, size,
 * modification and change time, one {@code stat}): the server replaces it by renaming a new file over it, which
 * gives it another inode. The socket file's identity is compared on every connection, cached or not, so a socket
 * file re-created at the same path is found stale exactly as {@code Advertisement.check} finds it. Only valid
 * advertisements are remembered; every finding that means a fallback is checked afresh each time.
 */
final class AdvertisementCache {
    /** Enough for the servers one process talks to; past it the cache starts over rather than grow. */
    private static final int MAX_ENTRIES = 256;
    private static final String STAMP = "unix:dev,ino,size,lastModifiedTime,ctime";
    private static final Map<Path, Entry> ENTRIES = new ConcurrentHashMap<>();

    private AdvertisementCache() {
    }

    /**
     * @param stamp the advertisement file's attributes when it was read
     * @param identity the socket file's identity it names
     */
    private record Entry(Map<String, Object> stamp, String identity) {
    }

    /**
     * Checks the advertisement of the socket a client is about to connect to, as {@link Advertisement#check} does.
     *
     * @throws FallbackException when there is none, it is unreadable or stale, or shares no version
     */
    static void check(Path socketPath) throws FallbackException {
        Map<String, Object> stamp = stamp(Advertisement.pathFor(socketPath));
        Entry known = stamp == null ? null : ENTRIES.get(socketPath);
        if (known != null && known.stamp.equals(stamp)) {
            if (!known.identity.equals(socketIdentity(socketPath))) {
                throw new FallbackException(FallbackReason.STALE_ADVERTISEMENT,
                        Advertisement.pathFor(socketPath) + " names another socket file");
            }
            return;
        }
        ENTRIES.remove(socketPath);
        String before = stamp == null ? null : identityOrNull(socketPath);
        Advertisement.check(socketPath);
        // The check compared the advertisement with the socket file as it was between these two readings: the
        // identity it validated is the one read before only if the socket file did not change meanwhile.
        if (before != null && before.equals(identityOrNull(socketPath))) {
            if (ENTRIES.size() >= MAX_ENTRIES) {
                ENTRIES.clear();
            }
            ENTRIES.put(socketPath, new Entry(stamp, before));
        }
    }

    /** @return the advertisement file's stamp, or null when it cannot be read (the full check says why) */
    private static Map<String, Object> stamp(Path advertisement) {
        try {
            return Files.readAttributes(advertisement, STAMP);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** @return the socket file's identity, or null when it cannot be read (the full check then says why) */
    private static String identityOrNull(Path socketPath) {
        try {
            return Advertisement.identity(socketPath);
        } catch (IOException e) {
            return null;
        }
    }

    private static String socketIdentity(Path socketPath) throws FallbackException {
        try {
            return Advertisement.identity(socketPath);
        } catch (IOException e) {
            throw new FallbackException(FallbackReason.STALE_ADVERTISEMENT, "socket file: " + e);
        }
    }
}
