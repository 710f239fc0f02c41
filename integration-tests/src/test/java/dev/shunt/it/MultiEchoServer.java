package dev.shunt.it;

import dev.shunt.core.HandshakeResult;
import dev.shunt.core.ServerAdvertisement;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntHandshake;
import dev.shunt.core.ShuntStream;
import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Child-JVM main: accepts COUNT connections on PATH, echoes each on its own thread until end of stream, then
 * prints {@code LEAKS fds=<delta> rings=<delta>} (descriptors and ring mappings against the count before the
 * first accept) and exits.
 */
public final class MultiEchoServer {
    private MultiEchoServer() {
    }

    /** @param args PATH COUNT */
    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        ShuntConfig config = ShuntConfig.fromSystemProperties();
        int listen = UnixSockets.socket();
        UnixSockets.bindPath(listen, path.toString());
        UnixSockets.listen(listen, count);
        ServerAdvertisement ad = ServerAdvertisement.publish(path, config);
        int fdsBefore = Descriptors.openCount();
        long ringsBefore = rings();
        System.out.println("READY");
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int fd = UnixSockets.accept(listen);
            HandshakeResult result = ShuntHandshake.accept(fd, config);
            if (!result.isFastPath()) {
                throw new IllegalStateException("connection " + i + " fell back: " + result.detail());
            }
            Thread t = new Thread(() -> echo(fd, result.stream()), "echo-" + i);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        System.out.println("LEAKS fds=" + (Descriptors.openCount() - fdsBefore) + " rings=" + (rings() - ringsBefore));
        ad.close();
        Descriptors.close(listen);
    }

    private static void echo(int fd, ShuntStream stream) {
        byte[] buf = new byte[16384];
        try {
            for (int n; (n = stream.read(buf, 0, buf.length, 0)) > 0; ) {
                stream.write(buf, 0, n);
            }
            stream.shutdownOutput();
        } catch (Exception e) {
            System.out.println("ERROR " + e);
        } finally {
            stream.close();
            Descriptors.close(fd);
        }
    }

    static long rings() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains("shunt-ring")).count();
    }
}
