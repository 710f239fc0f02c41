package dev.shunt.agent.junixsocket;

/**
 * The accessor the agent adds to junixsocket's {@code AFSocket}: its private {@code AFSocketImpl}, which carries
 * the {@link ShuntAttachment}, for the server side, which has only the accepted socket. Public because junixsocket's
 * class implements it.
 */
public interface SocketImplAccess {
    /** @return the socket's {@code AFSocketImpl} */
    Object shunt$impl();
}
