package dev.shunt.bench;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Endpoints of a transport used through blocking calls ({@link Duplex}): one server thread serves connections
 * one after another, as the client opens them; the client drives each scenario in a plain loop.
 */
final class DuplexEndpoints implements Endpoints {
    /** Opens a transport's listener in a directory. */
    interface Listen {
        DuplexListener listen(Path dir) throws IOException;
    }

    /** Opens a transport's connector to an address. */
    interface Connect {
        DuplexConnector connect(String address) throws IOException;
    }

    private final Listen listen;
    private final Connect connect;

    DuplexEndpoints(Listen listen, Connect connect) {
        this.listen = listen;
        this.connect = connect;
    }

    @Override
    public String serve(Path dir) throws IOException {
        DuplexListener listener = listen.listen(dir);
        Thread server = new Thread(() -> acceptLoop(listener), "bench-server");
        server.setDaemon(true);
        server.start();
        return listener.address();
    }

    private static void acceptLoop(DuplexListener listener) {
        while (true) {
            try (Duplex connection = listener.acceptor().accept()) {
                serve(connection);
            } catch (IOException | RuntimeException e) {
                System.err.println("bench-server: connection failed: " + e);
            }
        }
    }

    /** Answers one connection as its {@link Wire} header asks, until the client closes it. */
    private static void serve(Duplex connection) throws IOException {
        byte[] header = new byte[Wire.HEADER_BYTES];
        if (!connection.readFully(header, 0, header.length)) {
            return; // the connection scenario closes without a word
        }
        byte[] buffer = new byte[Wire.size(header)];
        if (Wire.mode(header) == Wire.ECHO) {
            for (int n; (n = connection.read(buffer, 0, buffer.length)) > 0; ) {
                connection.write(buffer, 0, n);
            }
        } else {
            byte[] ack = {Wire.ACK};
            while (connection.readFully(buffer, 0, buffer.length)) {
                if (buffer[0] == Wire.LAST) {
                    connection.write(ack, 0, 1);
                }
            }
        }
    }

    @Override
    public ClientSide client(String address) throws IOException {
        return new Client(connect.connect(address));
    }

    /** The client side: each scenario is a plain loop of blocking calls. */
    private static final class Client implements ClientSide {
        private final DuplexConnector connector;

        Client(DuplexConnector connector) {
            this.connector = connector;
        }

        @Override
        public String roundTrips(int size, RoundTrips trips) throws IOException {
            try (Duplex connection = connector.connect()) {
                byte[] header = Wire.header(Wire.ECHO, size);
                connection.write(header, 0, header.length);
                byte[] message = new byte[size];
                for (long t; (t = trips.next()) >= 0; ) {
                    connection.write(message, 0, size);
                    if (!connection.readFully(message, 0, size)) {
                        throw new IOException("the server closed the connection");
                    }
                    trips.replied(t);
                }
                return connection.path();
            }
        }

        @Override
        public String stream(int size, StreamRun run) throws IOException {
            try (Duplex connection = connector.connect()) {
                byte[] header = Wire.header(Wire.SINK, size);
                connection.write(header, 0, header.length);
                byte[] chunk = new byte[size];
                do {
                    do {
                        chunk[0] = run.nextChunk();
                        connection.write(chunk, 0, size);
                    } while (chunk[0] != Wire.LAST);
                    if (!connection.readFully(chunk, 0, 1)) {
                        throw new IOException("the server closed the connection");
                    }
                } while (run.acknowledged());
                return connection.path();
            }
        }

        @Override
        public String connections(RoundTrips trips) throws IOException {
            String path = "none";
            for (long t; (t = trips.next()) >= 0; ) {
                try (Duplex connection = connector.connect()) {
                    trips.replied(t);
                    path = connection.path();
                }
            }
            return path;
        }
    }
}
