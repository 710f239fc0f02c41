package dev.shunt.core;

import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The successor server of {@link AdvertisementTest}, in its own process: on each byte from the control socket it
 * unlinks the socket file, binds and listens on a new one at the same path, publishes its advertisement and
 * answers with a byte. Arguments: the socket path, the control socket path. Prints {@code READY} once connected.
 */
public final class AdvertisementSuccessor {
    private AdvertisementSuccessor() {
    }

    /** Entry point, see the class comment. */
    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args[0]);
        ShuntConfig config = ShuntConfig.fromSystemProperties();
        int control = UnixSockets.socket();
        UnixSockets.connect(control, args[1]);
        System.out.println("READY");
        byte[] signal = new byte[1];
        int listen = -1;
        while (UnixSockets.read(control, signal, 0, 1) == 1) {
            Descriptors.close(listen);
            Files.deleteIfExists(socket);
            listen = UnixSockets.socket();
            UnixSockets.bindPath(listen, socket.toString());
            UnixSockets.listen(listen, 1);
            if (!ServerAdvertisement.publish(socket, config).isPublished()) {
                throw new IllegalStateException("could not publish " + socket);
            }
            UnixSockets.writeFully(control, signal, 0, 1);
        }
    }
}
