package dev.shunt.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Endpoints of a transport used through blocking calls ({@link Duplex}): one server thread serves connections
 * one after another, as the client opens them; the client drives each scenario in a plain loop. In the RPC
 * scenario the server thread hands each request to an executor thread that writes the reply, and the client
 * has a reader thread that completes each call's future.
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
        switch (Wire.mode(header)) {
            case Wire.ECHO -> {
                for (int n; (n = connection.read(buffer, 0, buffer.length)) > 0; ) {
                    connection.write(buffer, 0, n);
                }
            }
            case Wire.SINK -> {
                byte[] ack = {Wire.ACK};
                while (connection.readFully(buffer, 0, buffer.length)) {
                    if (buffer[0] == Wire.LAST) {
                        connection.write(ack, 0, 1);
                    }
                }
            }
            case Wire.RPC -> answerCalls(connection, buffer);
            default -> throw new IOException("unknown mode " + Wire.mode(header));
        }
    }

    /**
     * RPC: this thread reads each request and hands it to an executor thread, which writes it back as the
     * reply. One call is outstanding at a time, so the next request, read into the same buffer, cannot arrive
     * before the reply to this one is out.
     */
    private static void answerCalls(Duplex connection, byte[] request) throws IOException {
        ExecutorService handler = HandlerExecutor.start("bench-rpc-handler");
        Runnable reply = () -> {
            try {
                connection.write(request, 0, request.length);
            } catch (IOException e) {
                System.err.println("bench-server: RPC reply failed: " + e);
                closeQuietly(connection); // the client's reader sees the end instead of waiting for ever
            }
        };
        try {
            boolean last = false;
            while (!last && connection.readFully(request, 0, request.length)) {
                last = request[0] == Wire.LAST;
                handler.execute(reply);
            }
        } finally {
            handler.shutdown();
            try {
                handler.awaitTermination(10, TimeUnit.SECONDS); // the last reply goes out before the close
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void closeQuietly(Duplex connection) {
        try {
            connection.close();
        } catch (IOException e) {
            // closing is all that is left to do
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
        public String rpc(int size, RoundTrips trips) throws Exception {
            try (Duplex connection = connector.connect()) {
                byte[] header = Wire.header(Wire.RPC, size);
                connection.write(header, 0, header.length);
                PendingCall calls = new PendingCall();
                Thread reader = new Thread(() -> readReplies(connection, size, calls), "bench-rpc-reader");
                reader.setDaemon(true);
                reader.start();
                byte[] request = new byte[size];
                for (long t; (t = trips.next()) >= 0; ) {
                    call(connection, request, calls);
                    trips.replied(t);
                }
                request[0] = Wire.LAST;
                call(connection, request, calls);
                reader.join();
                return connection.path();
            }
        }

        private static void call(Duplex connection, byte[] request, PendingCall calls) throws Exception {
            CompletableFuture<Void> call = calls.expect();
            connection.write(request, 0, request.length);
            PendingCall.await(call);
        }

        /** The client's reading thread: completes each call as its reply arrives, up to the reply to the last. */
        private static void readReplies(Duplex connection, int size, PendingCall calls) {
            byte[] reply = new byte[size];
            try {
                do {
                    if (!connection.readFully(reply, 0, size)) {
                        throw new IOException("the server closed the connection");
                    }
                    calls.complete();
                } while (reply[0] != Wire.LAST);
            } catch (IOException e) {
                calls.fail(e);
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
            PathTally paths = new PathTally();
            for (long t; (t = trips.next()) >= 0; ) {
                try (Duplex connection = connector.connect()) {
                    trips.replied(t);
                    paths.add(connection.path());
                }
            }
            return paths.toString();
        }
    }
}
