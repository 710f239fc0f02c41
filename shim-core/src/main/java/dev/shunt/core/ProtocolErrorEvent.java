package dev.shunt.core;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * JFR event {@code dev.shunt.ProtocolError}: the peer broke the protocol on an established fast path and this side
 * closed the connection ({@link ShuntProtocolException}). Disabled unless a recording enables it; recorded through
 * {@link ShuntEvents}.
 */
@Name("dev.shunt.ProtocolError")
@Label("Shunt Protocol Error")
@Category("Shunt")
@Description("The peer broke the Shunt protocol in shared memory; the connection was closed")
@Enabled(false)
final class ProtocolErrorEvent extends Event {
    @Label("Role")
    @Description("client or server")
    String role;

    @Label("Socket")
    @Description("The connection's socket descriptor in this process")
    int fd;

    @Label("Message")
    @Description("What was wrong, with the offending value")
    String message;
}
