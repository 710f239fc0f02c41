package dev.shunt.core;

import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Child-JVM main for {@link ConnectionChurnTest}: accepts COUNT connections on PATH one after another, runs the
 * server handshake on each and echoes it on a pool thread until end of stream (fast path or kernel socket), then
 * closes it. Prints {@code READY} once listening, and at the end {@code HANDSHAKES fast=<n> fallback=<n>},
 * {@code FALLBACKS <metrics>} and {@code LEAKS fds=<delta> rings=<delta> memfds=<delta> budget=<delta>} against
 * the counts after its first connection, which it serves before it counts.
 */
public final class ChurnServer {
    private ChurnServer() {
    }

    /** @param args PATH COUNT */
    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        ShuntConfig config = ShuntConfig.fromSystemProperties();
        int listen = UnixSockets.socket();
        UnixSockets.bindPath(listen, path.toString());
        UnixSockets.listen(listen, 64);
        ServerAdvertisement ad = ServerAdvertisement.publish(path, config);
        ExecutorService echoes = Executors.newCachedThreadPool();
        System.out.println("READY");
        int fast = 0;
        long[] before = null;
        for (int i = 0; i < count; i++) {
            int fd = UnixSockets.accept(listen);
            HandshakeResult result = ShuntHandshake.accept(fd, config);
            if (result.isFastPath()) {
                fast++;
            }
            if (i == 0) {
                echo(fd, result);
                before = leakCounts();
            } else {
                echoes.submit(() -> echo(fd, result));
            }
        }
        echoes.shutdown();
        echoes.awaitTermination(5, TimeUnit.MINUTES);
        long[] after = leakCounts();
        System.out.println("HANDSHAKES fast=" + fast + " fallback=" + (count - fast));
        System.out.println("FALLBACKS " + ShuntMetrics.snapshot().fallbacks());
        System.out.println("LEAKS fds=" + (after[0] - before[0]) + " rings=" + (after[1] - before[1]) + " memfds="
                + (after[2] - before[2]) + " budget=" + (after[3] - before[3]));
        ad.close();
        Descriptors.close(listen);
    }

    private static Object echo(int fd, HandshakeResult result) throws IOException {
        byte[] buf = new byte[16384];
        try {
            if (result.isFastPath()) {
                ShuntStream stream = result.stream();
                try (stream) {
                    for (int n; (n = stream.read(buf, 0, buf.length, 0)) > 0; ) {
                        stream.write(buf, 0, n);
                    }
                }
            } else {
                for (int n; (n = UnixSockets.read(fd, buf, 0, buf.length)) > 0; ) {
                    UnixSockets.writeFully(fd, buf, 0, n);
                }
            }
        } finally {
            Descriptors.close(fd);
        }
        return null;
    }

    /**
     * @return descriptors of the kinds a connection holds (sockets, anonymous inodes such as epoll sets, pipes, memfds),
     *     {@code shunt-ring} mappings, memfd descriptors and the mapping budget in use. Regular files are left out: the
     *     JVM opens jars and other files of its own lazily (a class first loaded late in the run), which is no leak.
     *     The lowest count of a few readings, since descriptors of an instant (the listing's own) come and go.
     */
    static long[] leakCounts() throws IOException {
        long fds = Long.MAX_VALUE;
        long memfds = 0;
        for (int i = 0; i < 5; i++) {
            long[] kinds = connectionDescriptors();
            fds = Math.min(fds, kinds[0]);
            memfds = kinds[1];
        }
        long rings = Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains("shunt-ring"))
                .count();
        return new long[] {fds, rings, memfds, MappingBudget.inUse()};
    }

    /** @return descriptors of the kinds a connection holds, and among them memfds of rings */
    private static long[] connectionDescriptors() throws IOException {
        long fds = 0;
        long memfds = 0;
        try (var entries = Files.list(Path.of("/proc/self/fd"))) {
            for (Path entry : entries.toList()) {
                String target;
                try {
                    target = Files.readSymbolicLink(entry).toString();
                } catch (IOException e) {
                    continue; // Closed since the listing (the listing's own descriptor among them).
                }
                if (target.startsWith("socket:") || target.startsWith("anon_inode:") || target.startsWith("pipe:")
                        || target.startsWith("/memfd:")) {
                    fds++;
                }
                if (target.startsWith("/memfd:shunt-ring")) {
                    memfds++;
                }
            }
        }
        return new long[] {fds, memfds};
    }
}
