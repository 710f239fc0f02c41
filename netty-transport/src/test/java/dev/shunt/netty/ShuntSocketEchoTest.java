package dev.shunt.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketEchoTest;
import java.net.SocketAddress;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;

/** Netty's {@link SocketEchoTest} against the Shunt channels, in every mode of {@link ShuntPermutations}. */
@ExtendWith(ModesEngaged.class)
class ShuntSocketEchoTest extends SocketEchoTest {
    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return ShuntPermutations.socket();
    }

    @Override
    protected SocketAddress newSocketAddress() {
        return TestSupport.newAddress();
    }
}
