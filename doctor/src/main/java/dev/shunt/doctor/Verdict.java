package dev.shunt.doctor;

import dev.shunt.core.ClientPreflight;
import dev.shunt.core.FallbackReason;
import dev.shunt.core.ShuntConfig;
import dev.shunt.nativeio.Capabilities;
import dev.shunt.nativeio.Capability;
import java.nio.file.Path;

/**
 * What a connection from a process like this one would do, and the doctor's exit code. The client's part is
 * {@link ClientPreflight}, the very checks a Shunt client runs before it connects; shared memory that cannot be
 * created here, which that preflight does not look at, keeps the fast path off as well (a server here declines with
 * {@link FallbackReason#LOCAL_FAILURE}).
 */
final class Verdict {
    /** What a connection would do; each outcome has its exit code, documented in docs/doctor.md. */
    enum Outcome {
        /** Fast path, the rings this side writes guarded by a protection key. */
        FAST_PATH_WITH_KEYS("fast-path-with-keys", 0),
        /** Fast path without protection keys ({@code shunt.mpk=optional} or {@code off}). */
        FAST_PATH_WITHOUT_KEYS("fast-path-without-keys", 0),
        /** The connection would stay on the kernel socket; a {@link FallbackReason} says why. */
        KERNEL_PATH("kernel-path", 1),
        /** A {@code shunt.*} property is malformed: creating a Shunt socket would throw. */
        CONFIGURATION_ERROR("configuration-error", 2),
        /** Nothing a client could connect to at the path: connect itself would fail. */
        NO_SOCKET("no-socket", 3);

        final String name;
        final int exitCode;

        Outcome(String name, int exitCode) {
            this.name = name;
            this.exitCode = exitCode;
        }
    }

    /** The exit code for arguments the doctor does not understand. */
    static final int USAGE_EXIT_CODE = 64;

    private final Outcome outcome;
    private final FallbackReason reason;
    private final String detail;
    private final String advice;

    private Verdict(Outcome outcome, FallbackReason reason, String detail, String advice) {
        this.outcome = outcome;
        this.reason = reason;
        this.detail = detail;
        this.advice = advice;
    }

    /**
     * Judges a connection and adds the verdict section to {@code report}.
     *
     * @param configuration the configuration in effect, or why it is malformed
     * @param socketPath the socket path given, or null for any server
     * @param socketType what the path names ({@link SocketProbe#probe}), or null when nothing is there
     * @return the verdict
     */
    static Verdict judge(ConfigurationProbe.Result configuration, Path socketPath, String socketType, Facts report) {
        Verdict verdict = configuration.config() == null
                ? new Verdict(Outcome.CONFIGURATION_ERROR, null, configuration.error()
                        + ": Shunt's sockets refuse to be created with it", "correct the property")
                : decide(configuration.config(), socketPath, socketType);
        report.section("verdict", "verdict")
                .put("outcome", "a connection would take", verdict.outcome.name)
                .put("fallbackReason", "fallback reason", verdict.reason == null ? null : verdict.reason.name())
                .put("detail", "why", verdict.detail)
                .put("advice", "what to do", verdict.advice)
                .put("exitCode", "exit code", verdict.outcome.exitCode);
        return verdict;
    }

    private static Verdict decide(ShuntConfig config, Path socketPath, String socketType) {
        if (socketPath != null && socketType == null) {
            return new Verdict(Outcome.NO_SOCKET, null, "nothing at " + socketPath + ": connect would fail (ENOENT)",
                    "start the server, or give the path it binds");
        }
        if (socketPath != null && !socketType.equals("socket") && !socketType.equals("symbolic link")) {
            return new Verdict(Outcome.NO_SOCKET, null, socketPath + " is a " + socketType
                    + ", not a socket: connect would fail (ECONNREFUSED)", "give the path the server binds");
        }
        ClientPreflight preflight = socketPath == null ? ClientPreflight.forProcess(config)
                : ClientPreflight.forServer(socketPath, config);
        if (!preflight.isFastPath()) {
            return new Verdict(Outcome.KERNEL_PATH, preflight.fallbackReason(), preflight.detail(),
                    advice(preflight.fallbackReason()));
        }
        Capabilities capabilities = Capabilities.current();
        for (Capability sharedMemory : new Capability[] {capabilities.memfd(), capabilities.seals()}) {
            if (!sharedMemory.available()) {
                return new Verdict(Outcome.KERNEL_PATH, FallbackReason.LOCAL_FAILURE,
                        FallbackReason.LOCAL_FAILURE.description() + ": " + sharedMemory.reason(),
                        "allow memfd_create and fcntl seals (a seccomp profile or an old kernel refuses them)");
            }
        }
        String scope = socketPath == null ? "with a server that advertises Shunt (give its socket path to check it)"
                : "if the server has the fast path too (it decides for itself under its own shunt.mpk)";
        if (preflight.protectionKey()) {
            return new Verdict(Outcome.FAST_PATH_WITH_KEYS, null, "fast path, rings guarded by a protection key, "
                    + scope, null);
        }
        return new Verdict(Outcome.FAST_PATH_WITHOUT_KEYS, null, "fast path without protection keys (" + ShuntConfig.MPK
                + "=" + config.mpk().propertyValue() + "), " + scope, null);
    }

    private static String advice(FallbackReason reason) {
        switch (reason) {
            case DISABLED:
                return "set " + ShuntConfig.ENABLED + "=true";
            case NO_PROTECTION_KEYS:
                return "set " + ShuntConfig.MPK + "=optional to run the fast path without protection keys"
                        + " (docs/reliability.md), or run where pkey_alloc works (see protection keys)";
            case PEER_NOT_SHUNT:
                return "run the server with Shunt and " + ShuntConfig.ENABLED + "=true; it writes the advertisement"
                        + " beside its socket when it can write the directory";
            case STALE_ADVERTISEMENT:
                return "the advertisement names another socket file: connect to the path the server bound (not a"
                        + " link), or restart the server so it advertises its socket again";
            case VERSION_MISMATCH:
                return "run the same Shunt version on both sides";
            case MAPPING_LIMIT:
                return "raise " + ShuntConfig.MAX_MAPPINGS + " or vm.max_map_count";
            default:
                return null;
        }
    }

    /** @return the process exit code for this verdict */
    int exitCode() {
        return outcome.exitCode;
    }
}
