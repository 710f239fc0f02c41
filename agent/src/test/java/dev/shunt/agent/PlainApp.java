package dev.shunt.agent;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * The application of the agent's tests, {@code src/test/plain/PlainUnixEcho.java}, compiled with an empty class path:
 * it cannot depend on Shunt.
 */
final class PlainApp {
    static final String MAIN = "PlainUnixEcho";

    private PlainApp() {
    }

    /** @return a directory holding the compiled application and nothing else */
    static Path compile(Path into) throws IOException {
        return compile(into, "", MAIN);
    }

    /**
     * Compiles {@code src/test/plain/<name>.java} files.
     *
     * @param classPath what they compile against
     * @return the directory
     */
    static Path compile(Path into, String classPath, String... names) throws IOException {
        List<String> args = new ArrayList<>(List.of("--release", "17", "-classpath", classPath, "-sourcepath",
                "src/test/plain", "-d", into.toString()));
        for (String name : names) {
            args.add(Path.of("src/test/plain", name + ".java").toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int status = javac.run(null, null, null, args.toArray(new String[0]));
        if (status != 0) {
            throw new IOException("javac failed with " + status);
        }
        return into;
    }
}
