package dev.shunt.core;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR event {@code dev.shunt.Handshake}: one connection's handshake, from the moment its time limit starts (the
 * server's accept, the client's first look after connect) to its outcome. Disabled unless a recording enables it;
 * recorded through {@link ShuntEvents}.
 */
@Name("dev.shunt.Handshake")
@Label("Shunt Handshake")
@Category("Shunt")
@Description("A connection's Shunt handshake and its outcome: the fast path (with or without protection keys), "
        + "a fallback to the kernel socket and why, or a failure that closed the connection")
@Enabled(false)
@StackTrace(false)
final class HandshakeEvent extends Event {
    @Label("Role")
    @Description("client or server")
    String role;

    @Label("Socket")
    @Description("The connection's socket descriptor in this process")
    int fd;

    @Label("Outcome")
    @Description("fast path with protection keys, fast path without protection keys, fallback, or failed")
    String outcome;

    @Label("Fallback Reason")
    @Description("The FallbackReason constant of a fallback; empty otherwise")
    String fallbackReason;

    @Label("Detail")
    @Description("The fallback's particulars or the failure's message; empty on the fast path")
    String detail;
}
