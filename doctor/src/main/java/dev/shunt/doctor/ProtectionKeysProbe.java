package dev.shunt.doctor;

import dev.shunt.nativeio.Capabilities;
import dev.shunt.nativeio.Capability;
import dev.shunt.nativeio.Errno;
import dev.shunt.nativeio.NativeCallException;
import dev.shunt.nativeio.ProtectionKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The protection-key facts behind Shunt's probe ({@link Capabilities#protectionKeys()}): the CPU flags it reads,
 * what {@code pkey_alloc} answers in this process, and whether a seccomp filter is installed, which is what refuses
 * {@code pkey_alloc} in a container under Docker's default profile.
 */
final class ProtectionKeysProbe {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final List<String> SECCOMP_MODES = List.of("disabled", "strict", "filter");

    private ProtectionKeysProbe() {
    }

    /** Adds the protection-key section to {@code report}. */
    static void probe(Facts report) {
        Capability keys = Capabilities.current().protectionKeys();
        Facts section = report.section("protectionKeys", "protection keys (MPK/PKU)");
        section.put("available", "usable by this process", keys.available());
        section.put("reason", "why not", keys.available() ? null : keys.reason());
        Facts flags = section.section("cpuFlags", "CPU flags in /proc/cpuinfo");
        try {
            for (Map.Entry<String, Boolean> flag : Capabilities.protectionKeyCpuFlags().entrySet()) {
                flags.put(flag.getKey(), flag.getKey(), flag.getValue());
            }
        } catch (IOException e) {
            flags.put("error", "cannot tell", e.getMessage());
        }
        pkeyAlloc(section.section("pkeyAlloc", "pkey_alloc"));
        seccomp(section.section("seccomp", "seccomp (/proc/self/status)"));
    }

    /**
     * Calls {@code pkey_alloc} even where the CPU flags already rule keys out (Shunt's probe stops there): its errno
     * tells a seccomp refusal ({@code EPERM}) from a CPU or kernel without keys ({@code ENOSPC}, {@code EINVAL},
     * {@code ENOSYS}).
     */
    private static void pkeyAlloc(Facts section) {
        try {
            // Access disabled, as Shunt's probe allocates: the rights outlive pkey_free for a later key of that number.
            int key = ProtectionKeys.allocate(ProtectionKeys.DISABLE_ACCESS);
            ProtectionKeys.free(key);
            section.put("succeeded", "succeeded", true).put("errno", "errno", null).put("meaning", "meaning",
                    "this process can allocate protection keys");
        } catch (NativeCallException e) {
            section.put("succeeded", "succeeded", false)
                    .put("errno", "errno", Errno.name(e.errno()))
                    .put("error", "error", e.getMessage())
                    .put("meaning", "meaning", meaning(e.errno()));
        } catch (LinkageError e) {
            section.put("succeeded", "succeeded", false).put("errno", "errno", null)
                    .put("error", "error", "the glibc binding cannot be loaded: " + e)
                    .put("meaning", "meaning", "Shunt cannot call into glibc here");
        }
    }

    private static String meaning(int errno) {
        switch (errno) {
            case Errno.EPERM:
                return "refused by a seccomp filter, as Docker's default profile does;"
                        + " --security-opt seccomp=unconfined (or a profile allowing pkey_alloc) lifts it";
            case Errno.ENOSPC:
                return "no key to give: the CPU or the kernel offers none, or all 15 are taken in this process";
            case Errno.EINVAL:
                return "the kernel rejects protection keys here: the CPU or the kernel does not offer them";
            case Errno.ENOSYS:
                return "the kernel has no pkey_alloc (before Linux 4.9 or built without protection keys),"
                        + " or a seccomp filter answers ENOSYS";
            default:
                return "unexpected for pkey_alloc";
        }
    }

    private static void seccomp(Facts section) {
        List<String> lines;
        try {
            lines = Files.readAllLines(STATUS);
        } catch (IOException e) {
            section.put("error", "cannot tell", "cannot read " + STATUS + ": " + e.getMessage());
            return;
        }
        String mode = field(lines, "Seccomp:");
        String filters = field(lines, "Seccomp_filters:");
        int modeNumber = mode == null ? -1 : Integer.parseInt(mode);
        section.put("mode", "mode", modeNumber >= 0 && modeNumber < SECCOMP_MODES.size()
                ? SECCOMP_MODES.get(modeNumber) : mode);
        section.put("filters", "filters installed", filters == null ? null : Integer.valueOf(filters));
    }

    private static String field(List<String> lines, String name) {
        return lines.stream().filter(line -> line.startsWith(name)).map(line -> line.substring(name.length()).trim())
                .findFirst().orElse(null);
    }
}
