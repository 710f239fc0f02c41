package dev.shunt.bench;

import java.io.IOException;

/**
 * The listening side of a blocking transport in the server JVM. It lives as long as the JVM: nothing closes it.
 *
 * @param address what the client JVM needs to connect: a socket path, or Aeron's directory
 * @param acceptor waits for the next connection
 */
record DuplexListener(String address, Acceptor acceptor) {

    /** Waits for the next connection, after any handshake. */
    interface Acceptor {
        Duplex accept() throws IOException;
    }
}
