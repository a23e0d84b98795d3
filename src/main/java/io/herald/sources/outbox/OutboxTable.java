package io.herald.sources.outbox;

import io.herald.config.HeraldConfig;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The outbox table over one JDBC connection, which also {@code LISTEN}s on the table's channel. Blocking: called only
 * from the outbox's worker thread ({@link OutboxVerticle}), one call at a time, never from an event loop.
 */
final class OutboxTable implements AutoCloseable {
    /** How long connecting may take, and the longest any statement may wait for the server. */
    static final int CONNECT_TIMEOUT_SECONDS = 10;
    static final int SOCKET_TIMEOUT_SECONDS = 60;

    private final HeraldConfig.Outbox config;
    private final String channel;
    private volatile Connection connection;

    OutboxTable(HeraldConfig.Outbox config) {
        this.config = config;
        String table = config.table();
        this.channel = table.substring(table.lastIndexOf('.') + 1);
    }

    boolean isOpen() {
        return connection != null;
    }

    /** Connects (if not connected) and listens on the table's channel. */
    void open() throws SQLException {
        if (connection != null) {
            return;
        }
        Properties props = new Properties();
        if (config.user() != null) {
            props.setProperty("user", config.user());
        }
        if (config.password() != null) {
            props.setProperty("password", config.password());
        }
        props.setProperty("ApplicationName", "herald-outbox");
        props.setProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS));
        props.setProperty("loginTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS));
        props.setProperty("socketTimeout", String.valueOf(SOCKET_TIMEOUT_SECONDS));
        props.setProperty("tcpKeepAlive", "true");
        Connection opened = DriverManager.getConnection(config.jdbcUrl(), props);
        try (Statement listen = opened.createStatement()) {
            listen.execute("LISTEN \"" + channel + "\"");
        } catch (SQLException e) {
            opened.close();
            throw e;
        }
        opened.setAutoCommit(false);
        connection = opened;
    }

    /** The lowest-id rows present, at most {@code limit}, in id order (no cursor: a row committed late with a lower id is read). */
    List<OutboxRow> read(int limit) throws SQLException {
        List<OutboxRow> rows = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT id, type, data::text, target::text, idempotency_key FROM "
                + config.table() + " ORDER BY id LIMIT ?")) {
            select.setInt(1, limit);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    rows.add(new OutboxRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)));
                }
            }
            connection.commit();
        } catch (SQLException e) {
            rollbackQuietly();
            throw e;
        }
        return rows;
    }

    /** In one transaction: copies each bad row (id → error) to the dead table, and deletes those and the published rows. */
    void finish(List<Long> published, Map<Long, String> dead) throws SQLException {
        if (published.isEmpty() && dead.isEmpty()) {
            return;
        }
        try {
            if (!dead.isEmpty()) {
                try (PreparedStatement move = connection.prepareStatement("INSERT INTO " + config.deadTable()
                        + " (id, type, data, target, idempotency_key, created_at, error)"
                        + " SELECT id, type, data, target, idempotency_key, created_at, ? FROM " + config.table() + " WHERE id = ?"
                        + " ON CONFLICT (id) DO NOTHING")) {
                    for (Map.Entry<Long, String> row : dead.entrySet()) {
                        move.setString(1, row.getValue());
                        move.setLong(2, row.getKey());
                        move.addBatch();
                    }
                    move.executeBatch();
                }
            }
            List<Long> ids = new ArrayList<>(published);
            ids.addAll(dead.keySet());
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + config.table() + " WHERE id = ANY (?)")) {
                Array array = connection.createArrayOf("bigint", ids.toArray());
                delete.setArray(1, array);
                delete.executeUpdate();
            }
            connection.commit();
        } catch (SQLException e) {
            rollbackQuietly();
            throw e;
        }
    }

    /** Rows waiting and the oldest one's age in seconds ({@code created_at}; 0 when empty). */
    long[] backlog() throws SQLException {
        try (Statement count = connection.createStatement();
             ResultSet rs = count.executeQuery("SELECT count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::bigint FROM "
                     + config.table())) {
            rs.next();
            long[] result = {rs.getLong(1), Math.max(0, rs.getLong(2))};
            connection.commit();
            return result;
        } catch (SQLException e) {
            rollbackQuietly();
            throw e;
        }
    }

    /** Waits up to {@code millis} for a notification on the table's channel (one already received answers at once). */
    boolean awaitNotification(int millis) throws SQLException {
        PGNotification[] notifications = connection.unwrap(PGConnection.class).getNotifications(millis);
        return notifications != null && notifications.length > 0;
    }

    private void rollbackQuietly() {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the connection is closed by the caller on any failure
        }
    }

    /** Closes the connection (a blocked wait on another thread fails at once). */
    @Override
    public void close() {
        Connection open = connection;
        connection = null;
        if (open != null) {
            try {
                open.abort(Runnable::run);
            } catch (SQLException | RuntimeException ignored) {
                // closing a broken connection
            }
        }
    }
}
