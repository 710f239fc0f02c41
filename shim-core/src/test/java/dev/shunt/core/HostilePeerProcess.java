package dev.shunt.core;

import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.Futex;
import dev.shunt.nativeio.NativeCallException;
import dev.shunt.nativeio.UnixSockets;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32;

/**
 * A hostile peer in a process of its own, always the client.
 *
 * <pre>
 * HostilePeerProcess scribble PATH ITERATIONS PER_CONNECTION SEED [doorbell]
 *     Connects again and again to the server at PATH, completes each handshake honestly
 *     ({@link HostilePeerConnection}), then writes random values into the shared control words, one scribble
 *     every 0-1 ms, until the victim closes the connection (hang-up on the socket) or PER_CONNECTION scribbles
 *     went in; then closes and connects again, until ITERATIONS scribbles in all. With doorbell, each scribble
 *     is followed by a ring of the victim's doorbell (one byte on the socket), so that a victim asleep on it,
 *     such as an event loop, looks at the rings after every scribble. Prints
 *     CONNECT n                                     before connection n
 *     DONE n scribbles=k victimClosed=true|false    after it
 *     END connections=n scribbles=k victimClosed=m  at the end
 * HostilePeerProcess flood PATH SECONDS BYTES
 *     Connects through the public handshake (shunt.* system properties), prints HANDSHAKE fast|fallback:..,
 *     waits a second, prints FLOODING, rings the victim's doorbell ({@code ShuntStream.ringPeerDoorbell()}) as
 *     fast as it can for SECONDS without publishing any data, prints FLOODED rings=n, waits for one byte from
 *     the victim on the socket (its go-ahead), then writes BYTES of seeded data through the ring, shuts its
 *     output down, prints SENT BYTES crc32, and waits for the victim to close.
 * HostilePeerProcess futex-flood PATH SECONDS
 *     Connects ({@link HostilePeerConnection}), waits until the victim's reader parks on its futex word, prints
 *     FLOODING, calls FUTEX_WAKE on that word as fast as it can for SECONDS without changing it or publishing
 *     anything, prints FLOODED wakes=n, waits for one byte from the victim on the socket (its go-ahead), then
 *     ends the stream the honest way (producer closed, word taken, one wake) and waits for the victim to close.
 * HostilePeerProcess silent PATH BYTES [take]
 *     Connects ({@link HostilePeerConnection}), waits until the victim announces a sleep on its inbound ring (a
 *     reader parked or a loop armed, futex or doorbell), then publishes BYTES (at most one ring) of seeded data and
 *     the end of its stream without waking the victim ({@link HostilePeerConnection#publishWithoutWaking}), a lost
 *     wake-up made on purpose; with take, it takes the victim's announcement as if its signal were on the way; prints
 *     SENT BYTES crc32 and waits for the victim to close.
 * </pre>
 */
public final class HostilePeerProcess {
    private HostilePeerProcess() {
    }

