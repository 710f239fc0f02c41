package dev.shunt.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import dev.shunt.nativeio.testing.NoDescriptorLeaks;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ServerHandshakes} against real sockets: which connections are answered on the calling thread, which wait on a
 * thread of their own, the bound on those, and how {@code end} and {@code close} let them go. The silent clients mark
 * themselves with the core's own {@link ShuntHandshake#prepareClient} and then never answer the offer.
 */
@ExtendWith(NoDescriptorLeaks.class)
@Timeout(60) // a start() that waited on a silent client would otherwise hang for the handshake timeout
class ServerHandshakesTest {
    /** A handshake timeout no test reaches: whatever ends a wait here is the code under test. */
    private static final ShuntConfig ON = new ShuntConfig(true, MpkMode.OPTIONAL, 4096, 1_000, 600_000);

    private ListeningSocket listening;
    private Path path;
    private final List<Integer> open = new ArrayList<>();

    @BeforeAll
    static void warmUp() throws Exception {
        ListeningSocket.warmUp(ON);
    }

    @BeforeEach
    void listen() throws Exception {
        listening = ListeningSocket.open(128);
        path = listening.path;
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (int fd : open) {
            Descriptors.close(fd);
        }
        listening.close();
    }

    /** One outcome, as the pool hands it over. */
    private static final class Recorded implements ServerHandshakes.Outcome {
        final CompletableFuture<Thread> thread = new CompletableFuture<>();
        volatile HandshakeResult result;
        volatile Throwable failure;

        @Override
        public void settled(HandshakeResult result, Throwable failure) {
            this.result = result;
            this.failure = failure;
            thread.complete(Thread.currentThread());
        }

        Thread await() throws Exception {
            return thread.get(10, TimeUnit.SECONDS);
        }
    }

    /** A client that marked itself (or not) through the core's own call, and the server's accepted socket. */
    private static final class Connection {
        ClientHandshake client;
        int accepted;
    }

    private Connection connected(ShuntConfig clientConfig) throws Exception {
        Connection c = new Connection();
        int client = UnixSockets.socket();
        open.add(client);
        c.client = ShuntHandshake.prepareClient(client, path, clientConfig);
        UnixSockets.connect(client, path.toString());
        c.accepted = UnixSockets.accept(listening.fd);
        open.add(c.accepted);
        return c;
    }

    /** The accepted socket's descriptor as a socket layer gives it: counted, as each ask costs system calls. */
    private static final class CountedDescriptor implements ServerHandshakes.Descriptor {
        final AtomicInteger asked = new AtomicInteger();
        private final int fd;

        CountedDescriptor(int fd) {
            this.fd = fd;
        }

        @Override
        public int get() {
            asked.incrementAndGet();
            return fd;
        }

        /**
         * Starts the socket's handshake: {@code named}, as a socket layer that reads the peer's name itself and gives
         * this descriptor on demand; else by descriptor.
         */
        void start(ServerHandshakes handshakes, boolean named, Recorded outcome) throws IOException {
            if (named) {
                handshakes.start(UnixSockets.peerAbstractName(fd), this, outcome);
            } else {
                handshakes.start(fd, outcome);
            }
        }
    }

