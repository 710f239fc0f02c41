package dev.shunt.niosuite;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketAddressesTest;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/** Netty's {@link SocketAddressesTest} over NIO domain sockets: both ends report Unix-domain addresses. */
@ExtendWith(PathsTaken.class)
class NioAddressesTest extends SocketAddressesTest {
    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return NioDomain.socket();
    }

    @Override
    protected SocketAddress newSocketAddress() {
        return NioDomain.newAddress();
    }

    @Override
    protected void assertAddress(SocketAddress address) {
        assertInstanceOf(UnixDomainSocketAddress.class, address);
    }

    /** The connection closes once its addresses are read (and a client bound to an address of its own falls back). */
    @Test
    @ClosesBeforeTheHandshake
    @Override
    public void testAddresses(TestInfo testInfo) throws Throwable {
        super.testAddresses(testInfo);
    }

    /** The connection closes once its addresses are read. */
    @Test
    @ClosesBeforeTheHandshake
    @Override
    public void testAddressesConnectWithoutLocalAddress(TestInfo testInfo) throws Throwable {
        super.testAddressesConnectWithoutLocalAddress(testInfo);
    }
}
