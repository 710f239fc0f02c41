package dev.shunt.niosuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketDataReadInitialStateTest;
import java.net.SocketAddress;
import java.util.List;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/** Netty's {@link SocketDataReadInitialStateTest} over NIO domain sockets with the agent ({@link NioDomain}). */
@ExtendWith(PathsTaken.class)
class NioDataReadInitialStateTest extends SocketDataReadInitialStateTest {
    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return NioDomain.socket();
    }

    @Override
    protected SocketAddress newSocketAddress() {
        return NioDomain.newAddress();
    }

    /**
     * Excluded, a known difference (docs/jdk-channels.md): the client waits for its first write to complete before
     * it lets the server accept ({@code AUTO_READ} off on the server channel). A kernel socket takes those bytes
     * before any accept; Shunt's client moves nothing until the handshake settles, which needs the accept, so the
     * write fails when the handshake times out ({@code shunt.handshakeTimeoutMillis}). Overriding without
     * {@code @Test} removes it.
     */
    @Override
    public void testAutoReadOffNoDataReadUntilReadCalled(TestInfo testInfo) {
        throw new UnsupportedOperationException("writes before the accept");
    }
}
