package io.herald.testing;

import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A database of its own on the machine's PostgreSQL for one test, with Herald's outbox DDL ({@code conf/outbox.sql},
 * the file the docs ship) run in it; dropped on close. The server: {@code 127.0.0.1:5432} as user {@code postgres} with
 * the password {@code herald}, as {@code .ci/run} sets it up (override with {@code HERALD_TEST_PG_URL},
 * {@code HERALD_TEST_PG_USER}, {@code HERALD_TEST_PG_PASSWORD}).
 */
public final class OutboxDatabase implements AutoCloseable {
    public static final String SERVER = env("HERALD_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/");
    public static final String USER = env("HERALD_TEST_PG_USER", "postgres");
    public static final String PASSWORD = env("HERALD_TEST_PG_PASSWORD", "herald");
    public static final Path DDL = Path.of("conf/outbox.sql");

    public final String name;
    public final String url;

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isEmpty() ? fallback : value;
    }

    /** Whether the server answers (the soak's outbox workload runs only then). */
    public static boolean reachable() {
        return reachable(SERVER);
    }

    /** Whether the server at {@code server} ({@code jdbc:postgresql://host:port/}) answers. */
    public static boolean reachable(String server) {
        java.util.Properties props = new java.util.Properties();
        props.setProperty("user", USER);
        props.setProperty("password", PASSWORD);
        props.setProperty("connectTimeout", "5");
        try (Connection c = DriverManager.getConnection(server + "postgres", props)) {
            return c.isValid(5);
        } catch (SQLException e) {
            return false;
        }
    }

    public OutboxDatabase() {
        this.name = "herald_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        this.url = SERVER + name;
        try (Connection admin = DriverManager.getConnection(SERVER + "postgres", USER, PASSWORD);
             Statement s = admin.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new AssertionError("PostgreSQL at " + SERVER + " (user " + USER + ") is needed: start it as .ci/run does ("
                    + "pg_ctlcluster 15 main start, and the postgres user's password): " + e.getMessage(), e);
        }
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(Files.readString(DDL));
        } catch (Exception e) {
            close();
            throw new AssertionError("conf/outbox.sql did not run: " + e, e);
        }
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, USER, PASSWORD);
    }

    /** The {@code sources.outbox} config of a node reading this database, polling every {@code pollMs}. */
    public JsonObject config(int pollMs) {
        return new JsonObject().put("jdbcUrl", url).put("user", USER).put("password", PASSWORD).put("pollMs", pollMs);
    }

    /** Runs {@code sql} (statements separated by ';' in one string) as the superuser. */
    public void execute(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new AssertionError(sql + ": " + e.getMessage(), e);
        }
    }

    /** Inserts rows {type, dataJson, targetJson|null} in one transaction, committed or rolled back; answers their ids. */
    public List<Long> insert(boolean commit, String[]... rows) {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            List<Long> ids = insert(c, rows);
            if (commit) {
                c.commit();
            } else {
                c.rollback();
            }
            return ids;
        } catch (SQLException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    /** Inserts on an open connection (its transaction); answers the ids. */
    public static List<Long> insert(Connection c, String[]... rows) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO herald_outbox (type, data, target) VALUES (?, ?::jsonb, ?::jsonb) RETURNING id")) {
            for (String[] row : rows) {
                insert.setString(1, row[0]);
                insert.setString(2, row[1]);
                insert.setString(3, row.length > 2 ? row[2] : null);
                try (ResultSet rs = insert.executeQuery()) {
                    rs.next();
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }

    public long count(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new AssertionError(sql + ": " + e.getMessage(), e);
        }
    }

    /** Rows of a query, each its columns as text. */
    public List<List<String>> rows(String sql) {
        List<List<String>> rows = new ArrayList<>();
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getString(i));
                }
                rows.add(row);
            }
        } catch (SQLException e) {
            throw new AssertionError(sql + ": " + e.getMessage(), e);
        }
        return rows;
    }

    /** Drops a role made for a test (after its database is dropped: roles belong to the whole server). */
    public static void dropRole(String role) {
        try (Connection admin = DriverManager.getConnection(SERVER + "postgres", USER, PASSWORD);
             Statement s = admin.createStatement()) {
            s.execute("DROP ROLE IF EXISTS " + role);
        } catch (SQLException e) {
            System.err.println("could not drop the test role " + role + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        try (Connection admin = DriverManager.getConnection(SERVER + "postgres", USER, PASSWORD);
             Statement s = admin.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            System.err.println("could not drop the test database " + name + ": " + e.getMessage());
        }
    }
}
