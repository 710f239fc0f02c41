package dev.shunt.it;

import dev.shunt.junixsocket.ShuntServerSocket;
import dev.shunt.junixsocket.ShuntSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * Child-JVM main for {@link IdleMemoryTest}: what a new user of the junixsocket adapter does, N connections that each
 * carry a burst and then sit idle, with {@code shunt.enabled} deciding between the fast path and the kernel socket.
 *
 * <pre>
 * IdleMemoryPeer server PATH N              accepts N connections, echoes each on its own thread until end of
 *                                           stream; prints READY &lt;pid&gt;
 * IdleMemoryPeer client PATH N SERVER_PID   connects N times, then prints RSS never-used; echoes a burst on each
 *                                           connection, one after another (BURST first &lt;ms&gt;), waits for the
 *                                           connections to go quiet, RSS idle; a second round of bursts (BURST next
 *                                           &lt;ms&gt;), RSS idle-again; then closes everything
 * </pre>
 * An RSS line is {@code RSS <phase> client=<kB> server=<kB> clientShmem=<kB> serverShmem=<kB> path=<path>}, from
 * {@code /proc/<pid>/status} of both processes; after a round of bursts it also gives {@code clientCpu=<ms>
 * serverCpu=<ms>}, each process's CPU time while the connections sat idle.
 */
public final class IdleMemoryPeer {
    static final int BURST = 4 << 20;
    /** {@code sysconf(_SC_CLK_TCK)}: 100 on every Linux of this project's kinds. */
    private static final long CLOCK_TICKS = 100;
    private static final int CHUNK = 64 << 10;
    /** Long enough for quiet rings to give their pages back: the default quiet time plus two sweeps. */
    static final long SETTLE_MILLIS = 2_000;

    private IdleMemoryPeer() {
    }

    /** @param args see the class comment */
    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[1]);
        int n = Integer.parseInt(args[2]);
        if (args[0].equals("server")) {
            serve(path, n);
        } else {
            connect(path, n, Long.parseLong(args[3]));
        }
    }

    private static void serve(Path path, int n) throws Exception {
        try (ShuntServerSocket server = ShuntServerSocket.bindOn(path, true)) {
            System.out.println("READY " + ProcessHandle.current().pid());
            List<Thread> echoes = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Socket socket = server.accept();
                Thread t = new Thread(() -> echo(socket), "echo-" + i);
                t.start();
                echoes.add(t);
            }
            for (Thread t : echoes) {
                t.join();
            }
        }
    }

    private static void echo(Socket socket) {
        byte[] buf = new byte[16 << 10];
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            for (int r; (r = in.read(buf)) > 0; ) {
                out.write(buf, 0, r);
            }
        } catch (IOException e) {
            System.out.println("ERROR " + e);
        }
    }

    private static void connect(Path path, int n, long serverPid) throws Exception {
        List<ShuntSocket> sockets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sockets.add(ShuntSocket.connectTo(AFUNIXSocketAddress.of(path)));
        }
        String how = sockets.get(0).isFastPath() ? "fast" : "kernel";
        for (ShuntSocket s : sockets) {
            if (!how.equals(s.isFastPath() ? "fast" : "kernel")) {
                throw new IllegalStateException("connections took different paths: " + s.getFallbackReason());
            }
        }
        Thread.sleep(SETTLE_MILLIS);
        rss("never-used", serverPid, how, "");
        byte[] out = new byte[CHUNK];
        byte[] in = new byte[CHUNK];
        for (String round : new String[] {"first", "next"}) {
            long start = System.nanoTime();
            for (ShuntSocket s : sockets) {
                burst(s, out, in);
            }
            System.out.println("BURST " + round + " " + (System.nanoTime() - start) / 1_000_000);
            long[] cpu = {cpuMillis(ProcessHandle.current().pid()), cpuMillis(serverPid)};
            Thread.sleep(SETTLE_MILLIS);
            rss(round.equals("first") ? "idle" : "idle-again", serverPid, how,
                    " clientCpu=" + (cpuMillis(ProcessHandle.current().pid()) - cpu[0]) + " serverCpu="
                    + (cpuMillis(serverPid) - cpu[1]));
        }
        for (ShuntSocket s : sockets) {
            s.close();
        }
    }

    /** Writes {@value #BURST} bytes in chunks and reads each chunk's echo before the next. */
    private static void burst(ShuntSocket socket, byte[] out, byte[] in) throws IOException {
        OutputStream o = socket.getOutputStream();
        InputStream i = socket.getInputStream();
        for (int sent = 0; sent < BURST; sent += out.length) {
            out[0] = (byte) sent;
            o.write(out);
            for (int got = 0; got < in.length; ) {
                int r = i.read(in, got, in.length - got);
                if (r < 0) {
                    throw new IOException("the server closed the connection");
                }
                got += r;
            }
            if (in[0] != out[0]) {
                throw new IOException("echo out of order");
            }
        }
    }

    private static void rss(String phase, long serverPid, String how, String more) throws IOException {
        long self = ProcessHandle.current().pid();
        System.out.println("RSS " + phase + " client=" + status(self, "VmRSS") + " server=" + status(serverPid, "VmRSS")
                + " clientShmem=" + status(self, "RssShmem") + " serverShmem=" + status(serverPid, "RssShmem") + more
                + " path=" + how);
    }

    /** @return user and system CPU time of a process so far, from {@code /proc/<pid>/stat}, in milliseconds */
    private static long cpuMillis(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 1000 / CLOCK_TICKS;
    }

    /** @return a {@code kB} field of {@code /proc/<pid>/status} */
    static long status(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException(field + " missing from /proc/" + pid + "/status");
    }
}
