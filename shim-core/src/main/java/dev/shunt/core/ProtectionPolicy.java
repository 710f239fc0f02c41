package dev.shunt.core;

import dev.shunt.nativeio.Capabilities;
import dev.shunt.nativeio.Capability;
import dev.shunt.nativeio.NativeCallException;
import dev.shunt.nativeio.ProtectionKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, once per process, which protection key guards ring data, and applies {@code shunt.mpk}.
 *
 * <p>The key is allocated on first use with access disabled and never freed: every thread's rights on it
 * start disabled (Linux starts threads with all keys but key 0 disabled, and {@code pkey_alloc} with
 * {@code PKEY_DISABLE_ACCESS} disables it for the caller), and only {@link AccessWindow} grants them.
 */
final class ProtectionPolicy {
    private static final Object LOCK = new Object();
    private static final Logger LOG = LoggerFactory.getLogger(ProtectionPolicy.class);
    private static int processKey = Integer.MIN_VALUE;
    private static String refusal = "";
    private static boolean refusalLogged;

    private ProtectionPolicy() {
    }

    /**
     * Resolves the window to use for new regions under the given mode.
     *
     * @param mode the configured policy
     * @return the window; {@link AccessWindow#NONE} when running unprotected is allowed
     * @throws FallbackException when the mode requires a key and none can be had
     */
    static AccessWindow windowFor(MpkMode mode) throws FallbackException {
        if (mode == MpkMode.OFF) {
            return AccessWindow.NONE;
        }
        int key = processKey();
        if (key >= 0) {
            return AccessWindow.forKey(key);
        }
        logRefusalOnce(mode);
        if (mode == MpkMode.OPTIONAL) {
            return AccessWindow.NONE;
        }
        throw new FallbackException(FallbackReason.NO_PROTECTION_KEYS, refusal);
    }

    /** Tells the operator once per process what missing keys mean here; metrics count each connection. */
    private static void logRefusalOnce(MpkMode mode) {
        synchronized (LOCK) {
            if (refusalLogged) {
                return;
            }
            refusalLogged = true;
        }
        if (mode == MpkMode.OPTIONAL) {
            LOG.info("Shunt runs the fast path without protection keys (shunt.mpk=optional): {}", refusal);
        } else {
            LOG.warn("Shunt connections stay on the kernel socket: protection keys unavailable: {} Set"
                    + " shunt.mpk=optional to run the fast path without them (docs/reliability.md).", refusal);
        }
    }

    private static int processKey() {
        synchronized (LOCK) {
            if (processKey == Integer.MIN_VALUE) {
                Capability capability = Capabilities.current().protectionKeys();
                if (!capability.available()) {
                    processKey = -1;
                    refusal = capability.reason();
                } else {
                    try {
                        processKey = ProtectionKeys.allocate(ProtectionKeys.DISABLE_ACCESS);
                    } catch (NativeCallException e) {
                        processKey = -1;
                        refusal = e.getMessage();
                    }
                }
            }
            return processKey;
        }
    }
}
