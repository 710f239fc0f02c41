package dev.shunt.netty;

import dev.shunt.core.ShuntConfig;
import dev.shunt.core.testing.TestProtection;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Shared configurations, loop groups and socket addresses of the tests. */
final class TestSupport {
    /** Shunt on, with the protection this machine runs the fast path with (keys where usable). */
    static final ShuntConfig FAST = ShuntConfig.fromSystemProperties().withEnabled(true).withMpk(TestProtection.MODE);
    /** Shunt off. */
    static final ShuntConfig DISABLED = FAST.withEnabled(false);
    /** Loops that carry the Shunt channels (and stock Epoll ones). */
    static final EventLoopGroup SHUNT_GROUP = new ShuntEventLoopGroup(4, new DefaultThreadFactory("shunt-test", true),
            FAST);
    /** Stock Epoll loops, for the stock peers. */
    static final EventLoopGroup EPOLL_GROUP = new MultiThreadIoEventLoopGroup(2,
            new DefaultThreadFactory("epoll-test", true), EpollIoHandler.newFactory());

    private static final Path DIR = createDir();

    private TestSupport() {
    }

    private static Path createDir() {
        try {
            return Files.createTempDirectory(Path.of("/tmp"), "shunt-netty");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return a fresh socket path in a private directory (short enough for sun_path) */
    static DomainSocketAddress newAddress() {
        try {
            Path p = Files.createTempFile(DIR, "s", ".sock");
            Files.delete(p);
            return new DomainSocketAddress(p.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
