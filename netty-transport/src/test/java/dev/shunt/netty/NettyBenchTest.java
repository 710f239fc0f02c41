package dev.shunt.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.testing.ChildJvm;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link NettyBench} between two child JVMs (default leak detection, not the tests' paranoid level) and
 * prints its figures as a Markdown table. Only the fast path itself is asserted; speed is printed, not asserted.
 */
class NettyBenchTest {
    @Test
    void pingPongAndThroughputShuntVersusEpoll() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "shunt-bench");
        List<String> properties = List.of("shunt.enabled=true");
        try (ChildJvm server = ChildJvm.start(properties, NettyBench.class, "server", dir.toString());
                Closeable cleanup = () -> removeSockets(dir)) {
            server.expect("READY", 60, TimeUnit.SECONDS);
            try (ChildJvm client = ChildJvm.start(properties, NettyBench.class, "client", dir.toString())) {
                String[] shunt = client.expect("RESULT Shunt", 600, TimeUnit.SECONDS).split(" ");
                String[] inPlace = client.expect("RESULT ShuntInPlace", 600, TimeUnit.SECONDS).split(" ");
                String[] epoll = client.expect("RESULT Epoll", 600, TimeUnit.SECONDS).split(" ");
                client.expect("DONE", 60, TimeUnit.SECONDS);
                assertEquals("true", shunt[0], "the Shunt run is on the fast path");
                assertEquals("true", inPlace[0], "the Shunt in-place run is on the fast path");
                assertEquals("false", epoll[0]);
                assertEquals("0", shunt[6], "wake-ups the client's loop missed (its backstop took them up)");
                assertEquals("0", inPlace[6], "wake-ups the client's loop missed in the in-place run");
                double shuntP50 = Double.parseDouble(shunt[1]);
                double epollP50 = Double.parseDouble(epoll[1]);
                assertTrue(shuntP50 > 0 && epollP50 > 0);
                System.out.println("| transport | 32 B ping-pong p50 us | p99 us | 64 KiB writes MiB/s |");
                System.out.println("|---|---:|---:|---:|");
                System.out.printf("| Netty Epoll domain socket | %s | %s | %s |%n", epoll[1], epoll[2], epoll[3]);
                System.out.println(row("Netty Shunt fast path", shunt, epoll));
                System.out.println(row("Netty Shunt fast path, RECEIVE_IN_PLACE", inPlace, epoll));
            }
        }
    }

    private static String row(String name, String[] shunt, String[] epoll) {
        return String.format("| %s | %s (%.2fx) | %s (%.2fx) | %s (%.2fx) |", name, shunt[1],
                Double.parseDouble(shunt[1]) / Double.parseDouble(epoll[1]), shunt[2],
                Double.parseDouble(shunt[2]) / Double.parseDouble(epoll[2]), shunt[3],
                Double.parseDouble(shunt[3]) / Double.parseDouble(epoll[3]));
    }

    /** Removes what the killed server left behind: its socket files and their advertisements. */
    private static void removeSockets(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }
}
