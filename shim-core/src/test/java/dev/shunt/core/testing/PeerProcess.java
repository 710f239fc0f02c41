package dev.shunt.core.testing;

import dev.shunt.core.ClientHandshake;
import dev.shunt.core.HandshakeResult;
import dev.shunt.core.MetricsSnapshot;
import dev.shunt.core.ServerAdvertisement;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntHandshake;
import dev.shunt.core.ShuntMetrics;
import dev.shunt.core.ShuntStream;
import dev.shunt.nativeio.Descriptors;
import dev.shunt.nativeio.UnixSockets;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32;

/**
 * One end of a cross-process test connection, configured by {@code shunt.*} system properties.
 *
 * <pre>
 * PeerProcess server PATH MODE [ARG]   binds, listens, advertises, prints READY, accepts one connection
 * PeerProcess client PATH MODE [ARG]   connects
 * modes: transfer BYTES  write BYTES of seeded data while reading what the peer writes; print crc lines
 *        flood           write forever (until the peer or this process dies)
 *        echo            echo until end of stream
 *        stall           read nothing, sleep until killed
 * </pre>
 * Prints {@code HANDSHAKE fast|fallback:<detail>}, then mode output, then {@code METRICS ...}.
 */
public final class PeerProcess {
    private PeerProcess() {
    }

    /** Entry point, see the class comment. */
    public static void main(String[] args) throws Exception {
        String role = args[0];
        Path path = Path.of(args[1]);
        String mode = args[2];
        ShuntConfig config = ShuntConfig.fromSystemProperties();
        int fd;
        HandshakeResult result;
        if (role.equals("server")) {
            int listen = UnixSockets.socket();
            UnixSockets.bindPath(listen, path.toString());
            UnixSockets.listen(listen, 4);
            ServerAdvertisement ad = ServerAdvertisement.publish(path, config);
            System.out.println("READY");
            fd = UnixSockets.accept(listen);
            result = ShuntHandshake.accept(fd, config);
            ad.close();
            Descriptors.close(listen);
        } else {
            fd = UnixSockets.socket();
            ClientHandshake handshake = ShuntHandshake.prepareClient(fd, path, config);
            UnixSockets.connect(fd, path.toString());
            result = handshake.complete();
        }
        System.out.println("HANDSHAKE " + (result.isFastPath()
                ? "fast protected=" + result.stream().isProtected() : "fallback:" + result.detail()));
        Duplex io = result.isFastPath() ? new FastDuplex(result.stream()) : new SocketDuplex(fd);
        switch (mode) {
            case "transfer":
                transfer(io, Long.parseLong(args[3]), role.hashCode());
                break;
            case "flood":
                System.out.println("FLOODING");
                byte[] chunk = new byte[65536];
                while (true) {
                    io.write(chunk, chunk.length);
                }
            case "stall":
                System.out.println("STALLING");
                Thread.sleep(Long.MAX_VALUE);
                break;
            case "echo":
                byte[] buf = new byte[65536];
                for (int n; (n = io.read(buf)) > 0; ) {
                    io.write(buf, n);
                }
                break;
            default:
                throw new IllegalArgumentException("unknown mode " + mode);
        }
        io.close();
        Descriptors.close(fd);
        MetricsSnapshot m = ShuntMetrics.snapshot();
        System.out.println("METRICS in=" + m.fastPathBytesIn() + " out=" + m.fastPathBytesOut() + " signals="
                + m.doorbellSignals() + " parks=" + m.parks() + " fallbacks=" + m.fallbacks());
        System.out.flush();
    }

    private static void transfer(Duplex io, long bytes, long seed) throws Exception {
        CompletableFuture<Long> sent = CompletableFuture.supplyAsync(() -> {
            try {
                return writeSeeded(io, bytes, seed);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        CRC32 crc = new CRC32();
        byte[] buf = new byte[256 * 1024];
        long received = 0;
        for (int n; (n = io.read(buf)) > 0; ) {
            crc.update(buf, 0, n);
            received += n;
        }
        System.out.println("SENT " + sent.get());
        System.out.println("RECEIVED " + received + " " + crc.getValue());
    }

    private static long writeSeeded(Duplex io, long bytes, long seed) throws IOException {
        byte[] pattern = new byte[1 << 20];
        new Random(seed).nextBytes(pattern);
        byte[] chunk = new byte[200_003];
        CRC32 crc = new CRC32();
        long left = bytes;
        int at = 0;
        while (left > 0) {
            int n = (int) Math.min(left, chunk.length);
            for (int i = 0; i < n; i++) {
                chunk[i] = pattern[(at + i) & (pattern.length - 1)];
            }
            at = (at + 7919 * n) & (pattern.length - 1);
            io.write(chunk, n);
            crc.update(chunk, 0, n);
            left -= n;
        }
        io.shutdownOutput();
        return crc.getValue();
    }

    /** The stream an application would use: the ring or the socket. */
    private interface Duplex {
        int read(byte[] buf) throws IOException;

        void write(byte[] buf, int len) throws IOException;

        void shutdownOutput() throws IOException;

        void close() throws IOException;
    }

    private static final class FastDuplex implements Duplex {
        private final ShuntStream stream;

        FastDuplex(ShuntStream stream) {
            this.stream = stream;
        }

        @Override
        public int read(byte[] buf) throws IOException {
            return stream.read(buf, 0, buf.length, 0);
        }

        @Override
        public void write(byte[] buf, int len) throws IOException {
            stream.write(buf, 0, len);
        }

        @Override
        public void shutdownOutput() throws IOException {
            stream.shutdownOutput();
        }

        @Override
        public void close() {
            stream.close();
        }
    }

    private static final class SocketDuplex implements Duplex {
        private final int fd;

        SocketDuplex(int fd) {
            this.fd = fd;
        }

        @Override
        public int read(byte[] buf) throws IOException {
            return UnixSockets.read(fd, buf, 0, buf.length);
        }

        @Override
        public void write(byte[] buf, int len) throws IOException {
            UnixSockets.writeFully(fd, buf, 0, len);
        }

        @Override
        public void shutdownOutput() throws IOException {
            UnixSockets.shutdownOutput(fd);
        }

        @Override
        public void close() {
        }
    }
}
