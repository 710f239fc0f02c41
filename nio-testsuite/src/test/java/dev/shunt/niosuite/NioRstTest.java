package dev.shunt.niosuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketRstTest;
import java.net.SocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/** Netty's {@link SocketRstTest} over NIO domain sockets with the agent ({@link NioDomain}). */
@ExtendWith(PathsTaken.class)
class NioRstTest extends SocketRstTest {
    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return NioDomain.socket();
    }

    @Override
    protected SocketAddress newSocketAddress() {
        return NioDomain.newAddress();
    }

    /**
     * Excluded, TCP-only: {@code SO_LINGER} 0 makes a TCP close send a reset; a Unix-domain socket has no such option
     * (Netty's NIO domain-socket config rejects it) and no reset. Overriding without {@code @Test} removes it.
     */
    @Override
    public void testSoLingerZeroCausesOnlyRstOnClose(TestInfo testInfo) {
        throw new UnsupportedOperationException("TCP-only test");
    }

    /** The server closes what it accepts at once; the client must see a clean end of stream. */
    @Test
    @ClosesBeforeTheHandshake
    @Override
    public void testNoRstIfSoLingerOnClose(TestInfo testInfo) throws Throwable {
        super.testNoRstIfSoLingerOnClose(testInfo);
    }
}
