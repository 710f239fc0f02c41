package dev.shunt.netty;

import dev.shunt.core.ClientHandshake;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntHandshake;
import dev.shunt.nativeio.UnixSockets;
import java.nio.file.Path;

/**
 * The other process of {@link SilentClientsTest}: opens COUNT connections to PATH that carry the Shunt client marker,
 * so that the server offers the fast path and waits for an answer, and then never read nor write. Prints
 * {@code SILENT <count>} once the server's offer (or any first message) waits unread on every one of them, then
 * sleeps until killed.
 *
 * <pre>
 * SilentClients PATH COUNT
 * </pre>
 */
public final class SilentClients {
    private static final int OFFER_WAIT_MILLIS = 60_000;

    private SilentClients() {
    }

    /** Entry point, see the class comment. */
    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        ShuntConfig config = ShuntConfig.fromSystemProperties();
        int[] fds = new int[count];
        for (int i = 0; i < count; i++) {
            fds[i] = UnixSockets.socket();
            ClientHandshake handshake = ShuntHandshake.prepareClient(fds[i], path, config);
            if (!handshake.isAttempting()) {
                throw new IllegalStateException("no client marker: " + handshake.complete());
            }
            UnixSockets.connect(fds[i], path.toString());
        }
        for (int fd : fds) {
            // Reads nothing: the offer stays unread and unanswered.
            if (UnixSockets.poll(fd, UnixSockets.POLLIN, OFFER_WAIT_MILLIS) == 0) {
                throw new IllegalStateException("no offer within " + OFFER_WAIT_MILLIS + " ms");
            }
        }
        System.out.println("SILENT " + count);
        Thread.sleep(Long.MAX_VALUE);
    }
}
