package dev.shunt.junixsocket;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the real servers ({@code src/test/scripts/test-servers.sh start}) that tests reach through Shunt
 * sockets. A missing server fails the test, unless the build runs with {@code -Dshunt.test.externalPeers=skip}
 * (for developer machines without them).
 */
final class ExternalPeers {
    private static final String OPT_OUT = "shunt.test.externalPeers";

    private ExternalPeers() {
    }

    /** @return the PostgreSQL server's socket file */
    static Path postgresSocket() {
        return require("PostgreSQL", directory("SHUNT_TEST_PG_DIR", "/tmp/shunt-pg").resolve(".s.PGSQL.5432"));
    }

    /** @return the Redis server's socket file */
    static Path redisSocket() {
        return require("Redis", directory("SHUNT_TEST_REDIS_DIR", "/tmp/shunt-redis").resolve("redis.sock"));
    }

    private static Path directory(String variable, String fallback) {
        String value = System.getenv(variable);
        return Path.of(value == null || value.isEmpty() ? fallback : value);
    }

    private static Path require(String server, Path socket) {
        if (Files.exists(socket)) {
            return socket;
        }
        String message = server + " is not listening on " + socket + ". Start the test servers with "
                + "junixsocket-adapter/src/test/scripts/test-servers.sh start (as .ci/run does), or run the build "
                + "with -D" + OPT_OUT + "=skip to skip the tests that need them.";
        Assumptions.assumeFalse("skip".equals(System.getProperty(OPT_OUT)), message);
        throw new AssertionError(message);
    }
}
