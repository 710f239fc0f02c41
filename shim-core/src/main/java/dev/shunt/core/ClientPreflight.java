package dev.shunt.core;

import java.nio.file.Path;

/**
 * What a client decides before it connects: the checks {@link ShuntHandshake#prepareClient} runs, in its order,
 * without a socket, for tools that tell a user what a connection would do and why (shunt-doctor). A preflight is
 * not a connection: it counts in no metrics. Like a first connection, it allocates this process's protection key
 * when {@code shunt.mpk} asks for one and the process can have it.
 *
 * <p>The server decides for itself too, under its own configuration: it declines when it has no protection key
 * under {@code shunt.mpk=required}, or too many handshakes or mappings; the client learns that only by connecting.
 */
public final class ClientPreflight {
    private final FallbackReason reason;
    private final String detail;
    private final boolean protectionKey;

    private ClientPreflight(FallbackReason reason, String detail, boolean protectionKey) {
        this.reason = reason;
        this.detail = detail;
        this.protectionKey = protectionKey;
    }

    /**
     * Everything a client connecting to {@code serverPath} decides before connecting: Shunt enabled, a filesystem
     * path, a protection key as {@code shunt.mpk} asks, room under {@code shunt.maxMappings}, and the server's
     * advertisement (present, readable, a shared protocol version, naming this very socket file).
     *
     * @param serverPath the socket file a client would connect to, or null for an abstract or unnamed address
     * @param config the configuration in force
     * @return the decision
     */
    public static ClientPreflight forServer(Path serverPath, ShuntConfig config) {
        try {
            return fastPath(decide(serverPath, config));
        } catch (FallbackException e) {
            return fallback(e);
        }
    }

    /**
     * The part of {@link #forServer} that does not depend on the server: Shunt enabled, a protection key as
     * {@code shunt.mpk} asks, room under {@code shunt.maxMappings}.
     *
     * @param config the configuration in force
     * @return the decision, for any server
     */
    public static ClientPreflight forProcess(ShuntConfig config) {
        try {
            requireEnabled(config);
            return fastPath(localWindow(config));
        } catch (FallbackException e) {
            return fallback(e);
        }
    }

    /**
     * The advertisement check of {@link #forServer} alone, read afresh, whatever the configuration says.
     *
     * @param serverPath the socket file
     * @return a fast-path result (without a protection key) when the advertisement lets a client go on, else the
     *     fallback it causes
     */
    public static ClientPreflight forAdvertisement(Path serverPath) {
        try {
            Advertisement.check(serverPath);
            return new ClientPreflight(null, "", false);
        } catch (FallbackException e) {
            return fallback(e);
        }
    }

    /** The client's checks before it binds its marker; the window is the one its fast path would use. */
    static AccessWindow decide(Path serverPath, ShuntConfig config) throws FallbackException {
        requireEnabled(config);
        if (serverPath == null) {
            throw new FallbackException(FallbackReason.UNSUPPORTED_ADDRESS, "");
        }
        AccessWindow window = localWindow(config);
        AdvertisementCache.check(serverPath);
        return window;
    }

    private static void requireEnabled(ShuntConfig config) throws FallbackException {
        if (!config.enabled()) {
            throw new FallbackException(FallbackReason.DISABLED, "");
        }
    }

    private static AccessWindow localWindow(ShuntConfig config) throws FallbackException {
        AccessWindow window = ProtectionPolicy.windowFor(config.mpk());
        MappingBudget.check(config);
        return window;
    }

    private static ClientPreflight fastPath(AccessWindow window) {
        return new ClientPreflight(null, "", window.key() >= 0);
    }

    private static ClientPreflight fallback(FallbackException e) {
        return new ClientPreflight(e.reason(), e.getMessage(), false);
    }

    /** @return whether the connection would go on to the handshake, for the fast path */
    public boolean isFastPath() {
        return reason == null;
    }

    /** @return whether the fast path would run with the rings this side writes tagged by a protection key */
    public boolean protectionKey() {
        return protectionKey;
    }

    /** @return why the connection would stay on the kernel socket, or null when it would go on */
    public FallbackReason fallbackReason() {
        return reason;
    }

    /** @return the fallback reason with its particulars, as metrics and logs give it; "" when it would go on */
    public String detail() {
        return detail;
    }

    @Override
    public String toString() {
        return reason == null ? "fast path (protection key: " + protectionKey + ")" : "fallback: " + detail;
    }
}
