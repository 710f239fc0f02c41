package dev.shunt.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A fresh directory under /tmp (short enough for socket paths), deleted with the files in it on close. */
final class TempDirectory implements AutoCloseable {
    /** The directory. */
    final Path path;

    private TempDirectory(Path path) {
        this.path = path;
    }

    /** Creates a directory whose name starts with {@code prefix}. */
    static TempDirectory create(String prefix) throws IOException {
        return new TempDirectory(Files.createTempDirectory(Path.of("/tmp"), prefix));
    }

    /** @return a path in this directory */
    Path resolve(String name) {
        return path.resolve(name);
    }

    @Override
    public void close() throws IOException {
        try (var files = Files.list(path)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(path);
    }
}
