package apps;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * A Redis application on a Unix socket, whose socket is made the way Jedis's documentation has a
 * {@code JedisSocketFactory} make it ({@code AFUNIXSocket.newInstance()}, {@code setSoTimeout},
 * {@code connect(AFUNIXSocketAddress, timeout)}), speaking RESP as a client library does. {@code <socket file>
 * <keys>}: SET and GET of that many keys (pipelined), of a 1 MiB value, then DEL; prints
 * {@code REPORT <shunt> redis=<ok|what differed>}.
 */
public final class RedisJunixsocketApp {
    private RedisJunixsocketApp() {
    }

    public static void main(String[] args) throws Exception {
        int keys = Integer.parseInt(args[1]);
        String outcome = "ok";
        try (AFUNIXSocket socket = AFUNIXSocket.newInstance()) {
            socket.setSoTimeout(60_000);
            socket.connect(AFUNIXSocketAddress.of(Path.of(args[0])), 10_000);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
            InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            String prefix = "unchanged:" + ProcessHandle.current().pid() + ":";
            for (int i = 0; i < keys; i++) {
                command(out, bytes("SET"), bytes(prefix + i), bytes("value-" + i));
            }
            out.flush();
            for (int i = 0; i < keys; i++) {
                if (!line(in).equals("+OK")) {
                    outcome = "SET " + i;
                }
            }
            for (int i = 0; i < keys; i++) {
                command(out, bytes("GET"), bytes(prefix + i));
            }
            out.flush();
            for (int i = 0; i < keys; i++) {
                if (!Arrays.equals(bytes("value-" + i), bulk(in))) {
                    outcome = "GET " + i;
                }
            }
            byte[] big = new byte[1 << 20];
            new Random(keys).nextBytes(big);
            command(out, bytes("SET"), bytes(prefix + "big"), big);
            command(out, bytes("GET"), bytes(prefix + "big"));
            out.flush();
            if (!line(in).equals("+OK") || !Arrays.equals(big, bulk(in))) {
                outcome = "1 MiB value";
            }
            byte[][] del = new byte[keys + 2][];
            del[0] = bytes("DEL");
            for (int i = 0; i < keys; i++) {
                del[i + 1] = bytes(prefix + i);
            }
            del[keys + 1] = bytes(prefix + "big");
            command(out, del);
            out.flush();
            if (!line(in).equals(":" + (keys + 1))) {
                outcome = "DEL";
            }
        }
        System.out.println("REPORT " + Report.shunt() + " redis=" + outcome);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void command(OutputStream out, byte[]... args) throws IOException {
        out.write(bytes("*" + args.length + "\r\n"));
        for (byte[] arg : args) {
            out.write(bytes("$" + arg.length + "\r\n"));
            out.write(arg);
            out.write(bytes("\r\n"));
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\r'; ) {
            if (b < 0) {
                throw new EOFException("connection closed mid-reply");
            }
            line.write(b);
        }
        if (in.read() != '\n') {
            throw new IOException("malformed reply line");
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    private static byte[] bulk(InputStream in) throws IOException {
        String header = line(in);
        if (header.charAt(0) != '$') {
            throw new IOException("not a bulk reply: " + header);
        }
        byte[] value = in.readNBytes(Integer.parseInt(header.substring(1)));
        if (in.read() != '\r' || in.read() != '\n') {
            throw new IOException("malformed bulk reply");
        }
        return value;
    }
}
