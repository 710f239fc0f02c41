package dev.shunt.jdk;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A listening channel and one connection through it, both ends opened by one provider in this process. */
final class ChannelPair implements AutoCloseable {
    final ServerSocketChannel listener;
    final SocketChannel client;
    final SocketChannel accepted;

    private ChannelPair(ServerSocketChannel listener, SocketChannel client, SocketChannel accepted) {
        this.listener = listener;
        this.client = client;
        this.accepted = accepted;
    }

    /** Connects in blocking mode; Shunt's channels are returned once their handshakes have settled. */
    static ChannelPair open(SelectorProvider provider, Path socket) throws Exception {
        ServerSocketChannel listener = provider.openServerSocketChannel(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(socket));
        CompletableFuture<SocketChannel> client = CompletableFuture.supplyAsync(() -> {
            try {
                SocketChannel channel = provider.openSocketChannel(StandardProtocolFamily.UNIX);
                channel.connect(UnixDomainSocketAddress.of(socket));
                return channel;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        SocketChannel accepted = listener.accept();
        SocketChannel connected = client.get(10, TimeUnit.SECONDS);
        if (accepted instanceof ShuntSocketChannel) {
            awaitSettled((ShuntSocketChannel) accepted);
        }
        if (connected instanceof ShuntSocketChannel) {
            awaitSettled((ShuntSocketChannel) connected);
        }
        return new ChannelPair(listener, connected, accepted);
    }

    /** Waits until a Shunt channel's handshake has settled (fast path or a fallback reason). */
    static void awaitSettled(ShuntSocketChannel channel) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!channel.isFastPath() && channel.fallbackReason() == null) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("handshake did not settle: " + channel);
            }
            Thread.sleep(1);
        }
    }

    @Override
    public void close() throws IOException {
        client.close();
        accepted.close();
        listener.close();
    }
}
