package dev.shunt.junixsocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.ShuntConfig;
import dev.shunt.core.testing.TestProtection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * The factory variants take their arguments as junixsocket's namesakes do and hand out fast-path sockets when
 * {@code shunt.enabled=true} is set as a system property (the only way a program that names a factory class
 * configures it).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShuntSocketFactoryTest {
    private static final String SOCKET_DEFAULT = "org.newsclub.net.unix.socket.default";

    @TempDir
    Path dir;
    private Path socket;
    private ShuntServerSocket server;

    @BeforeEach
    void listen() throws Exception {
        System.setProperty(ShuntConfig.ENABLED, "true");
        System.setProperty(ShuntConfig.MPK, TestProtection.MODE.propertyValue());
        socket = dir.resolve("s");
        server = ShuntServerSocket.newInstance(Connection.config(true));
        server.bind(AFUNIXSocketAddress.of(socket));
    }

    @AfterEach
    void stop() throws Exception {
        System.clearProperty(ShuntConfig.ENABLED);
        System.clearProperty(ShuntConfig.MPK);
        System.clearProperty(SOCKET_DEFAULT);
        server.close();
    }

    @Test
    void factoryArgConnectsLocalhostToItsArgumentTheWayJdbcDriversCallIt() throws Exception {
        SocketFactory factory = new ShuntSocketFactory.FactoryArg(socket.toString());
        Socket s = factory.createSocket();
        assertTrue(s instanceof ShuntSocket);
        assertFastPathEcho(() -> {
            s.connect(new InetSocketAddress("localhost", 5432), 1000);
            return s;
        });
        assertFastPathEcho(() -> factory.createSocket("localhost", 5432));
        assertFastPathEcho(() -> new ShuntSocketFactory.FactoryArg(socket.toFile()).createSocket("localhost", 1));
        assertThrows(SocketException.class, () -> factory.createSocket("elsewhere", 5432));
    }

    @Test
    void systemPropertyNamesTheSocketLikeJunixsocket() throws Exception {
        System.setProperty(SOCKET_DEFAULT, socket.toString());
        SocketFactory factory = new ShuntSocketFactory.SystemProperty();
        assertFastPathEcho(() -> factory.createSocket("localhost", 0));
    }

    @Test
    void uriSchemeTakesFileUrisAsHostNames() throws Exception {
        ShuntSocketFactory factory = new ShuntSocketFactory.URIScheme();
        String uri = "file://" + socket;
        assertTrue(factory.isHostnameSupported(uri));
        assertFalse(factory.isHostnameSupported("localhost"));
        assertFastPathEcho(() -> factory.createSocket(uri, 0));
        String encoded = "[" + URLEncoder.encode(uri, StandardCharsets.UTF_8);
        assertFastPathEcho(() -> factory.createSocket(encoded, 0));
    }

    @Test
    void withShuntDisabledTheFactoryStillConnectsOnTheKernelSocket() throws Exception {
        System.setProperty(ShuntConfig.ENABLED, "false");
        CompletableFuture<ShuntSocket> accepted = acceptOne();
        try (Socket s = new ShuntSocketFactory.FactoryArg(socket.toString()).createSocket("localhost", 0);
                ShuntSocket served = accepted.get(10, TimeUnit.SECONDS)) {
            assertFalse(((ShuntSocket) s).isFastPath());
            assertFalse(served.isFastPath());
            echo(s, served);
        }
    }

    private interface Connect {
        Socket connect() throws Exception;
    }

    private void assertFastPathEcho(Connect connect) throws Exception {
        CompletableFuture<ShuntSocket> accepted = acceptOne();
        try (Socket s = connect.connect(); ShuntSocket served = accepted.get(10, TimeUnit.SECONDS)) {
            assertTrue(((ShuntSocket) s).isFastPath());
            assertTrue(served.isFastPath());
            echo(s, served);
        }
    }

    private static void echo(Socket client, Socket served) throws Exception {
        client.getOutputStream().write(77);
        assertEquals(77, served.getInputStream().read());
    }

    private CompletableFuture<ShuntSocket> acceptOne() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return server.accept();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }
}
