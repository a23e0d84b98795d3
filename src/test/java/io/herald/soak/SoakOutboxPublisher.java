package io.herald.soak;

import io.herald.soak.SoakHistory.Outcome;
import io.herald.soak.SoakHistory.Publish;
import io.herald.testing.OutboxDatabase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A backend writing to the transactional outbox (docs/outbox.md) in its own thread: each transaction inserts 1 to 3
 * rows (a unique {@code pid} in each row's data) and commits, or, one in four, rolls back. A committed row is
 * acknowledged (it must reach every follower exactly once; no epoch or seq: the backend gets none), a rolled-back one
 * must reach no one (the checker's PHANTOM); a commit whose answer was lost is indeterminate. The nodes read the table
 * themselves: the oldest Herald node works it, and another takes over when the schedule kills or stops it.
 */
final class SoakOutboxPublisher implements AutoCloseable {
    private final SoakHistory history;
    private final OutboxDatabase db;
    private final String name;
    private final List<String> types;
    private final long pauseMs;
    private final Random random;
    private final Thread thread;
    private volatile boolean stopped;
    private long n;

    SoakOutboxPublisher(SoakHistory history, OutboxDatabase db, String name, List<String> types, long pauseMs, long seed) {
        this.history = history;
        this.db = db;
        this.name = name;
        this.types = List.copyOf(types);
        this.pauseMs = pauseMs;
        this.random = new Random(seed);
        this.thread = new Thread(this::run, "soak-" + name);
        thread.setDaemon(true);
    }

    SoakOutboxPublisher start() {
        thread.start();
        return this;
    }

    private void run() {
        Connection c = null;
        while (!stopped) {
            try {
                if (c == null) {
                    c = db.connect();
                    c.setAutoCommit(false);
                }
                transaction(c);
                Thread.sleep(pauseMs);
            } catch (InterruptedException e) {
                return;
            } catch (SQLException e) {
                history.note(name + ": " + e.getMessage());
                try {
                    c.close();
                } catch (Exception ignored) {
                    // reconnect
                }
                c = null;
            }
        }
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // done
            }
        }
    }

    private void transaction(Connection c) throws SQLException {
        int rows = 1 + random.nextInt(3);
        boolean commit = random.nextInt(4) != 0;
        List<String[]> sent = new ArrayList<>(); // {pid, type}
        long sentMs = history.now();
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO herald_outbox (type, data) VALUES (?, ?::jsonb)")) {
            for (int i = 0; i < rows; i++) {
                String pid = name + "-" + (++n);
                String type = types.get(random.nextInt(types.size()));
                sent.add(new String[] {pid, type});
                insert.setString(1, type);
                insert.setString(2, "{\"pid\":\"" + pid + "\",\"orderId\":\"" + pid + "\",\"customerId\":\"c-" + name
                        + "\",\"productId\":\"" + SoakChecker.keyOf(pid) + "\"}");
                insert.addBatch();
            }
            insert.executeBatch();
        } catch (SQLException e) {
            c.rollback();
            long doneMs = history.now();
            sent.forEach(s -> history.publish(new Publish(s[0], s[1], name, "outbox", -1, sentMs, doneMs, Outcome.ROLLED_BACK, null, 0,
                    "insert failed: " + e.getMessage())));
            throw e;
        }
        if (!commit) {
            c.rollback();
            long doneMs = history.now();
            sent.forEach(s -> history.publish(new Publish(s[0], s[1], name, "outbox", -1, sentMs, doneMs, Outcome.ROLLED_BACK, null, 0,
                    "rolled back")));
            return;
        }
        long committing = history.now();
        try {
            c.commit();
        } catch (SQLException e) {
            long doneMs = history.now();
            sent.forEach(s -> history.publish(new Publish(s[0], s[1], name, "outbox", -1, committing, doneMs, Outcome.INDETERMINATE, null, 0,
                    "commit: " + e.getMessage())));
            throw e;
        }
        long doneMs = history.now();
        sent.forEach(s -> history.publish(new Publish(s[0], s[1], name, "outbox", -1, committing, doneMs, Outcome.ACKED, null, 0, "committed")));
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.join(30_000);
    }
}
