package dev.shunt.core;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Threshold;
import jdk.jfr.Timespan;

/**
 * JFR event {@code dev.shunt.Wait}: one wait of a party for its peer, as its {@link WaitPolicy} saw it (a blocking
 * read or write of a stream, a Netty event loop, a selector of the JDK channels), from its start to the answer.
 * Sampled by duration: only waits that last at least the threshold (10 ms unless the recording says otherwise) are
 * recorded. Disabled unless a recording enables it; recorded through {@link ShuntEvents}.
 */
@Name("dev.shunt.Wait")
@Label("Shunt Wait")
@Category("Shunt")
@Description("A thread or event loop waited for its Shunt peer: how long, whether it spun and whether it slept")
@Enabled(false)
@Threshold("10 ms")
final class WaitEvent extends Event {
    @Label("Spin Budget")
    @Description("How long the wait policy let this wait spin before sleeping")
    @Timespan(Timespan.NANOSECONDS)
    long spinBudget;

    @Label("Slept")
    @Description("Whether the wait went to sleep (futex, doorbell) rather than being answered while spinning")
    boolean slept;

    @Label("Peer On This CPU")
    @Description("The peer last woke up on this CPU, so the wait did not spin")
    boolean peerOnThisCpu;

    @Label("Woke Peer")
    @Description("This party had just woken the peer when the wait began")
    boolean wokePeer;
}
