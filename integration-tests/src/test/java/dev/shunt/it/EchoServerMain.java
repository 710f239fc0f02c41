package dev.shunt.it;

import dev.shunt.core.HandshakeResult;
import dev.shunt.core.ServerAdvertisement;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntHandshake;
import dev.shunt.core.ShuntStream;
import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Child-JVM main for the soak run: accepts connections on PATH until killed and echoes each on its own thread,
 * over the fast path or the kernel socket, whichever its handshake gave. Prints READY once listening.
 */
public final class EchoServerMain {
    private EchoServerMain() {
    }

    /** @param args PATH */
    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[0]);
        ShuntConfig config = ShuntConfig.fromSystemProperties();
        int listen = UnixSockets.socket();
        UnixSockets.bindPath(listen, path.toString());
        UnixSockets.listen(listen, 128);
        ServerAdvertisement.publish(path, config);
        System.out.println("READY");
        while (true) {
            int fd = UnixSockets.accept(listen);
            HandshakeResult result;
            try {
                result = ShuntHandshake.accept(fd, config);
            } catch (IOException e) {
                System.out.println("ERROR handshake " + e);
                Descriptors.close(fd);
                continue;
            }
            new Thread(() -> echo(fd, result), "echo-" + fd).start();
        }
    }

    private static void echo(int fd, HandshakeResult result) {
        byte[] buf = new byte[65536];
        try {
            if (result.isFastPath()) {
                ShuntStream stream = result.stream();
                for (int n; (n = stream.read(buf, 0, buf.length, 0)) > 0; ) {
                    stream.write(buf, 0, n);
                }
                stream.close();
            } else {
                for (int n; (n = UnixSockets.read(fd, buf, 0, buf.length)) > 0; ) {
                    UnixSockets.writeFully(fd, buf, 0, n);
                }
            }
        } catch (IOException e) {
            System.out.println("ERROR echo " + e);
        } finally {
            Descriptors.close(fd);
        }
    }
}