    /** @return the accepted socket of a client that marked itself (or not) and will not answer an offer */
    private int connect(ShuntConfig clientConfig) throws Exception {
        return connected(clientConfig).accepted;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void anUnmarkedClientIsAnsweredOnTheCallingThreadBeforeStartReturns(boolean named) throws Exception {
        try (ServerAdvertisement ad = ServerAdvertisement.publish(path, ON)) {
            ServerHandshakes handshakes = new ServerHandshakes(ON, path.toString());
            CountedDescriptor descriptor = new CountedDescriptor(connect(ON.withEnabled(false)));
            Recorded outcome = new Recorded();
            descriptor.start(handshakes, named, outcome);
            assertTrue(outcome.thread.isDone(), "answered before start returned");
            assertSame(Thread.currentThread(), outcome.await());
            assertEquals(FallbackReason.PEER_NOT_SHUNT, outcome.result.fallbackReason());
            assertEquals(0, descriptor.asked.get(), "a plain client's connection needs no descriptor");
            handshakes.close();
        }
    }

    @Test
    void aMarkedClientThatNeverAnswersWaitsOnAThreadOfItsOwnUntilEnded() throws Exception {
        try (ServerAdvertisement ad = ServerAdvertisement.publish(path, ON)) {
            ServerHandshakes handshakes = new ServerHandshakes(ON, path.toString());
            int accepted = connect(ON);
            Recorded outcome = new Recorded();
            handshakes.start(accepted, outcome);
            assertTrue(!outcome.thread.isDone(), "start must not wait on a client that does not answer");

            handshakes.end(accepted);
            Thread handshakeThread = outcome.await();
            assertTrue(handshakeThread.getName().startsWith("shunt-handshake-"), handshakeThread.getName());
            assertTrue(handshakeThread.isDaemon());
            assertNull(outcome.result);
            assertNotNull(outcome.failure, "ended before the answer: the handshake failed");
            handshakes.close();
        }
    }

    @Test
    void beyondTheLimitMarkedClientsAreDeclinedAtOnceAndCloseEndsTheWaitingOnes() throws Exception {
        long limited = ShuntMetrics.snapshot().fallbacks(FallbackReason.HANDSHAKE_LIMIT);
        try (ServerAdvertisement ad = ServerAdvertisement.publish(path, ON)) {
            ServerHandshakes handshakes = new ServerHandshakes(ON, path.toString());
            List<Recorded> waiting = new ArrayList<>();
            for (int i = 0; i < ServerHandshakes.LIMIT; i++) {
                Recorded outcome = new Recorded();
                handshakes.start(connect(ON), outcome);
                waiting.add(outcome);
            }
            Recorded declined = new Recorded();
            handshakes.start(connect(ON), declined);
            assertSame(Thread.currentThread(), declined.await(), "declined on the calling thread, at once");
            assertEquals(FallbackReason.HANDSHAKE_LIMIT, declined.result.fallbackReason());
            assertEquals(limited + 1, ShuntMetrics.snapshot().fallbacks(FallbackReason.HANDSHAKE_LIMIT));
            for (Recorded outcome : waiting) {
                assertTrue(!outcome.thread.isDone(), "each of the first " + ServerHandshakes.LIMIT + " still waits");
            }

            handshakes.close();
            for (Recorded outcome : waiting) {
                outcome.await();
                assertNotNull(outcome.failure, "close ends every waiting handshake");
            }
            Recorded afterClose = new Recorded();
            handshakes.start(connect(ON), afterClose);
            assertSame(Thread.currentThread(), afterClose.await());
            assertEquals(FallbackReason.HANDSHAKE_LIMIT, afterClose.result.fallbackReason(),
                    "a closed pool declines marked clients");
        }
    }

    /**
     * @param named whether the socket layer reads the client's name itself and gives the descriptor on demand
     *     ({@link ServerHandshakes#start(String, ServerHandshakes.Descriptor, ServerHandshakes.Outcome)})
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aMarkedClientThatAnswersGetsTheFastPathFromTheHandshakeThread(boolean named) throws Exception {
        try (ServerAdvertisement ad = ServerAdvertisement.publish(path, ON)) {
            ServerHandshakes handshakes = new ServerHandshakes(ON, path.toString());
            Connection c = connected(ON);
            CountedDescriptor descriptor = new CountedDescriptor(c.accepted);
            Recorded outcome = new Recorded();
            descriptor.start(handshakes, named, outcome);
            HandshakeResult clientResult = c.client.complete();
            outcome.await();
            assertTrue(outcome.result.isFastPath(), outcome.result.detail());
            assertTrue(clientResult.isFastPath(), clientResult.detail());
            assertEquals(named ? 1 : 0, descriptor.asked.get(), "the descriptor asked for once, when named");
            outcome.result.stream().close();
            clientResult.stream().close();
            handshakes.close();
        }
    }

    @Test
    void aDescriptorThatCannotBeToldFailsTheHandshake() throws Exception {
        try (ServerAdvertisement ad = ServerAdvertisement.publish(path, ON)) {
            ServerHandshakes handshakes = new ServerHandshakes(ON, path.toString());
            int accepted = connect(ON);
            Recorded outcome = new Recorded();
            IOException broken = new IOException("no descriptor");
            handshakes.start(UnixSockets.peerAbstractName(accepted), () -> {
                throw broken;
            }, outcome);
            assertSame(Thread.currentThread(), outcome.await());
            assertNull(outcome.result);
            assertSame(broken, outcome.failure);
            handshakes.close();
        }
    }
}
