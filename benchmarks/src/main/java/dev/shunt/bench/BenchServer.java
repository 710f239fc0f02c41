package dev.shunt.bench;

import java.nio.file.Path;

/**
 * The server JVM of one transport: serves benchmark connections and answers the client JVM's control socket,
 * then exits when the client closes it.
 *
 * <pre>BenchServer TRANSPORT DIRECTORY</pre>
 * Prints {@code READY <address>} on stdout once both are listening.
 */
public final class BenchServer {
    private BenchServer() {
    }

    /**
     * Entry point, see the class comment.
     *
     * @param args the transport id and a fresh directory for socket files
     * @throws Exception when the transport cannot start
     */
    public static void main(String[] args) throws Exception {
        Transport transport = Transport.parse(args[0]);
        Path dir = Path.of(args[1]);
        Control.Listener control = Control.listen(dir.resolve(ShuntBench.CONTROL_SOCKET));
        String address = transport.endpoints().serve(dir);
        System.out.println("READY " + address);
        System.out.flush();
        control.serve();
        System.exit(0);
    }
}
