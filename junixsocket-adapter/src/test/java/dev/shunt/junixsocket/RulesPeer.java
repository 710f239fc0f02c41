package dev.shunt.junixsocket;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * The server process of {@link ConnectionRulesTwoJvmTest}, configured by {@code shunt.*} system properties and using
 * only the public API.
 *
 * <pre>
 * RulesPeer server PATH   bind a ShuntServerSocket, print READY, accept one connection, set its SO_SNDBUF and
 *                         SO_RCVBUF to {@link #REQUESTED_BUFFER}, print what it reports, echo until end of stream
 * </pre>
 * Prints {@code ACCEPTED fast|fallback <reason>}, {@code PEER <the client's address as the server sees it>},
 * {@code BUFFERS <SO_SNDBUF> <SO_RCVBUF> <getOption(SO_SNDBUF)> <getOption(SO_RCVBUF)>} and {@code ECHOED <bytes>}.
 */
public final class RulesPeer {
    /** What the server asks for as its accepted socket's buffer sizes. */
    static final int REQUESTED_BUFFER = 24 * 1024;

    private RulesPeer() {
    }

    /** Entry point, see the class comment. */
    public static void main(String[] args) throws Exception {
        if (!args[0].equals("server")) {
            throw new IllegalArgumentException("unknown role " + args[0]);
        }
        ShuntSocket socket;
        try (ShuntServerSocket listener = ShuntServerSocket.bindOn(AFUNIXSocketAddress.of(Path.of(args[1])))) {
            System.out.println("READY");
            socket = listener.accept();
        }
        try (socket) {
            System.out.println("ACCEPTED " + (socket.isFastPath() ? "fast" : "fallback " + socket.getFallbackReason()));
            System.out.println("PEER " + describe(socket.getRemoteSocketAddress()));
            socket.setSendBufferSize(REQUESTED_BUFFER);
            socket.setReceiveBufferSize(REQUESTED_BUFFER);
            System.out.println("BUFFERS " + socket.getSendBufferSize() + " " + socket.getReceiveBufferSize() + " "
                    + socket.getOption(StandardSocketOptions.SO_SNDBUF) + " "
                    + socket.getOption(StandardSocketOptions.SO_RCVBUF));
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            long echoed = 0;
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                echoed += n;
            }
            System.out.println("ECHOED " + echoed);
        }
    }

    /** @return a socket file's path, {@code abstract:<name>} for the abstract namespace, or {@code unnamed} */
    static String describe(AFUNIXSocketAddress address) throws Exception {
        if (address == null) {
            return "unnamed";
        }
        if (address.hasFilename()) {
            return address.getFile().getPath();
        }
        byte[] name = address.getPathAsBytes();
        return address.isInAbstractNamespace()
                ? "abstract:" + new String(name, 1, name.length - 1, StandardCharsets.ISO_8859_1) : "unnamed";
    }
}
