package dev.shunt.bench;

import dev.shunt.core.FallbackReason;
import dev.shunt.core.MpkMode;
import dev.shunt.core.ShuntConfig;

/**
 * The one wording of the path a Shunt connection took, as the tables, the JSON's {@code path} and the chart
 * legend show it: the fast path with or without a protection key, or the kernel socket and why. Without a key
 * it names the {@code shunt.mpk} setting that let the fast path run unprotected, so that no figure passes for
 * a protected one.
 */
final class ShuntPath {
    private ShuntPath() {
    }

    /**
     * @param keys whether the connection itself reports a protection key ({@code isProtected()})
     * @param mpk the {@code shunt.mpk} setting the connection ran with
     * @return e.g. "fast path, keys" or "fast path, no keys (shunt.mpk=optional)"
     */
    static String fastPath(boolean keys, MpkMode mpk) {
        return keys ? "fast path, keys" : "fast path, no keys (" + ShuntConfig.MPK + "=" + mpk.propertyValue() + ")";
    }

    /**
     * The path of an adapter's connection, which may have stayed on the kernel socket.
     *
     * @param fastPath whether the connection runs on the fast path
     * @param keys whether it reports a protection key
     * @param mpk the {@code shunt.mpk} setting it ran with
     * @param fallback why it stayed on the kernel socket; ignored on the fast path
     * @return {@link #fastPath}, or e.g. "kernel socket (peer does not run Shunt)"
     */
    static String of(boolean fastPath, boolean keys, MpkMode mpk, FallbackReason fallback) {
        return fastPath ? fastPath(keys, mpk) : "kernel socket (" + fallback.description() + ")";
    }
}
