package dev.shunt.core;

/**
 * What one fast-path connection did, as this side counted it; every adapter's socket or channel returns it. Counted
 * without atomics by the threads that move the bytes, and read without locks: a snapshot taken while the connection
 * runs may mix moments (each figure is whole), and a figure counted by two threads at once (a signal sent while
 * closing) may miss one.
 *
 * @param bytesSent bytes written into the outbound ring
 * @param bytesReceived bytes read (or lent) from the inbound ring
 * @param parks times a thread or an event loop of this side went to sleep waiting for the peer
 * @param signals futex wakes and doorbell bytes this side sent to wake a sleeping peer
 */
public record StreamCounters(long bytesSent, long bytesReceived, long parks, long signals) {
    /** A connection on the kernel socket, or not connected yet: Shunt counted nothing. */
    public static final StreamCounters NONE = new StreamCounters(0, 0, 0, 0);
}
