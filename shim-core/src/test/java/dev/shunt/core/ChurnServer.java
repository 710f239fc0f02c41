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
     * @return descriptors, {@code shunt-ring} mappings, memfd descriptors and the mapping budget in use; the lowest
     *     descriptor count of a few readings, since the JVM opens files of its own for an instant now and then
     */
    static long[] leakCounts() throws IOException {
        int fds = Integer.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            fds = Math.min(fds, Descriptors.openCount());
        }
        long rings = Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains("shunt-ring"))
                .count();
        long memfds = 0;
        try (var entries = Files.list(Path.of("/proc/self/fd"))) {
            for (Path entry : entries.toList()) {
                try {
                    if (Files.readSymbolicLink(entry).toString().startsWith("/memfd:shunt-ring")) {
                        memfds++;
                    }
                } catch (IOException e) {
                    // Closed since the listing (the listing's own descriptor among them).
                }
            }
        }
        return new long[] {fds, rings, memfds, MappingBudget.inUse()};
    }
}
