package dev.shunt.core;

import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's published advertisement (see {@code docs/protocol.md}); closing it withdraws the file, if it still
 * describes this server's socket.
 */
public final class ServerAdvertisement implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerAdvertisement.class);

    private final Path socketPath;
    private final String identity;

    private ServerAdvertisement(Path socketPath, String identity) {
        this.socketPath = socketPath;
        this.identity = identity;
    }

    /**
     * Publishes the advertisement of a socket file this process bound and listens on. Does nothing when Shunt
     * is disabled. A directory that cannot be written is logged and leaves clients on the kernel socket.
     *
     * @param socketPath the bound socket file
     * @param config the configuration in force
     * @return the handle that withdraws it
     */
    public static ServerAdvertisement publish(Path socketPath, ShuntConfig config) {
        if (!config.enabled()) {
            return new ServerAdvertisement(socketPath, null);
        }
        try {
            String identity = Advertisement.identity(socketPath);
            Advertisement.write(socketPath);
            return new ServerAdvertisement(socketPath, identity);
        } catch (IOException e) {
            LOG.warn("Shunt cannot advertise {}; clients will use the kernel socket: {}", socketPath, e.toString());
            return new ServerAdvertisement(socketPath, null);
        }
    }

    /**
     * Where the advertisement of a socket file lives: beside it, its name followed by {@code .shunt}.
     *
     * @param socketPath the socket file
     * @return the advertisement file's path
     */
    public static Path pathFor(Path socketPath) {
        return Advertisement.pathFor(socketPath);
    }

    /**
     * The identity of a socket file as an advertisement names it, {@code device:inode:mtime-nanos}, not following
     * links: an advertisement describes the socket file whose identity it names, and no other.
     *
     * @param socketPath the socket file
     * @return its identity
     * @throws IOException when the file's attributes cannot be read, for example because it does not exist
     */
    public static String identityOf(Path socketPath) throws IOException {
        return Advertisement.identity(socketPath);
    }

    /** @return whether an advertisement file was written */
    public boolean isPublished() {
        return identity != null;
    }

    /** @return the advertisement file's path */
    public Path path() {
        return Advertisement.pathFor(socketPath);
    }

    /** Removes the advertisement file if it still describes this server's socket. */
    @Override
    public void close() {
        if (identity == null) {
            return;
        }
        try {
            Advertisement.withdraw(socketPath, identity);
        } catch (IOException e) {
            LOG.warn("Shunt could not withdraw {}: {}", path(), e.toString());
        }
    }
}
