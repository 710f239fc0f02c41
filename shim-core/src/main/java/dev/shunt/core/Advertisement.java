package dev.shunt.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A Shunt server's advertisement: a small file beside its socket file ({@code <socket>.shunt}) naming the
 * protocol versions it speaks and the identity (device, inode, modification time) of the socket file it bound.
 * A client checks it before connecting, without touching the stream; a socket file re-created by anyone
 * else has another identity, so a stale advertisement is recognised.
 */
final class Advertisement {
    static final String SUFFIX = ".shunt";
    private static final String HEADER = "shunt-advertisement";
    private static final int MAX_BYTES = 4096;

    private Advertisement() {
    }

    /** @return where the advertisement of a socket file lives */
    static Path pathFor(Path socketPath) {
        return socketPath.resolveSibling(socketPath.getFileName() + SUFFIX);
    }

    /** Writes (atomically replaces) the advertisement for a bound socket file. */
    static Path write(Path socketPath) throws IOException {
        Properties p = new Properties();
        p.setProperty("versions", Integer.toString(HandshakeMessage.VERSION));
        p.setProperty("identity", identity(socketPath));
        Path target = pathFor(socketPath);
        Path temp = target.resolveSibling(target.getFileName() + ".tmp" + ProcessHandle.current().pid());
        try (var out = Files.newOutputStream(temp)) {
            p.store(out, HEADER);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    /**
     * Checks the advertisement of the socket a client is about to connect to.
     *
     * @throws FallbackException when there is none, it is unreadable or stale, or shares no version
     */
    static void check(Path socketPath) throws FallbackException {
        Path path = pathFor(socketPath);
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(path)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new FallbackException(FallbackReason.PEER_NOT_SHUNT, path + " is larger than " + MAX_BYTES
                        + " bytes");
            }
            p.load(new java.io.StringReader(new String(bytes, StandardCharsets.ISO_8859_1)));
        } catch (NoSuchFileException e) {
            throw new FallbackException(FallbackReason.PEER_NOT_SHUNT, "");
        } catch (IOException | IllegalArgumentException e) {
            throw new FallbackException(FallbackReason.PEER_NOT_SHUNT, "unreadable advertisement " + path + ": " + e);
        }
        String versions = p.getProperty("versions", "");
        if (!java.util.Arrays.asList(versions.split(",")).contains(Integer.toString(HandshakeMessage.VERSION))) {
            throw new FallbackException(FallbackReason.VERSION_MISMATCH, "server speaks versions '" + versions
                    + "', this side " + HandshakeMessage.VERSION);
        }
        String identity;
        try {
            identity = identity(socketPath);
        } catch (IOException e) {
            throw new FallbackException(FallbackReason.STALE_ADVERTISEMENT, "socket file: " + e);
        }
        if (!identity.equals(p.getProperty("identity"))) {
            throw new FallbackException(FallbackReason.STALE_ADVERTISEMENT, path + " names another socket file");
        }
    }

    /** Removes the advertisement if it still describes this socket file. */
    static void withdraw(Path socketPath, String identity) throws IOException {
        Path path = pathFor(socketPath);
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(path)) {
            p.load(in);
        } catch (NoSuchFileException e) {
            return;
        }
        if (identity.equals(p.getProperty("identity"))) {
            Files.deleteIfExists(path);
        }
    }

    /**
     * @return "device:inode:mtime-nanos" of a file, not following links. The modification time of a socket
     *     file is set when it is bound and, unlike its change time, survives chmod and chown; together with
     *     the inode it tells a re-created socket file from the advertised one even if the inode number is
     *     reused.
     */
    static String identity(Path socketPath) throws IOException {
        Object dev = Files.getAttribute(socketPath, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        Object ino = Files.getAttribute(socketPath, "unix:ino", LinkOption.NOFOLLOW_LINKS);
        FileTime mtime = Files.getLastModifiedTime(socketPath, LinkOption.NOFOLLOW_LINKS);
        long nanos = mtime.to(TimeUnit.SECONDS) * 1_000_000_000L + mtime.toInstant().getNano();
        return dev + ":" + ino + ":" + nanos;
    }
}
