package dev.shunt.bench;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * The side channel from the client JVM to the server JVM, a JDK Unix socket apart from the measured
 * connections. The client asks for the server's {@link Counters} (one byte, three longs back) at the edges of
 * each measured phase; when the client closes it, the server JVM exits.
 */
final class Control implements AutoCloseable {
    private static final int COUNTERS = 'C';

    private final SocketChannel channel;
    private final DataInputStream in;
    private final DataOutputStream out;

    private Control(SocketChannel channel) {
        this.channel = channel;
        this.in = new DataInputStream(Channels.newInputStream(channel));
        this.out = new DataOutputStream(Channels.newOutputStream(channel));
    }

    /** Client JVM: connects to the server JVM's control socket. */
    static Control connect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        return new Control(channel);
    }

    /** The server JVM's counters now. */
    Counters serverCounters() throws IOException {
        out.write(COUNTERS);
        out.flush();
        return new Counters(in.readLong(), in.readLong(), in.readLong());
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** Server JVM: binds the control socket; {@link Listener#serve} then answers the one client. */
    static Listener listen(Path socket) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        return new Listener(server);
    }

    /** The server JVM's end. */
    static final class Listener {
        private final ServerSocketChannel server;

        private Listener(ServerSocketChannel server) {
            this.server = server;
        }

        /** Accepts the client JVM and answers it until it closes the control socket. */
        void serve() throws IOException {
            try (server; Control client = new Control(server.accept())) {
                while (true) {
                    int command;
                    try {
                        command = client.in.readUnsignedByte();
                    } catch (EOFException e) {
                        return;
                    }
                    if (command != COUNTERS) {
                        throw new IOException("unknown control command " + command);
                    }
                    Counters now = Counters.local();
                    client.out.writeLong(now.cpuNanos());
                    client.out.writeLong(now.signals());
                    client.out.writeLong(now.parks());
                    client.out.flush();
                }
            }
        }
    }
}
