package dev.shunt.jdk;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * A second JVM's server that accepts one connection only when told to, as a server with {@code AUTO_READ} off accepts
 * when the application asks: the client has written (and perhaps closed) by then. Written against the JDK's API only;
 * whether its channels are Shunt's depends on the JVM's provider.
 *
 * <p>Arguments: {@code <socket path> read|close}. Prints {@code READY} once listening, then accepts once the file
 * {@code <socket path>.accept} exists. {@code read}: reads to the end of the stream, prints
 * {@code RECEIVED bytes=<n> crc=<CRC-32> fast=<bool>}, closes. {@code close}: closes at once, prints {@code CLOSED}.
 */
public final class LateAcceptPeer {
    private LateAcceptPeer() {
    }

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[0]);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        System.out.println("READY");
        Path go = acceptFile(path);
        while (!Files.exists(go)) {
            Thread.sleep(2);
        }
        try (SocketChannel channel = server.accept()) {
            if (args[1].equals("close")) {
                channel.close();
                System.out.println("CLOSED");
                return;
            }
            System.out.println(received(channel));
        }
    }

    /** @return the file whose creation lets the peer accept */
    static Path acceptFile(Path socket) {
        return Path.of(socket + ".accept");
    }

    /** @return {@code RECEIVED ...} for what the channel reads to its end */
    static String received(SocketChannel channel) throws IOException {
        CRC32 crc = new CRC32();
        long bytes = 0;
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        for (int n; (n = channel.read(buffer.clear())) >= 0; ) {
            crc.update(buffer.array(), 0, n);
            bytes += n;
        }
        boolean fast = channel instanceof ShuntSocketChannel && ((ShuntSocketChannel) channel).isFastPath();
        return "RECEIVED bytes=" + bytes + " crc=" + crc.getValue() + " fast=" + fast;
    }
}
