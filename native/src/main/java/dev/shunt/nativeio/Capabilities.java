package dev.shunt.nativeio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What this process can use, probed for real rather than assumed:
 * <ul>
 *   <li>protection keys: the CPU flags {@code pku} and {@code ospke} in
 *       {@code /proc/cpuinfo} and an actual {@code pkey_alloc} succeeding (the key is freed
 *       again). A seccomp filter such as Docker's default profile refuses
 *       {@code pkey_alloc} with {@code EPERM}; the reason then says so.</li>
 *   <li>memfd: {@code memfd_create} works.</li>
 *   <li>seals: {@code F_ADD_SEALS} and {@code F_GET_SEALS} work on that memfd.</li>
 * </ul>
 */
public final class Capabilities {

    /**
     * The CPU flags protection keys need, as {@code /proc/cpuinfo} names them: {@code pku} (the CPU offers them) and
     * {@code ospke} (the kernel enabled them).
     */
    public static final List<String> PROTECTION_KEY_CPU_FLAGS = List.of("pku", "ospke");

    private static final Path CPUINFO = Path.of("/proc/cpuinfo");
    private static final int PROBE_SEALS = MemFd.SEAL_SHRINK | MemFd.SEAL_GROW | MemFd.SEAL_SEAL;

    private final Capability protectionKeys;
    private final Capability memfd;
    private final Capability seals;

    private Capabilities(Capability protectionKeys, Capability memfd, Capability seals) {
        this.protectionKeys = protectionKeys;
        this.memfd = memfd;
        this.seals = seals;
    }

    /** Holds the result of the first probe of this class loader. */
    private static final class Cached {
        static final Capabilities INSTANCE = probe();
    }

    /**
     * Probes every capability now. Never throws: when glibc cannot be bound at all, every
     * capability is reported unavailable with the reason.
     *
     * @return the fresh result
     */
    public static Capabilities probe() {
        try {
            return probeNatively();
        } catch (LinkageError e) {
            Capability no = Capability.no("the glibc binding cannot be loaded: " + e + ".");
            return new Capabilities(no, no, no);
        }
    }

    private static Capabilities probeNatively() {
        Capability protectionKeys = probeProtectionKeys();
        int fd;
        try {
            fd = MemFd.create("shunt-probe");
        } catch (NativeCallException e) {
            Capability no = Capability.no(e.getMessage() + ".");
            return new Capabilities(protectionKeys, no, Capability.no("memfd_create is not available, so seals cannot be used."));
        }
        try {
            return new Capabilities(protectionKeys, Capability.yes(), probeSeals(fd));
        } finally {
            Descriptors.close(fd);
        }
    }

    /**
     * The result of one probe per process (class loader), made on first use and cached.
     *
     * @return the cached result
     */
    public static Capabilities current() {
        return Cached.INSTANCE;
    }

    /**
     * Whether Intel MPK protection keys can be allocated and used.
     *
     * @return the protection-key capability
     */
    public Capability protectionKeys() {
        return protectionKeys;
    }

    /**
     * Whether {@code memfd_create} works.
     *
     * @return the memfd capability
     */
    public Capability memfd() {
        return memfd;
    }

    /**
     * Whether file seals can be added to and read from a memfd.
     *
     * @return the seal capability
     */
    public Capability seals() {
        return seals;
    }

    /**
     * One line naming all three capabilities, for example
     * {@code "protectionKeys=yes memfd=yes seals=yes"}; an unavailable one is followed by
     * its reason in parentheses.
     *
     * @return the summary line
     */
    @Override
    public String toString() {
        return "protectionKeys=" + format(protectionKeys) + " memfd=" + format(memfd) + " seals=" + format(seals);
    }

    private static String format(Capability capability) {
        return capability.available() ? "yes" : "no (" + capability.reason() + ")";
    }

    private static Capability probeProtectionKeys() {
        Optional<String> missing = missingCpuFlag();
        if (missing.isPresent()) {
            return Capability.no(missing.get());
        }
        int key;
        try {
            // Allocate with access disabled: pkey_alloc sets the caller's rights on the key number, the
            // rights outlive pkey_free, and a later allocation may hand out the same number.
            key = ProtectionKeys.allocate(ProtectionKeys.DISABLE_ACCESS);
        } catch (NativeCallException e) {
            if (e.errno() == Errno.EPERM) {
                return Capability.no(e.getMessage() + ", most likely refused by a seccomp filter such as Docker's"
                        + " default profile, which --security-opt seccomp=unconfined lifts.");
            }
            return Capability.no(e.getMessage() + ".");
        }
        try {
            ProtectionKeys.free(key);
        } catch (NativeCallException e) {
            return Capability.no("pkey_alloc works but " + e.getMessage() + ".");
        }
        return Capability.yes();
    }

    /** The reason protection keys are missing from the CPU flags, or empty when both flags are present. */
    private static Optional<String> missingCpuFlag() {
        Map<String, Boolean> flags;
        try {
            flags = protectionKeyCpuFlags();
        } catch (IOException e) {
            return Optional.of(e.getMessage() + ".");
        }
        for (Map.Entry<String, Boolean> flag : flags.entrySet()) {
            if (!flag.getValue()) {
                return Optional.of("the CPU flag \"" + flag.getKey() + "\" is missing from " + CPUINFO
                        + " (the CPU or the kernel does not offer memory protection keys).");
            }
        }
        return Optional.empty();
    }

    /**
     * Which of the {@link #PROTECTION_KEY_CPU_FLAGS} the first {@code flags} line of {@code /proc/cpuinfo} lists: the
     * first thing the protection-key probe checks, before it tries {@code pkey_alloc}.
     *
     * @return each flag, in the order of {@link #PROTECTION_KEY_CPU_FLAGS}, mapped to whether it is listed
     * @throws IOException when {@code /proc/cpuinfo} cannot be read or has no {@code flags} line; the message says
     *     which
     */
    public static Map<String, Boolean> protectionKeyCpuFlags() throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(CPUINFO);
        } catch (IOException e) {
            throw new IOException("cannot read " + CPUINFO + ": " + e.getMessage(), e);
        }
        String flagsText = lines.stream().filter(line -> line.startsWith("flags")).findFirst()
                .orElseThrow(() -> new IOException(CPUINFO + " has no \"flags\" line"));
        List<String> listed = Arrays.asList(flagsText.substring(flagsText.indexOf(':') + 1).trim().split("\\s+"));
        Map<String, Boolean> flags = new LinkedHashMap<>();
        for (String flag : PROTECTION_KEY_CPU_FLAGS) {
            flags.put(flag, listed.contains(flag));
        }
        return flags;
    }

    private static Capability probeSeals(int fd) {
        try {
            MemFd.addSeals(fd, PROBE_SEALS);
            int seals = MemFd.seals(fd);
            if ((seals & PROBE_SEALS) != PROBE_SEALS) {
                return Capability.no("F_GET_SEALS reported 0x" + Integer.toHexString(seals)
                        + " after adding 0x" + Integer.toHexString(PROBE_SEALS) + ".");
            }
            return Capability.yes();
        } catch (NativeCallException e) {
            return Capability.no(e.getMessage() + ".");
        }
    }
}
