package dev.shunt.bench;

import java.io.IOException;

/** The connecting side of a blocking transport, in the client JVM. */
interface DuplexConnector {
    /** Opens a connection, handshake included: when it returns, the connection is ready for data. */
    Duplex connect() throws IOException;
}
