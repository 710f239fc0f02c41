package dev.shunt.core;

import java.net.SocketException;

/**
 * The handshake could neither finish nor fall back safely (the peer went silent or broke off mid-way after
 * both sides had committed to it). The connection is unusable and has to be closed.
 */
public final class ShuntHandshakeException extends SocketException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what happened and what to check
     */
    public ShuntHandshakeException(String message) {
        super(message);
    }
}
