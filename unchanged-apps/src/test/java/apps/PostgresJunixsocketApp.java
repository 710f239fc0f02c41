package apps;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * A PostgreSQL JDBC application on a Unix socket through junixsocket, as the driver's documentation shows it
 * ({@code socketFactory=org.newsclub.net.unix.AFUNIXSocketFactory$FactoryArg}). {@code <socket file> <rows>}:
 * writes the rows into a table of its own, reads them back, drops the table and prints
 * {@code REPORT <shunt> rows=<ok|what differed>}.
 */
public final class PostgresJunixsocketApp {
    private PostgresJunixsocketApp() {
    }

    public static void main(String[] args) throws Exception {
        String url = "jdbc:postgresql://localhost/postgres?user=postgres"
                + "&socketFactory=org.newsclub.net.unix.AFUNIXSocketFactory$FactoryArg&socketFactoryArg=" + args[0];
        int rows = Integer.parseInt(args[1]);
        String table = "unchanged_rows_" + ProcessHandle.current().pid();
        String outcome = "ok";
        try (Connection db = DriverManager.getConnection(url)) {
            try (Statement ddl = db.createStatement()) {
                ddl.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY, name text NOT NULL)");
            }
            try (PreparedStatement insert = db.prepareStatement("INSERT INTO " + table + " VALUES (?, ?)")) {
                for (int i = 0; i < rows; i++) {
                    insert.setInt(1, i);
                    insert.setString(2, "row-" + i);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            int seen = 0;
            try (Statement query = db.createStatement();
                    ResultSet result = query.executeQuery("SELECT id, name FROM " + table + " ORDER BY id")) {
                while (result.next()) {
                    if (result.getInt(1) != seen || !result.getString(2).equals("row-" + seen)) {
                        outcome = "row " + seen + " differs";
                    }
                    seen++;
                }
            }
            if (seen != rows) {
                outcome = seen + " of " + rows + " rows";
            }
            try (Statement ddl = db.createStatement()) {
                ddl.execute("DROP TABLE " + table);
            }
        }
        System.out.println("REPORT " + Report.shunt() + " rows=" + outcome);
    }
}
