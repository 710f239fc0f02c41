package dev.shunt.it;

import dev.shunt.doctor.ShuntDoctor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * shunt-doctor in a container JVM ({@link ContainerJvm}), its arguments passed on: prints {@code DOCTOR <report>}
 * (one line with {@code --json}) and then {@code EXIT <code>}, and exits 0 itself, so that the container's exit
 * status (which Testcontainers checks at start) does not depend on the verdict.
 */
public final class DoctorInContainer {
    private DoctorInContainer() {
    }

    /** Entry point, see the class comment. */
    public static void main(String[] args) {
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        int code = ShuntDoctor.run(List.of(args), new PrintStream(report, true, StandardCharsets.UTF_8), System.err);
        System.out.println("DOCTOR " + report.toString(StandardCharsets.UTF_8).trim());
        System.out.println("EXIT " + code);
    }
}
