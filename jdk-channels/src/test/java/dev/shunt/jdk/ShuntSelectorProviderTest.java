package dev.shunt.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.TestProtection;
import java.net.StandardProtocolFamily;
import java.nio.channels.Channel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import sun.nio.ch.DefaultSelectorProvider;

class ShuntSelectorProviderTest {
    private static final SelectorProvider JDK = DefaultSelectorProvider.get();

    @Test
    void everythingButUnixStreamChannelsIsTheJdksOwn() throws Exception {
        ShuntSelectorProvider shunt = new ShuntSelectorProvider(TestProtection.fastPath(1 << 16, 0, 5_000));
        List<Channel> opened = new ArrayList<>();
        try {
            sameClass(JDK.openSocketChannel(), shunt.openSocketChannel(), opened);
            sameClass(JDK.openSocketChannel(StandardProtocolFamily.INET6),
                    shunt.openSocketChannel(StandardProtocolFamily.INET6), opened);
            sameClass(JDK.openServerSocketChannel(), shunt.openServerSocketChannel(), opened);
            sameClass(JDK.openServerSocketChannel(StandardProtocolFamily.INET),
                    shunt.openServerSocketChannel(StandardProtocolFamily.INET), opened);
            sameClass(JDK.openDatagramChannel(), shunt.openDatagramChannel(), opened);
            sameClass(JDK.openDatagramChannel(StandardProtocolFamily.INET),
                    shunt.openDatagramChannel(StandardProtocolFamily.INET), opened);
            try (java.nio.channels.Selector jdkSelector = JDK.openSelector();
                    java.nio.channels.Selector shuntSelector = shunt.openSelector()) {
                assertSame(jdkSelector.getClass(), shuntSelector.getClass());
            }
            java.nio.channels.Pipe jdkPipe = JDK.openPipe();
            java.nio.channels.Pipe shuntPipe = shunt.openPipe();
            sameClass(jdkPipe.source(), shuntPipe.source(), opened);
            sameClass(jdkPipe.sink(), shuntPipe.sink(), opened);
            assertEquals(ShuntSocketChannel.class, track(shunt.openSocketChannel(StandardProtocolFamily.UNIX),
                    opened).getClass());
            assertEquals(ShuntServerSocketChannel.class,
                    track(shunt.openServerSocketChannel(StandardProtocolFamily.UNIX), opened).getClass());
        } finally {
            for (Channel c : opened) {
                c.close();
            }
        }
    }

    @Test
    void withShuntDisabledClientsAreTheJdksOwnAndServersStillAnswerMarkedClients() throws Exception {
        ShuntSelectorProvider disabled = new ShuntSelectorProvider(TestProtection.fastPath(1 << 16, 0, 5_000)
                .withEnabled(false));
        try (Channel client = disabled.openSocketChannel(StandardProtocolFamily.UNIX);
                Channel server = disabled.openServerSocketChannel(StandardProtocolFamily.UNIX);
                Channel jdkClient = JDK.openSocketChannel(StandardProtocolFamily.UNIX)) {
            assertSame(jdkClient.getClass(), client.getClass());
            assertEquals(ShuntServerSocketChannel.class, server.getClass());
        }
    }

    private static void sameClass(Channel jdk, Channel shunt, List<Channel> opened) {
        track(jdk, opened);
        track(shunt, opened);
        assertSame(jdk.getClass(), shunt.getClass());
        assertTrue(shunt.getClass().getName().startsWith("sun.nio.ch."), shunt.getClass().getName());
    }

    private static Channel track(Channel channel, List<Channel> opened) {
        opened.add(channel);
        return channel;
    }
}
