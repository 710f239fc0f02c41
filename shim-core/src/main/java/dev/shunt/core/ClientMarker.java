package dev.shunt.core;

import dev.shunt.nativeio.NativeCallException;
import dev.shunt.nativeio.UnixSockets;
import java.security.SecureRandom;

/**
 * The abstract-namespace name a Shunt client binds its socket to before connecting: {@code shunt-v<version>-
 * <16 hex digits>}. The server reads it with {@code getpeername} on the accepted socket, so it learns that the
 * client runs Shunt (and expects an offer) without a byte crossing the stream. A client binds it only after
 * it found a valid advertisement, so the marker always means "I am waiting for your offer".
 */
final class ClientMarker {
    private static final String PREFIX = "shunt-v";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int ATTEMPTS = 8;
    private static final int EADDRINUSE = 98;

    private ClientMarker() {
    }

    /** Binds an unconnected socket to a fresh marker name. */
    static void bind(int fd) throws NativeCallException {
        for (int attempt = 1; ; attempt++) {
            String hex = Long.toHexString(RANDOM.nextLong());
            String name = PREFIX + HandshakeMessage.VERSION + "-" + "0".repeat(16 - hex.length()) + hex;
            try {
                UnixSockets.bindAbstract(fd, name);
                return;
            } catch (NativeCallException e) {
                if (attempt == ATTEMPTS || e.errno() != EADDRINUSE) {
                    throw e;
                }
            }
        }
    }

    /**
     * @param peerName the peer's abstract name, or null
     * @return the protocol version the marker names, 0 when the name is not a Shunt marker
     */
    static int version(String peerName) {
        if (peerName == null || !peerName.startsWith(PREFIX)) {
            return 0;
        }
        int dash = peerName.indexOf('-', PREFIX.length());
        if (dash < 0) {
            return 0;
        }
        try {
            return Integer.parseInt(peerName.substring(PREFIX.length(), dash));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
