package dev.shunt.junixsocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.shunt.core.FallbackReason;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * A real Redis server, which knows nothing of Shunt, spoken to in RESP through a {@link ShuntSocket} with the
 * fast path enabled: the connection falls back to the kernel socket and every reply arrives intact.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RedisRespTest {
    private static final int KEYS = 10_000;

    @Test
    void setAndGetTenThousandKeysAndAOneMebibyteValue() throws Exception {
        AFUNIXSocketAddress address = AFUNIXSocketAddress.of(ExternalPeers.redisSocket());
        try (ShuntSocket socket = ShuntSocket.newInstance(Connection.config(true))) {
            socket.connect(address);
            assertFalse(socket.isFastPath());
            assertEquals(FallbackReason.PEER_NOT_SHUNT, socket.getFallbackReason());
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
            InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            String prefix = "shunt:" + ProcessHandle.current().pid() + ":";

            for (int i = 0; i < KEYS; i++) {
                command(out, "SET", prefix + i, "value-" + i);
            }
            out.flush();
            for (int i = 0; i < KEYS; i++) {
                assertEquals("+OK", line(in));
            }
            for (int i = 0; i < KEYS; i++) {
                command(out, "GET", prefix + i);
            }
            out.flush();
            for (int i = 0; i < KEYS; i++) {
                assertArrayEquals(("value-" + i).getBytes(StandardCharsets.UTF_8), bulk(in), "key " + i);
            }

            byte[] big = SocketSemanticsTest.pattern(1 << 20, 99);
            command(out, "SET".getBytes(StandardCharsets.UTF_8), (prefix + "big").getBytes(StandardCharsets.UTF_8), big);
            out.flush();
            assertEquals("+OK", line(in));
            command(out, "GET", prefix + "big");
            out.flush();
            assertArrayEquals(big, bulk(in));

            String[] del = new String[KEYS + 2];
            del[0] = "DEL";
            for (int i = 0; i < KEYS; i++) {
                del[i + 1] = prefix + i;
            }
            del[KEYS + 1] = prefix + "big";
            command(out, del);
            out.flush();
            assertEquals(":" + (KEYS + 1), line(in));
        }
    }

    private static void command(OutputStream out, String... args) throws IOException {
        byte[][] raw = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            raw[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        command(out, raw);
    }

    private static void command(OutputStream out, byte[]... args) throws IOException {
        out.write(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] arg : args) {
            out.write(("$" + arg.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(arg);
            out.write('\r');
            out.write('\n');
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed mid-reply");
            }
            if (b == '\r') {
                if (in.read() != '\n') {
                    throw new IOException("malformed reply line");
                }
                return buf.toString(StandardCharsets.UTF_8);
            }
            buf.write(b);
        }
    }

    private static byte[] bulk(InputStream in) throws IOException {
        String header = line(in);
        if (!header.startsWith("$")) {
            throw new IOException("expected a bulk reply, got " + header);
        }
        byte[] value = in.readNBytes(Integer.parseInt(header.substring(1)));
        if (!line(in).isEmpty()) {
            throw new IOException("bulk reply not terminated by CRLF");
        }
        return value;
    }
}
