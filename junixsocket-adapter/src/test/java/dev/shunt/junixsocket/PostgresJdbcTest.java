package dev.shunt.junixsocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shunt.core.FallbackReason;
import dev.shunt.core.MetricsSnapshot;
import dev.shunt.core.ShuntConfig;
import dev.shunt.core.ShuntMetrics;
import dev.shunt.core.testing.TestProtection;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real PostgreSQL server, which knows nothing of Shunt, reached by the PostgreSQL JDBC driver through
 * {@code ShuntSocketFactory$FactoryArg} with {@code shunt.enabled=true}: the connection falls back to the kernel
 * socket, invisibly to the driver, and the metrics say why.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PostgresJdbcTest {
    private static final int ROWS = 10_000;

    @Test
    void tenThousandRowsRoundTripThroughTheShuntFactory() throws Exception {
        Path socket = ExternalPeers.postgresSocket();
        String url = "jdbc:postgresql://localhost/postgres?user=postgres"
                + "&socketFactory=dev.shunt.junixsocket.ShuntSocketFactory$FactoryArg&socketFactoryArg=" + socket;
        String table = "shunt_rows_" + ProcessHandle.current().pid();
        MetricsSnapshot before = ShuntMetrics.snapshot();
        System.setProperty(ShuntConfig.ENABLED, "true");
        System.setProperty(ShuntConfig.MPK, TestProtection.MODE.propertyValue());
        try (Connection db = DriverManager.getConnection(url)) {
            try (Statement ddl = db.createStatement()) {
                ddl.execute("DROP TABLE IF EXISTS " + table);
                ddl.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY, name text NOT NULL, score bigint)");
            }
            db.setAutoCommit(false);
            try (PreparedStatement insert = db.prepareStatement("INSERT INTO " + table + " VALUES (?, ?, ?)")) {
                for (int i = 0; i < ROWS; i++) {
                    insert.setInt(1, i);
                    insert.setString(2, name(i));
                    insert.setLong(3, score(i));
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            db.commit();
            int seen = 0;
            try (Statement query = db.createStatement();
                    ResultSet rows = query.executeQuery("SELECT id, name, score FROM " + table + " ORDER BY id")) {
                while (rows.next()) {
                    int id = rows.getInt(1);
                    assertEquals(seen, id);
                    assertEquals(name(id), rows.getString(2));
                    assertEquals(score(id), rows.getLong(3));
                    seen++;
                }
            }
            assertEquals(ROWS, seen);
            try (Statement ddl = db.createStatement()) {
                ddl.execute("DROP TABLE " + table);
            }
            db.commit();
        } finally {
            System.clearProperty(ShuntConfig.ENABLED);
            System.clearProperty(ShuntConfig.MPK);
        }
        MetricsSnapshot after = ShuntMetrics.snapshot();
        assertTrue(after.fallbacks().get("peer does not run Shunt") > before.fallbacks(FallbackReason.PEER_NOT_SHUNT),
                "a fallback with the reason 'peer does not run Shunt': " + after.fallbacks());
        assertEquals(before.fastPathConnectionsOpened(), after.fastPathConnectionsOpened());
    }

    private static String name(int i) {
        return "row-" + i + "-" + Integer.toHexString(i * 0x9E3779B1);
    }

    private static long score(int i) {
        return (long) i * i - 7L * i;
    }
}
