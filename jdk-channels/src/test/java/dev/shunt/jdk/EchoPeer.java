package dev.shunt.jdk;

import dev.shunt.core.MetricsSnapshot;
import dev.shunt.core.ShuntMetrics;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * A second JVM's side of the two-process tests: an echo server on the JDK's Unix-domain channels, written against the
 * JDK's API only (as an application is), in blocking mode (a thread per connection) or on a {@link Selector}.
 * Whether those channels are Shunt's depends on the JVM's provider. Each connection echoes every byte; at the end of
 * the client's stream it shuts its output down after the last echoed byte, then closes.
 *
 * <p>Arguments: {@code <socket path> blocking|selector}. Prints {@code READY <server channel class>} once listening,
 * and per connection {@code DONE fast=<bool> opened=<fast-path connections opened so far>} when it ends (the
 * server's handshake runs beside {@code accept}, so only then is the route known).
 */
public final class EchoPeer {
    private EchoPeer() {
    }

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[0]);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        System.out.println("READY " + server.getClass().getName());
        if (args[1].equals("blocking")) {
            while (true) {
                SocketChannel channel = server.accept();
                new Thread(() -> echoBlocking(channel)).start();
            }
        }
        echoOnSelector(server);
    }

    private static void echoBlocking(SocketChannel channel) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        try (channel) {
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                channel.write(buffer);
                buffer.clear();
            }
            channel.shutdownOutput();
            report("DONE", channel);
        } catch (IOException e) {
            System.out.println("FAILED " + e);
        }
    }

    private static void echoOnSelector(ServerSocketChannel server) throws IOException {
        Selector selector = Selector.open();
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        while (true) {
            selector.select();
            for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                SelectionKey key = it.next();
                it.remove();
                try {
                    if (key.isAcceptable()) {
                        SocketChannel channel = server.accept();
                        if (channel != null) {
                            channel.configureBlocking(false);
                            channel.register(selector, SelectionKey.OP_READ, new Echo());
                        }
                    } else {
                        ((Echo) key.attachment()).step(key);
                    }
                } catch (IOException e) {
                    System.out.println("FAILED " + e);
                    key.channel().close();
                }
            }
        }
    }

    /** One connection's echo on the selector: read while the buffer has room, write what it holds. */
    private static final class Echo {
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        private boolean ended;

        void step(SelectionKey key) throws IOException {
            SocketChannel channel = (SocketChannel) key.channel();
            if (!ended && buffer.hasRemaining() && channel.read(buffer) < 0) {
                ended = true;
            }
            buffer.flip();
            channel.write(buffer);
            buffer.compact();
            boolean pending = buffer.position() > 0;
            if (ended && !pending) {
                channel.shutdownOutput();
                report("DONE", channel);
                channel.close();
                return;
            }
            key.interestOps((ended || !buffer.hasRemaining() ? 0 : SelectionKey.OP_READ)
                    | (pending ? SelectionKey.OP_WRITE : 0));
        }
    }

    private static void report(String what, SocketChannel channel) {
        boolean shunt = channel.getClass().getName().startsWith("dev.shunt");
        MetricsSnapshot metrics = shunt ? ShuntMetrics.snapshot() : null;
        System.out.println(what + " fast=" + (shunt && ((ShuntSocketChannel) channel).isFastPath())
                + " opened=" + (metrics == null ? 0 : metrics.fastPathConnectionsOpened()));
    }
}
