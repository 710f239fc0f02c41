package dev.shunt.jdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.TestProtection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The threading of Tomcat's NIO connector and Jetty's selector: a poller thread hands each ready key to a worker
 * thread and drops the key's interest; the worker reads until a read moves nothing, writes until a write moves
 * nothing, and asks the poller, through a queue and {@code Selector.wakeup()}, to watch the key again. Request and
 * response sizes vary from 1 byte to several times the ring, so both sleeps (for bytes, for space) and both wake-ups
 * happen, from threads other than the selector's. A lost wake-up shows as a request that does not complete in time.
 */
class PollerWorkerStressTest {
    private static final int RING = 1 << 16;

    @TempDir
    Path dir;

    @Test
    void requestsAndResponsesThroughAPollerAndWorkersNeverStall() throws Exception {
        for (long spin : new long[] {0, 50_000}) {
            ShuntSelectorProvider shunt = new ShuntSelectorProvider(TestProtection.fastPath(RING, spin, 5_000));
            try (ChannelPair pair = ChannelPair.open(shunt, dir.resolve("s" + spin));
                    Poller server = new Poller(shunt, pair.accepted, true);
                    Poller client = new Poller(shunt, pair.client, false)) {
                Random random = new Random(spin);
                for (int i = 0; i < 40_000; i++) {
                    int size = random.nextInt(10) == 0 ? 1 + random.nextInt(4 * RING) : 1 + random.nextInt(2_000);
                    byte[] request = new byte[size];
                    random.nextBytes(request);
                    client.send(request);
                    byte[] echoed = client.receive(size, 10, "request " + i + " of " + size + " bytes, spin " + spin,
                            server);
                    assertArrayEquals(request, echoed);
                }
            }
        }
    }

    /** One side: a poller thread and two workers; the server echoes what it reads, the client collects it. */
    private static final class Poller implements AutoCloseable {
        private final SocketChannel channel;
        private final boolean echo;
        private final Selector selector;
        private final SelectionKey key;
        private final ExecutorService workers = Executors.newFixedThreadPool(2);
        private final Queue<Integer> interests = new ConcurrentLinkedQueue<>();
        private final Thread thread;
        private final ByteBuffer in = ByteBuffer.allocateDirect(3 * RING);
        private final java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
        private ByteBuffer out = ByteBuffer.allocate(0);
        private volatile boolean running = true;

        Poller(ShuntSelectorProvider provider, SocketChannel channel, boolean echo) throws IOException {
            this.channel = channel;
            this.echo = echo;
            this.selector = provider.openSelector();
            channel.configureBlocking(false);
            this.key = channel.register(selector, SelectionKey.OP_READ);
            this.thread = new Thread(this::poll, echo ? "server-poller" : "client-poller");
            thread.start();
        }

        private void poll() {
            try {
                while (running) {
                    for (Integer ops; (ops = interests.poll()) != null; ) {
                        key.interestOps(key.interestOps() | ops);
                    }
                    selector.select(1_000);
                    for (SelectionKey ready : selector.selectedKeys()) {
                        int ops = ready.readyOps() & ready.interestOps();
                        ready.interestOps(ready.interestOps() & ~ops);
                        workers.execute(() -> work(ops));
                    }
                    selector.selectedKeys().clear();
                }
            } catch (IOException | java.nio.channels.ClosedSelectorException e) {
                // closed
            }
        }

        /** A worker: reads until nothing moves, echoes (server), writes until nothing moves, re-registers. */
        private synchronized void work(int ops) {
            try {
                int n;
                while ((n = channel.read(in)) > 0) {
                    in.flip();
                    if (echo) {
                        ByteBuffer more = ByteBuffer.allocate(out.remaining() + in.remaining());
                        out = more.put(out).put(in).flip();
                    } else {
                        byte[] bytes = new byte[in.remaining()];
                        in.get(bytes);
                        synchronized (received) {
                            received.write(bytes);
                            received.notifyAll();
                        }
                    }
                    in.clear();
                }
                flush();
                interests.add(n < 0 ? 0 : SelectionKey.OP_READ | (out.hasRemaining() ? SelectionKey.OP_WRITE : 0));
                selector.wakeup();
            } catch (IOException e) {
                // closed
            }
        }

        private void flush() throws IOException {
            while (out.hasRemaining() && channel.write(out) > 0) {
                continue;
            }
        }

        synchronized void send(byte[] bytes) throws IOException {
            ByteBuffer more = ByteBuffer.allocate(out.remaining() + bytes.length);
            out = more.put(out).put(bytes).flip();
            flush();
            if (out.hasRemaining()) {
                interests.add(SelectionKey.OP_WRITE);
                selector.wakeup();
            }
        }

        byte[] receive(int size, long seconds, String what, Poller peer) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            synchronized (received) {
                while (received.size() < size) {
                    long left = deadline - System.nanoTime();
                    assertTrue(left > 0, what + " stalled at " + received.size() + "; client " + state()
                            + "; server " + peer.state());
                    TimeUnit.NANOSECONDS.timedWait(received, left);
                }
                byte[] all = received.toByteArray();
                received.reset();
                return all;
            }
        }

        String state() {
            return "interest=" + key.interestOps() + " pending out=" + out.remaining() + " " + channel;
        }

        @Override
        public void close() throws IOException, InterruptedException {
            running = false;
            selector.wakeup();
            thread.join(5_000);
            workers.shutdownNow();
            selector.close();
        }
    }
}
