package apps;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Arrays;

/**
 * Runs an application from a class loader of its own, as fat jars and application servers do: {@code <parent>
 * <class path> <main class> <args...>}, where the parent is {@code system} (the class path's loader, which a Spring
 * Boot jar's loader delegates to) or {@code platform} (a loader that does not delegate to the class path).
 */
public final class IsolatedLauncher {
    private IsolatedLauncher() {
    }

    public static void main(String[] args) throws Throwable {
        ClassLoader parent = args[0].equals("system") ? ClassLoader.getSystemClassLoader()
                : ClassLoader.getPlatformClassLoader();
        String[] entries = args[1].split(File.pathSeparator);
        URL[] urls = new URL[entries.length];
        for (int i = 0; i < entries.length; i++) {
            urls[i] = new File(entries[i]).toURI().toURL();
        }
        try (URLClassLoader loader = new URLClassLoader("isolated", urls, parent)) {
            Thread.currentThread().setContextClassLoader(loader);
            loader.loadClass(args[2]).getMethod("main", String[].class)
                    .invoke(null, (Object) Arrays.copyOfRange(args, 3, args.length));
        }
    }
}