    /** Entry point, see the class comment. */
    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[1]);
        if (args[0].equals("scribble")) {
            scribble(path, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Long.parseLong(args[4]),
                    args.length > 5 && args[5].equals("doorbell"));
        } else if (args[0].equals("flood")) {
            flood(path, Long.parseLong(args[2]), Long.parseLong(args[3]));
        } else if (args[0].equals("futex-flood")) {
            futexFlood(path, Long.parseLong(args[2]));
        } else if (args[0].equals("silent")) {
            silent(path, Integer.parseInt(args[2]), args.length > 3 && args[3].equals("take"));
        } else {
            throw new IllegalArgumentException(args[0]);
        }
        System.out.flush();
    }

    private static void scribble(Path path, int iterations, int perConnection, long seed, boolean doorbell)
            throws Exception {
        Random random = new Random(seed);
        int total = 0;
        int connections = 0;
        int closedByVictim = 0;
        while (total < iterations) {
            System.out.println("CONNECT " + connections);
            int scribbles = 0;
            boolean victimClosed = false;
            try (HostilePeerConnection hostile = HostilePeerConnection.connect(path)) {
                while (scribbles < perConnection && total < iterations) {
                    if (hostile.victimHungUp()) {
                        victimClosed = true;
                        break;
                    }
                    hostile.scribble(random);
                    scribbles++;
                    total++;
                    if (doorbell && !ringDoorbell(hostile)) {
                        victimClosed = true;
                        break;
                    }
                    LockSupport.parkNanos(random.nextInt(1_000_000));
                }
            }
            if (victimClosed) {
                closedByVictim++;
            }
            System.out.println("DONE " + connections + " scribbles=" + scribbles + " victimClosed=" + victimClosed);
            connections++;
        }
        System.out.println("END connections=" + connections + " scribbles=" + total + " victimClosed="
                + closedByVictim);
    }

    /** @return false when the victim's socket is gone (it closed the connection), true otherwise */
    private static boolean ringDoorbell(HostilePeerConnection hostile) {
        try {
            UnixSockets.sendByte(hostile.fd); // false: its socket buffer is full of earlier rings, as good
            return true;
        } catch (NativeCallException e) {
            return false; // EPIPE or ECONNRESET
        }
    }

    /** Waits (at most 30 s) until the victim is asleep. */
    private static void awaitVictim(BooleanSupplier asleep, String otherwise) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!asleep.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(otherwise);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private static void futexFlood(Path path, long seconds) throws Exception {
        try (HostilePeerConnection hostile = HostilePeerConnection.connect(path)) {
            int ring = SharedRegionLayout.RING_B_CONTROL_OFFSET; // client -> server: the victim reads it
            int word = ring + SharedRegionLayout.CONSUMER_SLEEP;
            awaitVictim(() -> hostile.readInt(word) == SharedRegionLayout.PARKED_FUTEX, "the victim never parked");
            System.out.println("FLOODING");
            long wakes = 0;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() - end < 0) {
                for (int i = 0; i < 64; i++) {
                    Futex.wake(hostile.address(word), Integer.MAX_VALUE);
                }
                wakes += 64;
            }
            System.out.println("FLOODED wakes=" + wakes);
            System.out.flush();
            UnixSockets.poll(hostile.fd, UnixSockets.POLLIN, -1);
            hostile.writeInt(ring + SharedRegionLayout.PRODUCER_CLOSED, SharedRegionLayout.CLOSED);
            hostile.writeInt(word, SharedRegionLayout.AWAKE);
            Futex.wake(hostile.address(word), Integer.MAX_VALUE);
            while (!hostile.victimHungUp()) {
                LockSupport.parkNanos(1_000_000);
            }
        }
    }

    private static void silent(Path path, int bytes, boolean take) throws Exception {
        try (HostilePeerConnection hostile = HostilePeerConnection.connect(path)) {
            int word = SharedRegionLayout.RING_B_CONTROL_OFFSET + SharedRegionLayout.CONSUMER_SLEEP;
            awaitVictim(() -> hostile.readInt(word) != SharedRegionLayout.AWAKE, "the victim never fell asleep");
            byte[] data = new byte[bytes];
            new Random(bytes).nextBytes(data);
            hostile.publishWithoutWaking(data, take);
            CRC32 crc = new CRC32();
            crc.update(data);
            System.out.println("SENT " + bytes + " " + crc.getValue());
            System.out.flush();
            while (!hostile.victimHungUp()) {
                LockSupport.parkNanos(1_000_000);
            }
        }
    }

    private static void flood(Path path, long seconds, long bytes) throws Exception {
        ShuntConfig config = ShuntConfig.fromSystemProperties();
        int fd = UnixSockets.socket();
        ClientHandshake handshake = ShuntHandshake.prepareClient(fd, path, config);
        UnixSockets.connect(fd, path.toString());
        HandshakeResult result = handshake.complete();
        System.out.println("HANDSHAKE " + (result.isFastPath() ? "fast" : "fallback:" + result.detail()));
        if (!result.isFastPath()) {
            Descriptors.close(fd);
            return;
        }
        ShuntStream stream = result.stream();
        // The flood starts once the victim sleeps on its doorbell (its reader parked, or its loop armed).
        awaitVictim(stream::peerReaderAsleep, "the victim never fell asleep");
        System.out.println("FLOODING");
        long rings = 0;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() - end < 0) {
            for (int i = 0; i < 64; i++) {
                // One byte on the kernel socket (MSG_DONTWAIT), the victim's doorbell; no data is published.
                UnixSockets.sendByte(fd);
            }
            rings += 64;
        }
        System.out.println("FLOODED rings=" + rings);
        System.out.flush();
        UnixSockets.poll(fd, UnixSockets.POLLIN, -1);
        UnixSockets.discardInput(fd);
        byte[] pattern = new byte[1 << 16];
        new Random(seconds).nextBytes(pattern);
        CRC32 crc = new CRC32();
        for (long left = bytes; left > 0; ) {
            int n = (int) Math.min(left, pattern.length);
            stream.write(pattern, 0, n);
            crc.update(pattern, 0, n);
            left -= n;
        }
        stream.shutdownOutput();
        System.out.println("SENT " + bytes + " " + crc.getValue());
        byte[] sink = new byte[4096];
        while (stream.read(sink, 0, sink.length, TimeUnit.SECONDS.toNanos(60)) >= 0) {
            // The victim sends nothing; this waits for its close.
        }
        stream.close();
        Descriptors.close(fd);
    }
}
