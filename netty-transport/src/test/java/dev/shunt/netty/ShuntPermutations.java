package dev.shunt.netty;

import dev.shunt.core.ShuntConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import java.util.List;
import java.util.function.Supplier;

/**
 * The bootstrap pairs Netty's socket testsuite runs with: every test method runs in each mode, with both
 * of the testsuite's allocators.
 * <ul>
 *   <li>fast path: Shunt server and Shunt client, Shunt enabled; and again with received buffers lent in place
 *       ({@link ShuntChannelOption#RECEIVE_IN_PLACE}) on both sides;</li>
 *   <li>Shunt disabled: Shunt server and Shunt client with {@code shunt.enabled=false};</li>
 *   <li>mixed: stock Epoll server with a Shunt client, and Shunt server with a stock Epoll client, Shunt
 *       enabled on the Shunt side (the stock side runs on a stock Epoll loop).</li>
 * </ul>
 * {@link ModesEngaged} checks after each test that the fast path and both kinds of fallback happened.
 */
final class ShuntPermutations {
    private ShuntPermutations() {
    }

    /** @return the five server/client pairs */
    static List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> socket() {
        return List.of(
                combo("fast path", () -> shuntServer(TestSupport.FAST), () -> shuntClient(TestSupport.FAST)),
                combo("fast path, receive in place",
                        () -> shuntServer(TestSupport.FAST).childOption(ShuntChannelOption.RECEIVE_IN_PLACE, true),
                        () -> shuntClient(TestSupport.FAST).option(ShuntChannelOption.RECEIVE_IN_PLACE, true)),
                combo("Shunt disabled", () -> shuntServer(TestSupport.DISABLED),
                        () -> shuntClient(TestSupport.DISABLED)),
                combo("Epoll server, Shunt client", ShuntPermutations::epollServer,
                        () -> shuntClient(TestSupport.FAST)),
                combo("Shunt server, Epoll client", () -> shuntServer(TestSupport.FAST),
                        ShuntPermutations::epollClient));
    }

    static ServerBootstrap shuntServer(ShuntConfig config) {
        return new ServerBootstrap().group(TestSupport.SHUNT_GROUP)
                .channelFactory(() -> new ShuntServerDomainSocketChannel(config));
    }

    static Bootstrap shuntClient(ShuntConfig config) {
        return new Bootstrap().group(TestSupport.SHUNT_GROUP).channelFactory(() -> new ShuntDomainSocketChannel(config));
    }

    private static ServerBootstrap epollServer() {
        return new ServerBootstrap().group(TestSupport.EPOLL_GROUP).channel(EpollServerDomainSocketChannel.class);
    }

    private static Bootstrap epollClient() {
        return new Bootstrap().group(TestSupport.EPOLL_GROUP).channel(EpollDomainSocketChannel.class);
    }

    private static BootstrapComboFactory<ServerBootstrap, Bootstrap> combo(String name,
            Supplier<ServerBootstrap> server, Supplier<Bootstrap> client) {
        return new BootstrapComboFactory<>() {
            @Override
            public ServerBootstrap newServerInstance() {
                return server.get();
            }

            @Override
            public Bootstrap newClientInstance() {
                return client.get();
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
