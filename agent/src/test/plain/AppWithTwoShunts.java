import dev.shunt.jdk.ShuntSelectorProvider;
import java.lang.management.ManagementFactory;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * An application that carries Shunt's own classes and makes one connection with them (its own
 * {@link ShuntSelectorProvider}), and one through the JVM's provider, which the agent replaced: two copies of Shunt's
 * core count in one process. Prints {@code REPORT total=<FastPathConnectionsOpened of dev.shunt:type=Shunt>} and the
 * same of every {@code dev.shunt:type=Shunt,copy=*}.
 */
public class AppWithTwoShunts {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        connect(new ShuntSelectorProvider(), dir.resolve("own.sock"));
        connect(SelectorProvider.provider(), dir.resolve("agent.sock"));
        MBeanServer beans = ManagementFactory.getPlatformMBeanServer();
        Map<String, Object> copies = new TreeMap<>();
        for (ObjectName copy : beans.queryNames(new ObjectName("dev.shunt:type=Shunt,copy=*"), null)) {
            copies.put(copy.getKeyProperty("copy"), beans.getAttribute(copy, "FastPathConnectionsOpened"));
        }
        ObjectName total = new ObjectName("dev.shunt:type=Shunt");
        System.out.println("REPORT total=" + beans.getAttribute(total, "FastPathConnectionsOpened") + " " + copies);
    }

    /** One connection, both ends in this process: each end counts once when the first byte has crossed. */
    private static void connect(SelectorProvider provider, Path socket) throws Exception {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(socket);
        try (ServerSocketChannel server = provider.openServerSocketChannel(StandardProtocolFamily.UNIX)) {
            server.bind(address);
            try (SocketChannel client = provider.openSocketChannel(StandardProtocolFamily.UNIX)) {
                client.connect(address);
                try (SocketChannel accepted = server.accept()) {
                    client.write(ByteBuffer.wrap(new byte[] {42}));
                    accepted.read(ByteBuffer.allocate(1));
                    accepted.write(ByteBuffer.wrap(new byte[] {43}));
                    client.read(ByteBuffer.allocate(1));
                }
            }
        }
    }
}
