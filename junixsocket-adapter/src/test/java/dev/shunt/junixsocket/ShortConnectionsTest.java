package dev.shunt.junixsocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.FallbackReason;
import dev.shunt.core.testing.ChildJvm;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * A client JVM ({@link ShortConnectionsPeer}) that opens connection after connection to a Shunt server, each
 * echoing 64 bytes and closing at once, keeps them on the kernel socket once eight in a row were short
 * ({@code SHORT_CONNECTIONS}), apart from a probe now and then; after a pause its next connection takes the fast
 * path again, and one that carried a megabyte and lived 50 ms gives the next eight the fast path. Every echo is
 * checked byte for byte on both paths, and the server counts as many fast-path connections as the client.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ShortConnectionsTest {
    private static final int SHORT = 48;
    private static final int AFTER = 8;
    private static final int STREAK = 8;

    @TempDir
    Path dir;

    @Test
    void frequentShortConnectionsStayOnTheKernelSocketAndALongOneBringsTheFastPathBack() throws Exception {
        Path socket = dir.resolve("s");
        List<String> served = Collections.synchronizedList(new ArrayList<>());
        try (ShuntServerSocket server = ShuntServerSocket.newInstance(Connection.config(true))) {
            server.bind(AFUNIXSocketAddress.of(socket));
            Thread acceptor = serve(server, served);
            List<String> shortOnes = new ArrayList<>();
            List<String> after = new ArrayList<>();
            String longOne;
            try (ChildJvm client = ChildJvm.start(List.of("shunt.enabled=true"), ShortConnectionsPeer.class,
                    socket.toString(), Integer.toString(SHORT), Integer.toString(1 << 20), Integer.toString(AFTER))) {
                for (int i = 0; i < SHORT; i++) {
                    shortOnes.add(client.expect("SHORT", 60, TimeUnit.SECONDS));
                }
                longOne = client.expect("LONG", 60, TimeUnit.SECONDS);
                for (int i = 0; i < AFTER; i++) {
                    after.add(client.expect("AFTER", 60, TimeUnit.SECONDS));
                }
                assertEquals(0, client.waitFor(60, TimeUnit.SECONDS), client.stderr());
            }
            assertEquals(Collections.nCopies(STREAK, "fast"), shortOnes.subList(0, STREAK),
                    "until eight closed short, every connection tries the fast path");
            List<String> rest = shortOnes.subList(STREAK, SHORT);
            long skipped = rest.stream().filter(FallbackReason.SHORT_CONNECTIONS.name()::equals).count();
            assertEquals(rest.size(), skipped + rest.stream().filter("fast"::equals).count(),
                    "no other fallback: " + rest);
            // 39 of 40 here (one probe), fewer only if the machine stalled a connection past 20 ms or 100 ms.
            assertTrue(skipped >= rest.size() / 2, "most later ones skip the handshake: " + rest);
            assertEquals("fast", longOne, "a connect after a pause tries the fast path");
            assertEquals(Collections.nCopies(AFTER, "fast"), after, "a long connection ended the streak");
            long fast = shortOnes.stream().filter("fast"::equals).count() + 1 + AFTER;
            server.close();
            acceptor.join(10_000);
            assertEquals(SHORT + 1 + AFTER, served.size(), "the server saw every connection: " + served);
            assertEquals(fast, served.stream().filter("fast"::equals).count(), "fast-path connections: " + served);
            assertEquals(SHORT + 1 + AFTER - fast,
                    served.stream().filter(("fallback " + FallbackReason.PEER_NOT_SHUNT)::equals).count(),
                    "a skipped connection reaches the server unmarked: " + served);
        }
    }

    /** Accepts connections until the server socket closes, each echoed on a thread of its own. */
    private static Thread serve(ShuntServerSocket server, List<String> served) {
        Thread thread = new Thread(() -> {
            while (true) {
                ShuntSocket client;
                try {
                    client = server.accept();
                } catch (IOException closed) {
                    return;
                }
                served.add(client.isFastPath() ? "fast" : "fallback " + client.getFallbackReason());
                Thread echo = new Thread(() -> echo(client), "test-echo");
                echo.setDaemon(true);
                echo.start();
            }
        }, "test-server");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void echo(ShuntSocket client) {
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
