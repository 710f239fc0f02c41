package dev.shunt.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.ChildJvm;
import java.io.PrintWriter;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * SIGKILL of a Netty peer at a random moment under load in both directions, for the Netty transport: a survivor
 * JVM ({@link NettyFaultPeer} {@code survivor}) keeps running across all rounds, as the server in half of them
 * and as the client in the other half, while this JVM starts a victim JVM per round and kills it 0-30 ms after
 * its channel became active. The survivor's channel must close within a bound, the survivor must not crash, and
 * its descriptor count, its ring mappings and its open fast-path connections must be back where they were
 * after the warm-up rounds.
 */
class NettyPeerKillRoundsTest {
    private static final int WARM_UP = 2;
    private static final int ROUNDS = 50;
    private static final List<String> PEER = List.of("shunt.enabled=true", "shunt.ringBytes=65536");
    private static final long BOUND_NANOS = TimeUnit.SECONDS.toNanos(5);

    @Test
    void survivorChannelClosesAndNothingLeaks() throws Exception {
        Random random = new Random(66);
        List<Long> delays = new ArrayList<>();
        String before = null;
        try (TempDirectory dir = TempDirectory.create("shunt-nkill");
                ChildJvm survivor = ChildJvm.start(PEER, NettyFaultPeer.class, "survivor", dir.path.toString())) {
            survivor.expect("READY", 60, TimeUnit.SECONDS);
            try (SocketChannel ctl = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("ctl")));
                    PrintWriter commands = new PrintWriter(Channels.newOutputStream(ctl), true,
                            StandardCharsets.UTF_8)) {
                for (int r = 1; r <= WARM_UP + ROUNDS; r++) {
                    if (r == WARM_UP + 1) {
                        commands.println("COUNT");
                        before = survivor.expect("COUNTS", 30, TimeUnit.SECONDS);
                        assertTrue(before.endsWith(" open=0"), before);
                    }
                    long delay = round(r, dir, survivor, commands, random);
                    if (r > WARM_UP) {
                        delays.add(delay);
                    }
                }
                String after = countsSettled(survivor, commands, before);
                assertEquals(before, after, "survivor descriptors, ring mappings or open fast-path connections");
                commands.println("QUIT");
            }
            assertEquals(0, survivor.waitFor(60, TimeUnit.SECONDS), survivor.stderr());
            assertFalse(Files.exists(ChildJvm.errorReport(survivor.pid())), "the survivor JVM crashed");
        }
        Collections.sort(delays);
        System.out.printf("Netty survivor: %d rounds, channel closed %.1f ms (median), %.1f ms (max) after SIGKILL;"
                + " survivor %s before and after%n", delays.size(), delays.get(delays.size() / 2) / 1e6,
                delays.get(delays.size() - 1) / 1e6, before);
    }

    /**
     * The survivor's counts once they are back at {@code before}, or the last ones after 5 s: the last round's
     * connection may still be letting go of a descriptor when its channel reports the close (CI saw one descriptor
     * more once in eight runs). A descriptor that stays open is a leak all the same.
     */
    private static String countsSettled(ChildJvm survivor, PrintWriter commands, String before) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            commands.println("COUNT");
            String counts = survivor.expect("COUNTS", 30, TimeUnit.SECONDS);
            if (counts.equals(before) || System.nanoTime() - deadline > 0) {
                return counts;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /** One round. @return nanoseconds from the SIGKILL to the survivor's channel close */
    private static long round(int r, TempDirectory dir, ChildJvm survivor, PrintWriter commands, Random random)
            throws Exception {
        boolean survivorServes = r % 2 == 0;
        Path victimPath = dir.resolve("v" + r + ".sock");
        ChildJvm victim = survivorServes
                ? ChildJvm.start(PEER, NettyFaultPeer.class, "victim-client", dir.resolve("survivor.sock").toString())
                : ChildJvm.start(PEER, NettyFaultPeer.class, "victim-server", victimPath.toString());
        try {
            if (!survivorServes) {
                victim.expect("READY", 60, TimeUnit.SECONDS);
                commands.println("CONNECT " + victimPath);
            }
            String victimActive = victim.expect("ACTIVE", 60, TimeUnit.SECONDS);
            String survivorActive = survivor.expect("ACTIVE", 60, TimeUnit.SECONDS);
            assertTrue(victimActive.endsWith("fast=true"), "round " + r + " victim: " + victimActive);
            assertTrue(survivorActive.endsWith("fast=true"), "round " + r + " survivor: " + survivorActive);
            long deadline = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(random.nextInt(30_000));
            while (System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            long killed = System.nanoTime();
            victim.kill();
            String closed = survivor.expect("CLOSED", 30, TimeUnit.SECONDS);
            // System.nanoTime() is CLOCK_MONOTONIC on Linux, the same clock in every process of the machine.
            long at = Long.parseLong(closed.substring(closed.indexOf("nanos=") + 6, closed.indexOf(" read=")));
            long delay = at - killed;
            assertTrue(delay < BOUND_NANOS, "round " + r + ": survivor closed " + delay / 1_000_000
                    + " ms after the kill: " + closed);
            assertTrue(closed.startsWith(survivorActive.substring(0, survivorActive.indexOf(' ')) + " "),
                    "round " + r + ": " + survivorActive + " / " + closed);
            return delay;
        } finally {
            victim.close();
            Files.deleteIfExists(victimPath);
        }
    }
}
