package dev.shunt.bench;

import dev.shunt.core.MpkMode;
import dev.shunt.core.ShuntConfig;
import dev.shunt.jdk.ShuntSelectorProvider;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.HdrHistogram.Histogram;

/**
 * How fast a JDK selector hears of a message, for each way of making a Shunt channel ready that {@code
 * docs/jdk-channels.md} weighs: a 32-byte ping-pong between two selector threads of one JVM, each side waiting in its
 * own {@code Selector.select()}.
 *
 * <ul>
 *   <li>{@code kernel}: the JDK's own Unix-domain channels: the selector watches the socket, the bytes are on it.</li>
 *   <li>{@code pollset-sleep}: Shunt's channels with {@code shunt.spinNanos=0}: every message goes through the ring,
 *       then the doorbell byte, and the selector watches the channel's private epoll set that holds the socket.</li>
 *   <li>{@code pollset-spin}: the same with the default spin, which the selector's thread spends on the ring.</li>
 *   <li>{@code relay}: the alternative of a process-wide relay thread per side that waits on the socket for the
 *       doorbell and signals a descriptor the selector watches (a pipe here): one more thread wake-up per message.</li>
 * </ul>
 * Usage: {@code java -cp shunt-benchmarks.jar:lib/* dev.shunt.bench.ReadinessChains [seconds per variant]}.
 */
public final class ReadinessChains {
    private static final int SIZE = 32;

    private ReadinessChains() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        System.out.printf(Locale.ROOT, "| variant | round trips | p50 µs | p90 µs | p99 µs |%n|---|---:|---:|---:|---:|%n");
        ShuntConfig shunt = new ShuntConfig(true, MpkMode.OPTIONAL, 1 << 20, 0, 5_000);
        for (String variant : new String[] {"kernel", "pollset-sleep", "pollset-spin", "relay"}) {
            Histogram rtt = switch (variant) {
                case "kernel", "relay" -> pingPong(SelectorProvider.provider(), variant.equals("relay"), seconds);
                case "pollset-sleep" -> pingPong(new ShuntSelectorProvider(shunt), false, seconds);
                default -> pingPong(new ShuntSelectorProvider(shunt.withSpinNanos(50_000)), false, seconds);
            };
            System.out.printf(Locale.ROOT, "| %s | %,d | %.1f | %.1f | %.1f |%n", variant, rtt.getTotalCount(),
                    rtt.getValueAtPercentile(50) / 1000.0, rtt.getValueAtPercentile(90) / 1000.0,
                    rtt.getValueAtPercentile(99) / 1000.0);
        }
    }

    private static Histogram pingPong(SelectorProvider provider, boolean relay, double seconds) throws Exception {
        Path dir = Files.createTempDirectory("readiness");
        Path socket = dir.resolve("s");
        try (ServerSocketChannel listener = provider.openServerSocketChannel(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            CompletableFuture<SocketChannel> connecting = CompletableFuture.supplyAsync(() -> {
                try {
                    SocketChannel channel = provider.openSocketChannel(StandardProtocolFamily.UNIX);
                    channel.connect(UnixDomainSocketAddress.of(socket));
                    return channel;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try (SocketChannel server = listener.accept(); SocketChannel client = connecting.get()) {
                Side echo = relay ? RelaySide.of(server) : new Side(server, provider);
                Side ping = relay ? RelaySide.of(client) : new Side(client, provider);
                Thread echoer = new Thread(() -> {
                    try {
                        while (echo.receive()) {
                            echo.send();
                        }
                    } catch (IOException e) {
                        // the ping side closed
                    }
                }, "echo");
                echoer.start();
                Histogram rtt = new Histogram(3);
                long end = System.nanoTime() + (long) (seconds * 1e9);
                long warm = System.nanoTime() + (long) (seconds * 0.25e9);
                while (System.nanoTime() < end) {
                    long start = System.nanoTime();
                    ping.send();
                    ping.receive();
                    if (start > warm) {
                        rtt.recordValue(System.nanoTime() - start);
                    }
                }
                ping.close();
                echoer.join(5_000);
                echo.close();
                return rtt;
            }
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    /** One side: the message goes over the channel; the selector watches {@link #watched}. */
    private static class Side {
        final SocketChannel channel;
        final Selector selector;
        final ByteBuffer in = ByteBuffer.allocateDirect(SIZE);
        final ByteBuffer out = ByteBuffer.allocateDirect(SIZE);

        Side(SocketChannel channel, SelectorProvider provider) throws IOException {
            this(channel, channel, provider);
        }

        Side(SocketChannel channel, SelectableChannel watched, SelectorProvider provider) throws IOException {
            this.channel = channel;
            this.selector = provider.openSelector();
            channel.configureBlocking(false);
            watched.configureBlocking(false);
            watched.register(selector, SelectionKey.OP_READ);
        }

        void send() throws IOException {
            out.clear();
            while (out.hasRemaining()) {
                channel.write(out);
            }
        }

        /** @return false at the end of the stream */
        boolean receive() throws IOException {
            return receive(channel, in);
        }

        final boolean receive(java.nio.channels.ReadableByteChannel from, ByteBuffer into) throws IOException {
            into.clear();
            while (into.hasRemaining()) {
                int n = from.read(into);
                if (n < 0) {
                    return false;
                }
                if (n == 0) {
                    selector.select();
                    selector.selectedKeys().clear();
                }
            }
            return true;
        }

        void close() throws IOException {
            channel.close();
            selector.close();
        }
    }

    /**
     * The relay design, modelled with the JDK's channels: a relay thread waits on the socket for the message (standing
     * in for the doorbell byte) and passes it into a pipe, which is what the side's selector watches.
     */
    private static final class RelaySide extends Side {
        private final Pipe pipe;

        private RelaySide(SocketChannel channel, Pipe pipe) throws IOException {
            super(channel, pipe.source(), SelectorProvider.provider());
            this.pipe = pipe;
            Thread relay = new Thread(this::relay, "relay");
            relay.setDaemon(true);
            relay.start();
        }

        static RelaySide of(SocketChannel channel) throws IOException {
            return new RelaySide(channel, Pipe.open());
        }

        private void relay() {
            ByteBuffer doorbell = ByteBuffer.allocateDirect(SIZE);
            try (Selector own = Selector.open()) {
                channel.register(own, SelectionKey.OP_READ);
                while (true) {
                    own.select();
                    own.selectedKeys().clear();
                    doorbell.clear();
                    if (channel.read(doorbell) < 0) {
                        pipe.sink().close();
                        return;
                    }
                    doorbell.flip();
                    while (doorbell.hasRemaining()) {
                        pipe.sink().write(doorbell);
                    }
                }
            } catch (IOException e) {
                // closed
            }
        }

        @Override
        boolean receive() throws IOException {
            return receive(pipe.source(), in);
        }

        @Override
        void close() throws IOException {
            super.close();
            pipe.source().close();
        }
    }
}
