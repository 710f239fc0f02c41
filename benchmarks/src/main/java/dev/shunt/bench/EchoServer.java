package dev.shunt.bench;

import java.nio.file.Path;

/**
 * The server JVM of a round-trip measurement: accepts one connection and echoes fixed-size messages until
 * the client closes.
 *
 * <pre>EchoServer TRANSPORT SOCKET_PATH MESSAGE_BYTES</pre>
 * Prints {@code READY} once listening.
 */
public final class EchoServer {
    private EchoServer() {
    }

    /** Entry point, see the class comment. */
    public static void main(String[] args) throws Exception {
        Transport transport = Transport.parse(args[0]);
        Path socket = Path.of(args[1]);
        byte[] message = new byte[Integer.parseInt(args[2])];
        try (Connection connection = Connection.accept(transport, socket, () -> {
            System.out.println("READY");
            System.out.flush();
        })) {
            while (true) {
                try {
                    connection.readFully(message);
                } catch (java.io.EOFException e) {
                    return;
                }
                connection.writeFully(message);
            }
        }
    }
}
