package dev.shunt.jdk;

import static org.junit.jupiter.api.Assertions.*;

import dev.shunt.core.testing.TestProtection;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.*;
import java.nio.file.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeTest {
    @TempDir Path dir;

    @Test
    void blockingEcho() throws Exception {
        ShuntSelectorProvider p = new ShuntSelectorProvider(TestProtection.fastPath(1 << 16, 50_000, 5000));
        Path path = dir.resolve("s");
        ServerSocketChannel server = p.openServerSocketChannel(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        SocketChannel client = p.openSocketChannel(StandardProtocolFamily.UNIX);
        Thread t = new Thread(() -> {
            try { assertTrue(client.connect(UnixDomainSocketAddress.of(path))); } catch (Exception e) { throw new RuntimeException(e); }
        });
        t.start();
        SocketChannel child = server.accept();
        t.join();
        System.out.println(client + " / " + child);
        client.write(ByteBuffer.wrap("hello".getBytes()));
        ByteBuffer b = ByteBuffer.allocate(100);
        assertEquals(5, child.read(b));
        assertTrue(((ShuntSocketChannel) client).isFastPath());
        assertTrue(((ShuntSocketChannel) child).isFastPath());
        child.configureBlocking(false);
        Selector sel = p.openSelector();
        SelectionKey k = child.register(sel, SelectionKey.OP_READ);
        assertEquals(0, sel.selectNow());
        System.out.println("selectNow ok");
        client.write(ByteBuffer.wrap("world".getBytes()));
        assertEquals(1, sel.select(2000));
        assertTrue(k.isReadable());
        b.clear();
        assertEquals(5, child.read(b));
        sel.selectedKeys().clear();
        long t0 = System.nanoTime();
        int empties = 0;
        while (sel.select(50) == 0 && System.nanoTime() - t0 < 1_000_000_000L) { empties++; if (empties > 10000) break; }
        System.out.println("empty selects " + empties);
        client.close();
        assertEquals(1, sel.select(2000));
        b.clear();
        assertEquals(-1, child.read(b));
        child.close();
        sel.selectNow();
        server.close();
    }
}
