package dev.shunt.junixsocket;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * The client process of {@link ShortConnectionsTest}, configured by {@code shunt.*} system properties. Each
 * connection goes through {@link ShuntSocket}, echoes seeded bytes through the server, checks them and closes.
 *
 * <pre>
 * ShortConnectionsPeer PATH SHORT LONG_BYTES AFTER
 *   SHORT connections back to back, 64 bytes each             prints SHORT fast|REASON per connection
 *   a pause of 300 ms, then one connection that echoes
 *   LONG_BYTES and stays open 50 ms                            prints LONG fast|REASON
 *   AFTER connections back to back, 64 bytes each              prints AFTER fast|REASON per connection
 * </pre>
 */
public final class ShortConnectionsPeer {
    static final int SHORT_BYTES = 64;
    static final long PAUSE_MILLIS = 300;

    private ShortConnectionsPeer() {
    }

    /** Entry point, see the class comment. */
    public static void main(String[] args) throws Exception {
        AFUNIXSocketAddress address = AFUNIXSocketAddress.of(Path.of(args[0]));
        int shortOnes = Integer.parseInt(args[1]);
        int longBytes = Integer.parseInt(args[2]);
        int after = Integer.parseInt(args[3]);
        Random random = new Random(42);
        for (int i = 0; i < shortOnes; i++) {
            System.out.println("SHORT " + connection(address, SHORT_BYTES, 0, random));
        }
        Thread.sleep(PAUSE_MILLIS);
        System.out.println("LONG " + connection(address, longBytes, 50, random));
        for (int i = 0; i < after; i++) {
            System.out.println("AFTER " + connection(address, SHORT_BYTES, 0, random));
        }
    }

    /** @return "fast", or the fallback reason */
    private static String connection(AFUNIXSocketAddress address, int bytes, long holdMillis, Random random)
            throws IOException, InterruptedException {
        try (ShuntSocket socket = ShuntSocket.connectTo(address)) {
            echo(socket, bytes, random);
            Thread.sleep(holdMillis);
            return socket.isFastPath() ? "fast" : socket.getFallbackReason().name();
        }
    }

    /** Writes {@code bytes} seeded bytes in pieces of at most 64 KiB, each read back before the next. */
    private static void echo(ShuntSocket socket, int bytes, Random random) throws IOException {
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        for (int done = 0; done < bytes; ) {
            byte[] piece = new byte[Math.min(64 * 1024, bytes - done)];
            random.nextBytes(piece);
            out.write(piece);
            byte[] back = in.readNBytes(piece.length);
            if (!Arrays.equals(piece, back)) {
                throw new IOException("echo differs after " + done + " bytes");
            }
            done += piece.length;
        }
    }
}
