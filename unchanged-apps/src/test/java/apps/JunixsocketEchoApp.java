package apps;

import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketFactory;

/**
 * A junixsocket application, as written without Shunt.
 *
 * <p>{@code server <path> <bindOn|newInstance|forceBindOn> <connections> [<soTimeoutMillis>]}: an
 * {@code AFUNIXServerSocket} made the given way echoes each connection on a thread of its own until the client
 * half-closes (or a read times out: prints {@code TIMEOUT}), then closes it; after {@code connections} connections
 * closes the server socket (the last connection may still be starting), waits for the echoes, prints
 * {@code REPORT <shunt>} and exits ({@code forceBindOn}: then {@code bind} to another address, which the forced one
 * replaces).
 *
 * <p>{@code client <path> <bytes> <style>...}: one connection per style ({@code connectTo},
 * {@code newInstance} (Jedis's way: {@code newInstance()}, {@code setSoTimeout}, {@code connect(address, timeout)}),
 * {@code factoryArg} (the PostgreSQL driver's way: {@code AFUNIXSocketFactory.FactoryArg.createSocket()} then
 * {@code connect} to {@code localhost}), {@code systemProperty}, {@code uriScheme}; {@code channelIO}:
 * {@code connectTo}, then the socket's channel carries the bytes), each 200 round trips of 32
 * bytes, then {@code bytes} pseudo-random bytes written by one thread and read back by another, then a half-close
 * and the server's end of stream, then whether the socket takes a descriptor to pass; prints
 * {@code REPORT <shunt> crc=<ok|style:sent/received> fds=<accepted|refused>} (of the last connection).
 */
