package dev.shunt.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

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
    /** The attributes of a socket file's {@link #identity}, read together. */
    private static final String IDENTITY = "unix:dev,ino,lastModifiedTime";
    private static final AtomicLong WITHDRAWALS = new AtomicLong();

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
        Properties p;
        try {
            p = read(path);
        } catch (NoSuchFileException e) {
            throw new FallbackException(FallbackReason.PEER_NOT_SHUNT, "");
        } catch (IOException | IllegalArgumentException e) {
            throw new FallbackException(FallbackReason.PEER_NOT_SHUNT, "unreadable advertisement " + path + ": " + e);
        }
        if (p == null) {
            throw new FallbackException(FallbackReason.PEER_NOT_SHUNT, path + " is larger than " + MAX_BYTES
                    + " bytes");
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

    /**
     * Removes the advertisement if it still describes this socket file, and never a successor's. A server that
     * re-bound the socket path may rename its advertisement over the path at any moment, so a read of the path
     * followed by a delete of the path (or a comparison of inode numbers before the delete) could delete the
     * successor's file. Rename-then-verify closes that gap with plain file operations: the file is renamed to a
     * name only this call uses, then that file is read and deleted. A successor's file caught by the rename is
     * linked back, unless a newer one took the path meanwhile ({@code link} never replaces). The first read keeps
     * the usual case, a successor that published long before, from moving the successor's file at all.
     */
    static void withdraw(Path socketPath, String identity) throws IOException {
        Path path = pathFor(socketPath);
        if (!describes(path, identity)) {
            return;
        }
        Path aside = path.resolveSibling(path.getFileName() + ".withdrawn" + ProcessHandle.current().pid() + "-"
                + WITHDRAWALS.incrementAndGet());
        try {
            Files.move(path, aside, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return;
        }
        if (!describes(aside, identity)) {
            try {
                Files.createLink(path, aside);
            } catch (FileAlreadyExistsException e) {
                // A newer advertisement took the path; it stays.
            }
        }
        Files.delete(aside);
    }

    /** @return whether the file is an advertisement naming this socket identity; not when absent or unreadable */
    private static boolean describes(Path path, String identity) {
        try {
            Properties p = read(path);
            return p != null && identity.equals(p.getProperty("identity"));
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Reads an advertisement file, which anyone who can write its directory may have put there, so at most
     * {@value #MAX_BYTES} bytes of it.
     *
     * @return its properties, or null if it is larger than that
     * @throws IllegalArgumentException if it is not a properties file
     */
    private static Properties read(Path path) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        }
        if (bytes.length > MAX_BYTES) {
            return null;
        }
        Properties p = new Properties();
        p.load(new StringReader(new String(bytes, StandardCharsets.ISO_8859_1)));
        return p;
    }

    /**
     * @return "device:inode:mtime-nanos" of a file, not following links. The modification time of a socket
     *     file is set when it is bound and, unlike its change time, survives chmod and chown; together with
     *     the inode it tells a re-created socket file from the advertised one even if the inode number is
     *     reused.
     */
    static String identity(Path socketPath) throws IOException {
        // One stat for all three (asking for each on its own costs a stat each, on every connect).
        Map<String, Object> attributes = Files.readAttributes(socketPath, IDENTITY, LinkOption.NOFOLLOW_LINKS);
        Object dev = attributes.get("dev");
        Object ino = attributes.get("ino");
        FileTime mtime = (FileTime) attributes.get("lastModifiedTime");
        long nanos = mtime.to(TimeUnit.SECONDS) * 1_000_000_000L + mtime.toInstant().getNano();
        return dev + ":" + ino + ":" + nanos;
    }
}
