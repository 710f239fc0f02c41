package dev.shunt.core;

import java.net.SocketException;

/**
 * The peer broke the Shunt protocol: an impossible position, length or flag in shared memory, or a
 * malformed handshake message after it was committed to. The connection it happened on is closed; other
 * connections are unaffected.
 */
public final class ShuntProtocolException extends SocketException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was wrong, with the offending value
     */
    public ShuntProtocolException(String message) {
        super(message);
    }
}
