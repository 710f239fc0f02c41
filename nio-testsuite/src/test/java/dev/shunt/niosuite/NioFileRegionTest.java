package dev.shunt.niosuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketFileRegionTest;
import java.net.SocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/** Netty's {@link SocketFileRegionTest} over NIO domain sockets with the agent ({@link NioDomain}). */
@ExtendWith(PathsTaken.class)
class NioFileRegionTest extends SocketFileRegionTest {
    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return NioDomain.socket();
    }

    @Override
    protected SocketAddress newSocketAddress() {
        return NioDomain.newAddress();
    }

    /** The write fails at once and the connection closes. */
    @Test
    @ClosesBeforeTheHandshake
    @Override
    public void testFileRegionCountLargerThenFile(TestInfo testInfo) throws Throwable {
        super.testFileRegionCountLargerThenFile(testInfo);
    }
}
