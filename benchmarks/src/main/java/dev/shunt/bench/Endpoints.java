package dev.shunt.bench;

import java.nio.file.Path;

/** A transport's two halves: the server the server JVM runs and the client side the client JVM drives. */
interface Endpoints {
    /**
     * Starts serving benchmark connections on threads of this JVM (the server JVM).
     *
     * @param dir a fresh directory for socket files
     * @return the address the client side connects to
     */
    String serve(Path dir) throws Exception;

    /** The client side, connecting to what {@link #serve} returned in the server JVM. */
    ClientSide client(String address) throws Exception;
}
