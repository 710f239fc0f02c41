package dev.shunt.niosuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketDataReadInitialStateTest;
import java.net.SocketAddress;
import java.util.List;
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
}
