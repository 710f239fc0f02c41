package dev.shunt.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/** A connection through a {@code java.net.Socket}'s streams, as a socket application uses it. */
final class SocketLink implements Duplex {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String path;

    SocketLink(Socket socket, String path) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.path = path;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        return in.read(b, off, len);
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
