package dev.shunt.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntStream;
import dev.shunt.core.testing.ChildJvm;
import dev.shunt.core.testing.PeerProcess;
import dev.shunt.core.testing.TestProtection;
import dev.shunt.core.testing.TestServer;
import dev.shunt.nativeio.Descriptors;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * SIGSTOP of an echoing peer: this side's writer back-pressures (blocks on the full ring), its reader with a
 * timeout times out and stays usable, and after SIGCONT every byte arrives in order.
 */
class PeerStopTest {
    private static final ShuntConfig CONFIG = TestProtection.fastPath(65536, 20_000, 5_000);
    private static final long TOTAL = 64L << 20;

    static void signal(ChildJvm peer, String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(peer.pid())).start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, kill.exitValue());
    }

    static byte at(long position) {
        return (byte) (position % 251);
    }

    @Test
    void stoppedPeerBackPressuresTheWriterAndTimesOutTheReaderThenAllResumes() throws Exception {
        try (TestServer server = new TestServer(CONFIG);
                ChildJvm peer = ChildJvm.start(List.of("shunt.enabled=true", "shunt.ringBytes=65536"),
                        PeerProcess.class, "client", server.path.toString(), "echo")) {
            TestServer.Accepted accepted = server.accept();
            ShuntStream stream = accepted.result.stream();
            AtomicLong written = new AtomicLong();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                byte[] chunk = new byte[8192];
                try {
                    while (written.get() < TOTAL) {
                        long at = written.get();
                        for (int i = 0; i < chunk.length; i++) {
                            chunk[i] = at(at + i);
                        }
                        stream.write(chunk, 0, chunk.length);
                        written.addAndGet(chunk.length);
                    }
                    stream.shutdownOutput();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] buf = new byte[65536];
            long read = 0;
            int timeouts = 0;
            boolean stopped = false;
            boolean resumed = false;
            long stalledWritten = -1;
            while (true) {
                int n;
                try {
                    n = stream.read(buf, 0, buf.length, TimeUnit.MILLISECONDS.toNanos(100));
                } catch (SocketTimeoutException e) {
                    if (!stopped || resumed) {
                        continue; // a running peer may still be slow for a moment on a busy machine
                    }
                    if (++timeouts == 3) {
                        stalledWritten = written.get();
                    } else if (timeouts == 6) {
                        assertEquals(stalledWritten, written.get(), "the writer went on while the peer was stopped");
                        assertTrue(!writer.isDone());
                        signal(peer, "CONT");
                        resumed = true;
                    }
                    continue;
                }
                if (n < 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    if (buf[i] != at(read + i)) {
                        throw new AssertionError("byte " + (read + i) + " differs");
                    }
                }
                read += n;
                if (!stopped && read >= (4 << 20)) {
                    signal(peer, "STOP");
                    stopped = true;
                }
            }
            writer.get(60, TimeUnit.SECONDS);
            assertEquals(TOTAL, read);
            assertEquals(6, timeouts);
            stream.close();
            Descriptors.close(accepted.fd);
        }
    }
}
