package dev.shunt.junixsocket;

import dev.shunt.core.MetricsSnapshot;
import dev.shunt.core.ShuntMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * One end of {@link TwoJvmTest}, configured by {@code shunt.*} system properties and using only the public API.
 *
 * <pre>
 * TwoJvmPeer server PATH MESSAGES BYTES   bind, print READY, accept one connection, echo, raw, bulk
 * TwoJvmPeer client PATH MESSAGES BYTES   connect, time MESSAGES 32-byte round trips, raw, bulk
 * raw:  the client writes BYTES (no checksum), the server reads them and answers one byte; the client times it
 * bulk: both ends write BYTES of seeded data and read what the other writes, at the same time, with CRC32s
 * </pre>
 * Prints {@code HANDSHAKE fast|fallback <reason>}, {@code ECHO p50=<us> p99=<us>} and {@code RAW <seconds>}
 * (client), {@code SENT <bytes> <crc>}, {@code RECEIVED <bytes> <crc>}, {@code BULK <seconds>} and
 * {@code METRICS in=<bytes> out=<bytes>}.
 */
public final class TwoJvmPeer {
    static final int MESSAGE = 32;
    static final int WARM_UP = 5_000;

    private TwoJvmPeer() {
    }

    /** Entry point, see the class comment. */
    public static void main(String[] args) throws Exception {
        boolean server = args[0].equals("server");
        AFUNIXSocketAddress address = AFUNIXSocketAddress.of(Path.of(args[1]));
        int messages = Integer.parseInt(args[2]);
        long bytes = Long.parseLong(args[3]);
        ShuntSocket socket;
        if (server) {
            try (ShuntServerSocket listener = ShuntServerSocket.bindOn(address)) {
                System.out.println("READY");
                socket = listener.accept();
            }
        } else {
            socket = ShuntSocket.connectTo(address);
        }
        System.out.println("HANDSHAKE " + (socket.isFastPath() ? "fast" : "fallback " + socket.getFallbackReason()));
        try (socket) {
            if (server) {
                echo(socket, WARM_UP + messages);
                sink(socket, bytes);
            } else {
                roundTrips(socket, WARM_UP);
                long[] nanos = roundTrips(socket, messages);
                Arrays.sort(nanos);
                System.out.printf("ECHO p50=%.2f p99=%.2f%n", nanos[nanos.length / 2] / 1e3,
                        nanos[(int) (nanos.length * 0.99)] / 1e3);
                source(socket, bytes);
            }
            bulk(socket, bytes, server ? 1 : 2);
        }
        MetricsSnapshot m = ShuntMetrics.snapshot();
        System.out.println("METRICS in=" + m.fastPathBytesIn() + " out=" + m.fastPathBytesOut());
    }

    private static void echo(Socket socket, int messages) throws IOException {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        byte[] buf = new byte[MESSAGE];
        for (int i = 0; i < messages; i++) {
            if (in.readNBytes(buf, 0, MESSAGE) != MESSAGE) {
                throw new IOException("stream ended during the echo");
            }
            out.write(buf);
        }
    }

    private static long[] roundTrips(Socket socket, int messages) throws IOException {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        byte[] message = new byte[MESSAGE];
        byte[] reply = new byte[MESSAGE];
        long[] nanos = new long[messages];
        for (int i = 0; i < messages; i++) {
            message[0] = (byte) i;
            long start = System.nanoTime();
            out.write(message);
            if (in.readNBytes(reply, 0, MESSAGE) != MESSAGE || reply[0] != message[0]) {
                throw new IOException("bad echo");
            }
            nanos[i] = System.nanoTime() - start;
        }
        return nanos;
    }

    /** Writes {@code bytes} from one buffer and waits for the server's one-byte answer. */
    private static void source(Socket socket, long bytes) throws IOException {
        byte[] chunk = new byte[128 * 1024];
        new Random(3).nextBytes(chunk);
        OutputStream out = socket.getOutputStream();
        long start = System.nanoTime();
        for (long left = bytes; left > 0; left -= chunk.length) {
            out.write(chunk, 0, (int) Math.min(left, chunk.length));
        }
        if (socket.getInputStream().read() != 1) {
            throw new IOException("no answer after the raw transfer");
        }
        System.out.printf("RAW %.3f%n", (System.nanoTime() - start) / 1e9);
    }

    /** Reads exactly {@code bytes} and answers one byte. */
    private static void sink(Socket socket, long bytes) throws IOException {
        byte[] buf = new byte[256 * 1024];
        InputStream in = socket.getInputStream();
        for (long left = bytes; left > 0; ) {
            int n = in.read(buf, 0, (int) Math.min(left, buf.length));
            if (n < 0) {
                throw new IOException("stream ended during the raw transfer");
            }
            left -= n;
        }
        socket.getOutputStream().write(1);
    }

    private static void bulk(Socket socket, long bytes, long seed) throws Exception {
        long start = System.nanoTime();
        CompletableFuture<Long> sent = CompletableFuture.supplyAsync(() -> {
            try {
                return writeSeeded(socket, bytes, seed);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        CRC32 crc = new CRC32();
        byte[] buf = new byte[256 * 1024];
        long received = 0;
        InputStream in = socket.getInputStream();
        for (int n; (n = in.read(buf)) > 0; ) {
            crc.update(buf, 0, n);
            received += n;
        }
        long sentCrc = sent.get();
        System.out.println("SENT " + bytes + " " + sentCrc);
        System.out.println("RECEIVED " + received + " " + crc.getValue());
        System.out.printf("BULK %.3f%n", (System.nanoTime() - start) / 1e9);
    }

    private static long writeSeeded(Socket socket, long bytes, long seed) throws IOException {
        byte[] pattern = new byte[1 << 20];
        new Random(seed).nextBytes(pattern);
        OutputStream out = socket.getOutputStream();
        CRC32 crc = new CRC32();
        long left = bytes;
        int at = 0;
        while (left > 0) {
            int n = (int) Math.min(left, 128 * 1024);
            int first = Math.min(n, pattern.length - at);
            out.write(pattern, at, first);
            crc.update(pattern, at, first);
            if (first < n) {
                out.write(pattern, 0, n - first);
                crc.update(pattern, 0, n - first);
            }
            at = (at + n + 4099) & (pattern.length - 1);
            left -= n;
        }
        socket.shutdownOutput();
        return crc.getValue();
    }
}
