import java.lang.management.ManagementFactory;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.CRC32;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * An application that knows nothing of Shunt: a Unix-domain echo on the JDK's SocketChannel, compiled by the agent's
 * tests with an empty class path.
 *
 * <p>{@code server <path>}: echoes one connection, blocking, then prints its report. {@code client <path> <bytes>}:
 * sends pseudo-random bytes, shuts its output down, reads the echo to its end and prints its report. The report:
 * {@code REPORT provider=<class> crc=<ok|sent/received> opened=<FastPathConnectionsOpened of dev.shunt:type=Shunt, or
 * none>}.
 */
public class PlainUnixEcho {
    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[1]);
        if (args[0].equals("server")) {
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(path));
                System.out.println("READY");
                try (SocketChannel channel = server.accept()) {
                    ByteBuffer buffer = ByteBuffer.allocateDirect(32 * 1024);
                    while (channel.read(buffer) >= 0) {
                        buffer.flip();
                        channel.write(buffer);
                        buffer.clear();
                    }
                    channel.shutdownOutput();
                }
            }
            report("ok");
            return;
        }
        long total = Long.parseLong(args[2]);
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            CRC32 sent = new CRC32();
            Thread writer = new Thread(() -> {
                try {
                    Random random = new Random(total);
                    byte[] chunk = new byte[50_000];
                    for (long left = total; left > 0; ) {
                        int n = (int) Math.min(left, 1 + random.nextInt(chunk.length));
                        random.nextBytes(chunk);
                        sent.update(chunk, 0, n);
                        channel.write(ByteBuffer.wrap(chunk, 0, n));
                        left -= n;
                    }
                    channel.shutdownOutput();
                } catch (Exception e) {
                    e.printStackTrace();
                }
            });
            writer.start();
            CRC32 received = new CRC32();
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            for (int n; (n = channel.read(buffer.clear())) >= 0; ) {
                received.update(buffer.array(), 0, n);
            }
            writer.join();
            report(sent.getValue() == received.getValue() ? "ok" : sent.getValue() + "/" + received.getValue());
        }
    }

    private static void report(String crc) throws Exception {
        MBeanServer beans = ManagementFactory.getPlatformMBeanServer();
        ObjectName shunt = new ObjectName("dev.shunt:type=Shunt");
        Object opened = beans.isRegistered(shunt) ? beans.getAttribute(shunt, "FastPathConnectionsOpened") : "none";
        System.out.println("REPORT provider=" + SelectorProvider.provider().getClass().getName() + " crc=" + crc
                + " opened=" + opened);
    }
}
