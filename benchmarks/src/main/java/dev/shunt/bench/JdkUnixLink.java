package dev.shunt.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * The JDK's blocking {@code SocketChannel} on a Unix domain socket: the kernel path, JDK only, or, in JVMs started with
 * {@code shunt-agent.jar}, the same code on Shunt's channels.
 */
final class JdkUnixLink implements Duplex {
    private final SocketChannel channel;
    // One for each direction: the RPC scenario reads and writes from two threads at once.
    private ByteBuffer readBuffer = ByteBuffer.allocateDirect(0);
    private ByteBuffer writeBuffer = ByteBuffer.allocateDirect(0);

    private JdkUnixLink(SocketChannel channel) {
        this.channel = channel;
    }

    static DuplexListener listen(Path dir) throws IOException {
        Path socket = dir.resolve("bench.sock");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        return new DuplexListener(socket.toString(), () -> new JdkUnixLink(server.accept()));
    }

    static DuplexConnector connector(String address) {
        UnixDomainSocketAddress socket = UnixDomainSocketAddress.of(address);
        return () -> {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(socket);
            return new JdkUnixLink(channel);
        };
    }

    /**
     * {@code buffer} if it holds {@code size} bytes, else a larger direct buffer to keep for the next call (heap
     * buffers are copied into a direct one anyway); cleared, limited to {@code size}.
     */
    private static ByteBuffer fit(ByteBuffer buffer, int size) {
        return (buffer.capacity() < size ? ByteBuffer.allocateDirect(size) : buffer).clear().limit(size);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        writeBuffer = fit(writeBuffer, len);
        ByteBuffer out = writeBuffer.put(b, off, len).flip();
        while (out.hasRemaining()) {
            channel.write(out);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        readBuffer = fit(readBuffer, len);
        int n = channel.read(readBuffer);
        if (n > 0) {
            readBuffer.flip().get(b, off, n);
        }
        return n;
    }

    @Override
    public String path() {
        return AgentShunt.path(channel);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
