package dev.shunt.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketHalfClosedTest;
import java.net.SocketAddress;
import java.util.List;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/** Netty's {@link SocketHalfClosedTest} against the Shunt channels, in every mode of {@link ShuntPermutations}. */
@ExtendWith(ModesEngaged.class)
class ShuntSocketHalfClosedTest extends SocketHalfClosedTest {
    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return ShuntPermutations.socket();
    }

    @Override
    protected SocketAddress newSocketAddress() {
        return TestSupport.newAddress();
    }

    /**
     * Excluded, TCP-only: it casts the accepted channel to {@code io.netty.channel.socket.SocketChannel} (TCP)
     * and relies on {@code SO_LINGER}; no Unix domain socket channel is a {@code SocketChannel}, Epoll's
     * included. Overriding without {@code @Test} removes it from this class.
     */
    @Override
    public void testHalfClosureReceiveDataOnFinalWait2StateWhenSoLingerSet(TestInfo testInfo) {
        throw new UnsupportedOperationException("TCP-only test");
    }
}
