package dev.shunt.agent.junixsocket;

/**
 * The field the agent adds to two junixsocket classes, and its accessors: {@code AFSocketImpl} holds the
 * {@link Ring} of a connection on the fast path, {@code AFServerSocket} its Shunt advertisement. Public because
 * junixsocket's classes, in the application's class loader, implement it.
 */
public interface ShuntAttachment {
    /** @return what the agent attached, or null */
    Object shunt$attachment();

    /** @param value what the agent attaches */
    void shunt$attachment(Object value);
}
