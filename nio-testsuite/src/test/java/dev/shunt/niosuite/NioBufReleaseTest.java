package dev.shunt.niosuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketBufReleaseTest;
import java.net.SocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/** Netty's {@link SocketBufReleaseTest} over NIO domain sockets with the agent ({@link NioDomain}). */
@ExtendWith(PathsTaken.class)
class NioBufReleaseTest extends SocketBufReleaseTest {
    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return NioDomain.socket();
    }

    @Override
    protected SocketAddress newSocketAddress() {
        return NioDomain.newAddress();
    }

    /** Both sides close right after connecting. */
    @Test
    @ClosesBeforeTheHandshake
    @Override
    public void testBufRelease(TestInfo testInfo) throws Throwable {
        super.testBufRelease(testInfo);
    }
}
