package dev.shunt.junixsocket;

import dev.shunt.core.ClientHandshake;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntHandshake;
import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * The client processes of {@link AcceptWhileHandshakingTest}, configured by {@code shunt.*} system properties.
 *
 * <pre>
 * AcceptPeer silent PATH COUNT   COUNT connections that mark themselves as Shunt clients (the core's marker) and
 *                                never answer: prints CONNECTED, then OFFERED COUNT once the server's offer reached
 *                                each, then CLOSED BYTES once the server closed all of them (BYTES: what arrived)
 * AcceptPeer shunt PATH          a ShuntSocket: prints HANDSHAKE fast|fallback REASON, echoes ECHO_BYTES through
 *                                the server, prints ECHOED
 * AcceptPeer plain PATH          the same on a plain junixsocket AFUNIXSocket (no Shunt at all)
 * </pre>
 */
public final class AcceptPeer {
    /** What a client sends and expects back. */
    static final int ECHO_BYTES = 64;

    private AcceptPeer() {
    }

    /** Entry point, see the class comment. */
    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[1]);
        switch (args[0]) {
            case "silent":
                silent(path, Integer.parseInt(args[2]));
                break;
            case "shunt":
                try (ShuntSocket socket = ShuntSocket.connectTo(AFUNIXSocketAddress.of(path))) {
                    System.out.println("HANDSHAKE " + (socket.isFastPath() ? "fast"
                            : "fallback " + socket.getFallbackReason()));
                    echo(socket);
                }
                break;
            case "plain":
                try (AFUNIXSocket socket = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(path))) {
                    echo(socket);
                }
                break;
            default:
                throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static void silent(Path path, int count) throws Exception {
        ShuntConfig config = ShuntConfig.fromSystemProperties();
        int[] fds = new int[count];
        for (int i = 0; i < count; i++) {
            fds[i] = markedConnection(path, config);
        }
        System.out.println("CONNECTED");
        for (int fd : fds) {
            UnixSockets.poll(fd, UnixSockets.POLLIN, -1);
        }
        System.out.println("OFFERED " + count);
        long bytes = 0;
        byte[] buf = new byte[256];
        for (int fd : fds) {
            for (int n; (n = UnixSockets.read(fd, buf, 0, buf.length)) > 0; ) {
                bytes += n;
            }
            Descriptors.close(fd);
        }
        System.out.println("CLOSED " + bytes);
    }

    /**
     * A raw client that marks itself as a Shunt client (the core's marker, bound by {@link
     * ShuntHandshake#prepareClient}) and connects, and then never answers.
     *
     * @return the connected socket
     */
    static int markedConnection(Path socket, ShuntConfig config) throws IOException {
        int fd = UnixSockets.socket();
        try {
            ClientHandshake handshake = ShuntHandshake.prepareClient(fd, socket, config);
            if (!handshake.isAttempting()) {
                throw new IllegalStateException("no valid advertisement beside " + socket + ": no marker bound");
            }
            UnixSockets.connect(fd, socket.toString());
            return fd;
        } catch (IOException | RuntimeException e) {
            Descriptors.close(fd);
            throw e;
        }
    }

    private static void echo(Socket socket) throws Exception {
        byte[] message = new byte[ECHO_BYTES];
        Arrays.fill(message, (byte) ProcessHandle.current().pid());
        socket.getOutputStream().write(message);
        InputStream in = socket.getInputStream();
        byte[] back = in.readNBytes(ECHO_BYTES);
        if (!Arrays.equals(message, back) || in.read() != -1) {
            throw new IllegalStateException("echo came back as " + new String(back, StandardCharsets.ISO_8859_1));
        }
        System.out.println("ECHOED");
    }
}