public final class JunixsocketEchoApp {
    private JunixsocketEchoApp() {
    }

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[1]);
        if (args[0].equals("server")) {
            server(path, args[2], Integer.parseInt(args[3]), args.length > 4 ? Integer.parseInt(args[4]) : 0);
        } else {
            client(path, Long.parseLong(args[2]), Arrays.copyOfRange(args, 3, args.length));
        }
    }

    private static AFUNIXServerSocket bind(Path path, String style) throws IOException {
        AFUNIXSocketAddress address = AFUNIXSocketAddress.of(path);
        switch (style) {
            case "bindOn":
                return AFUNIXServerSocket.bindOn(address);
            case "newInstance":
                AFUNIXServerSocket server = AFUNIXServerSocket.newInstance();
                server.bind(address);
                return server;
            case "forceBindOn":
                AFUNIXServerSocket forced = AFUNIXServerSocket.forceBindOn(address);
                forced.bind(AFUNIXSocketAddress.of(path.resolveSibling("requested.sock")));
                return forced;
            default:
                throw new IllegalArgumentException(style);
        }
    }

    private static void server(Path path, String style, int connections, int soTimeoutMillis) throws Exception {
        List<Thread> echoes = new ArrayList<>();
        try (AFUNIXServerSocket server = bind(path, style)) {
            System.out.println("READY");
            for (int i = 0; i < connections; i++) {
                AFUNIXSocket socket = server.accept();
                socket.setSoTimeout(soTimeoutMillis);
                Thread echo = new Thread(() -> echo(socket));
                echo.start();
                echoes.add(echo);
            }
        }
        for (Thread echo : echoes) {
            echo.join();
        }
        System.out.println("REPORT " + Report.shunt());
    }

    private static void echo(AFUNIXSocket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            System.out.println("TIMEOUT");
        } catch (IOException e) {
            e.printStackTrace();
        }
    }

    private static Socket connect(Path path, String style) throws IOException {
        switch (style) {
            case "connectTo":
            case "channelIO":
                return AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(path));
            case "newInstance":
                AFUNIXSocket socket = AFUNIXSocket.newInstance();
                socket.setSoTimeout(60_000);
                socket.connect(AFUNIXSocketAddress.of(path), 10_000);
                return socket;
            case "factoryArg":
                Socket created = new AFUNIXSocketFactory.FactoryArg(path.toString()).createSocket();
                created.connect(new InetSocketAddress("localhost", 5432), 10_000);
                return created;
            case "systemProperty":
                System.setProperty("org.newsclub.net.unix.socket.default", path.toString());
                return new AFUNIXSocketFactory.SystemProperty().createSocket("localhost", 0);
            case "uriScheme":
                return new AFUNIXSocketFactory.URIScheme().createSocket(path.toUri().toString(), 0);
            default:
                throw new IllegalArgumentException(style);
        }
    }

    private static void client(Path path, long bytes, String[] styles) throws Exception {
        StringBuilder crc = new StringBuilder();
        String descriptors = "";
        for (String style : styles) {
            try (Socket socket = connect(path, style)) {
                SocketChannel channel = ((AFUNIXSocket) socket).getChannel();
                String outcome = style.equals("channelIO")
                        ? exchange(socket, reading(channel), writing(channel), bytes)
                        : exchange(socket, socket.getInputStream(), socket.getOutputStream(), bytes);
                if (!outcome.equals("ok")) {
                    crc.append(crc.length() == 0 ? "" : ",").append(style).append(':').append(outcome);
                }
                descriptors = passDescriptor((AFUNIXSocket) socket);
            }
        }
        System.out.println("REPORT " + Report.shunt() + " crc=" + (crc.length() == 0 ? "ok" : crc) + " fds="
                + descriptors);
    }

    /**
     * The channel's reads as a stream. Not {@code Channels.newInputStream}: its reads and its output stream's writes
     * hold the channel's blocking lock, so a reader waiting for the echo would hold up the writer.
     */
    private static InputStream reading(SocketChannel channel) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return channel.read(ByteBuffer.wrap(b, off, len));
            }
        };
    }

    /** The channel's writes as a stream. */
    private static OutputStream writing(SocketChannel channel) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                for (ByteBuffer buffer = ByteBuffer.wrap(b, off, len); buffer.hasRemaining(); ) {
                    channel.write(buffer);
                }
            }
        };
    }

    /** @return whether the socket takes a descriptor to pass with its next write: "accepted" or "refused" */
    private static String passDescriptor(AFUNIXSocket socket) {
        try {
            socket.setOutboundFileDescriptors(FileDescriptor.in);
            return "accepted";
        } catch (IOException e) {
            return "refused";
        }
    }

    /** @return "ok", or what went wrong */
    private static String exchange(Socket socket, InputStream in, OutputStream out, long bytes) throws Exception {
        byte[] message = new byte[32];
        for (int i = 0; i < 200; i++) {
            message[0] = (byte) i;
            out.write(message);
            byte[] back = in.readNBytes(32);
            if (!Arrays.equals(message, back)) {
                return "round trip " + i;
            }
        }
        CRC32 sent = new CRC32();
        Thread writer = new Thread(() -> {
            try {
                Random random = new Random(bytes);
                byte[] chunk = new byte[50_000];
                for (long left = bytes; left > 0; ) {
                    int n = (int) Math.min(left, chunk.length);
                    random.nextBytes(chunk);
                    sent.update(chunk, 0, n);
                    out.write(chunk, 0, n);
                    left -= n;
                }
                // Through the channel: on JDK 25, java.net.Socket.shutdownOutput() of an AFUNIXSocket fails with
                // "Socket is not connected" (junixsocket 2.11.1).
                ((AFUNIXSocket) socket).getChannel().shutdownOutput();
            } catch (IOException e) {
                e.printStackTrace();
            }
        });
        writer.start();
        CRC32 received = new CRC32();
        long total = 0;
        byte[] buffer = new byte[30_000];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            received.update(buffer, 0, n);
            total += n;
        }
        writer.join();
        return total == bytes && received.getValue() == sent.getValue() ? "ok"
                : sent.getValue() + "/" + received.getValue() + " after " + total + " bytes";
    }
}
