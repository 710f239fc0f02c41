package dev.shunt.bench;

/**
 * What measures one transport's cases, one at a time, on request, for as long as it is open: its JVMs stay up
 * between cases, so that {@link Rounds} can alternate between a kernel transport and its Shunt counterpart.
 * A session that cannot start, or breaks, reports every case it is asked for as failed (or not measured) and
 * says why; it never throws.
 */
interface Session extends AutoCloseable {
    /** Measures one case once: one round. */
    Result run(Case kase);

    /** Ends the session's processes. */
    @Override
    void close();
}
