package dev.shunt.core;

import java.net.SocketException;

/**
 * The peer broke the Shunt protocol on an established fast path: an impossible position, length or flag in
 * shared memory. The connection it happened on is closed; other connections are unaffected. (A broken
 * handshake is a {@link ShuntHandshakeException}.)
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
