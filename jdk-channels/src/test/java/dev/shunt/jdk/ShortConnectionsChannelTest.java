package dev.shunt.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.shunt.core.FallbackReason;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.testing.ChildJvm;
import dev.shunt.core.testing.TestProtection;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short-connection rule on the JDK channels, whose {@code connect} returns before the handshake settles: a client
 * that closes each connection before the server's offer can arrive (the server, a {@link LateAcceptPeer} in another
 * JVM, never accepts) counts each as short, so that the next frequent connection skips the handshake, as it does for
 * connections that reached the fast path and closed at once. Such clients used to make a handshake on every
 * connection: with the offer always late, none ever counted.
 */
class ShortConnectionsChannelTest {
    private static final ShuntConfig CONFIG = TestProtection.fastPath(1 << 20, 50_000, 5_000);
    /** The core's streak of short connections after which a frequent one skips the handshake. */
    private static final int STREAK = 8;

    @TempDir
    Path dir;

    @Test
    void connectionsClosedBeforeTheOfferCameMakeTheNextOneSkipTheHandshake() throws Exception {
        Path socket = dir.resolve("s");
        ShuntSelectorProvider provider = new ShuntSelectorProvider(CONFIG);
        try (ChildJvm server = JdkChildren.start(true, List.of(), LateAcceptPeer.class, socket.toString(), "close")) {
            server.expect("READY", 30, TimeUnit.SECONDS);
            for (int i = 0; i < STREAK; i++) {
                try (SocketChannel channel = connect(provider, socket)) {
                    assertNull(((ShuntSocketChannel) channel).fallbackReason(), "connection " + i + " attempts");
                    assertFalse(((ShuntSocketChannel) channel).isFastPath(), "the server has not accepted");
                }
            }
            try (SocketChannel channel = connect(provider, socket)) {
                assertEquals(FallbackReason.SHORT_CONNECTIONS, ((ShuntSocketChannel) channel).fallbackReason());
            }
        }
    }

    private static SocketChannel connect(ShuntSelectorProvider provider, Path socket) throws Exception {
        SocketChannel channel = provider.openSocketChannel(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        return channel;
    }
}
