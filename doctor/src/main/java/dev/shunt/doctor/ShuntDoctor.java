package dev.shunt.doctor;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * {@code shunt-doctor}: probes this machine and process environment as Shunt does (protection keys and why not,
 * memfd and seals, seccomp, the JDK, the {@code shunt.*} configuration, a socket path and its advertisement) and
 * says what a connection would do here and why. Exit code 0 when the fast path is possible; the others are in
 * {@link Verdict.Outcome} and docs/doctor.md.
 *
 * <pre>
 * shunt-doctor [--json] [-Dshunt.NAME=VALUE ...] [SOCKET_PATH]
 * </pre>
 */
public final class ShuntDoctor {
    private static final String USAGE = "usage: shunt-doctor [--json] [-Dshunt.NAME=VALUE ...] [SOCKET_PATH]\n"
            + "  Says what a Shunt connection from a JVM here, with these shunt.* properties, would do and why.\n"
            + "  SOCKET_PATH  the server's Unix socket file: checks it and its advertisement too\n"
            + "  --json       one JSON object on standard output instead of text\n"
            + "  -D...        a shunt.* property, as the application would set it (system properties count too)\n"
            + "Exit codes: 0 fast path possible, 1 kernel path (reason given), 2 malformed shunt.* property,\n"
            + "  3 nothing to connect to at SOCKET_PATH, 64 bad arguments.";

    private ShuntDoctor() {
    }

    /**
     * Runs the doctor and exits with its verdict's code.
     *
     * @param args see the class comment
     */
    public static void main(String[] args) {
        System.exit(run(List.of(args), new PrintStream(System.out, true, StandardCharsets.UTF_8), System.err));
    }

    /**
     * Runs the doctor in this JVM without exiting it, for a caller that starts a fresh JVM for it (such as a container
     * test): the probes are Shunt's own, made once per JVM.
     *
     * @param args see the class comment
     * @param out where the report goes
     * @param err where a usage error goes
     * @return the exit code {@link #main} would exit with
     */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        boolean json = false;
        Path socketPath = null;
        Properties properties = new Properties();
        properties.putAll(System.getProperties());
        for (String arg : args) {
            if (arg.equals("--json")) {
                json = true;
            } else if (arg.equals("--help") || arg.equals("-h")) {
                out.println(USAGE);
                return 0;
            } else if (arg.startsWith("-D") && arg.contains("=")) {
                int equals = arg.indexOf('=');
                properties.setProperty(arg.substring(2, equals), arg.substring(equals + 1));
            } else if (arg.startsWith("-") || socketPath != null) {
                err.println("shunt-doctor: unexpected argument '" + arg + "'\n" + USAGE);
                return Verdict.USAGE_EXIT_CODE;
            } else {
                socketPath = Path.of(arg);
            }
        }
        Facts report = new Facts();
        Verdict verdict = examine(properties, socketPath, report);
        out.print(json ? JsonWriter.write(report) + "\n" : TextWriter.write(report));
        out.flush();
        return verdict.exitCode();
    }

    /** Probes everything, the verdict last, into {@code report}. */
    private static Verdict examine(Properties properties, Path socketPath, Facts report) {
        ProtectionKeysProbe.probe(report);
        PlatformProbe.probe(report);
        ConfigurationProbe.Result config = ConfigurationProbe.probe(properties, report);
        String socketType = socketPath == null ? null : SocketProbe.probe(socketPath, report);
        return Verdict.judge(config, socketPath == null ? null : socketPath.toAbsolutePath().normalize(), socketType,
                report);
    }
}
