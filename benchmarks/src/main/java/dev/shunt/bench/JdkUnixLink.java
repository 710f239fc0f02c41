package dev.shunt.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/** The JDK's blocking {@code SocketChannel} on a Unix domain socket: the kernel path, JDK only. */
final class JdkUnixLink implements Duplex {
    private final SocketChannel channel;
    private ByteBuffer buffer = ByteBuffer.allocateDirect(0);

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

    /** A direct buffer of at least {@code size} bytes, kept for the next call: heap buffers are copied anyway. */
    private ByteBuffer buffer(int size) {
        if (buffer.capacity() < size) {
            buffer = ByteBuffer.allocateDirect(size);
        }
        return buffer.clear().limit(size);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer out = buffer(len).put(b, off, len).flip();
        while (out.hasRemaining()) {
            channel.write(out);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        ByteBuffer in = buffer(len);
        int n = channel.read(in);
        if (n > 0) {
            in.flip().get(b, off, n);
        }
        return n;
    }

    @Override
    public String path() {
        return "kernel socket";
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
