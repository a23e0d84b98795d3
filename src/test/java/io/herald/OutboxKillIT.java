package io.herald;

import io.herald.testing.Eventually;
import io.herald.testing.OutboxDatabase;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The outbox's worker killed mid-stream (docs/outbox.md): three nodes from the jar, each in its own JVM, reading one
 * table of the machine's PostgreSQL; a writer commits rows of two types one transaction after another (some rolled back)
 * while node 0, the oldest, works the table. Node 0 dies as a SIGKILL ends a process ({@code Runtime.halt}: no
 * shutdown, no goodbye to the cluster) at the worst moment: right after appending the pass that holds row
 * {@value #HALT_ROW}, before recording its keys' answers and deleting its rows ({@code -Dherald.test.haltAfterAppendOf}).
 * Node 1 takes the table over. Every committed
 * row is appended exactly once (by event id and by content), no rolled-back row is, and per type the rows keep their
 * id order in seq. How long the takeover took is logged, not asserted. Before claims carried their event ids, the rows
 * node 0 had appended and not yet recorded were appended a second time after the 30 s lease (the soak's seed 2031).
 */
class OutboxKillIT {
    static final List<String> TYPES = List.of("order:created", "order:updated");
    static final int ROWS = 1500;
    /** The row whose pass node 0 dies after appending (its id: row n has id n + 1 in a new table, and n = 400 commits). */
    static final int HALT_ROW = 401;

    @Test
    void theWorkerKilledMidStreamLeavesEveryCommittedRowOnceInIdOrder() throws Exception {
        try (OutboxDatabase db = new OutboxDatabase()) {
            JsonObject outbox = db.config(200);
            Map<String, String> env = Map.of(
                    "HERALD_SOURCES_OUTBOX_JDBC_URL", outbox.getString("jdbcUrl"),
                    "HERALD_SOURCES_OUTBOX_USER", outbox.getString("user"),
                    "HERALD_SOURCES_OUTBOX_PASSWORD", outbox.getString("password"),
                    "HERALD_SOURCES_OUTBOX_POLL_MS", "200",
                    "HERALD_SOURCES_OUTBOX_BATCH", "100");
            try (JarCluster cluster = new JarCluster(3, env)
                    .env(0, Map.of("JAVA_TOOL_OPTIONS", "-Dherald.test.haltAfterAppendOf=herald_outbox:" + HALT_ROW)).startAll()) {
                Eventually.assertWithin(60, "node 0 works the table", () -> worker(cluster, 0));
                Map<Integer, Long> committed = new ConcurrentHashMap<>(); // n → row id
                Set<Integer> rolledBack = ConcurrentHashMap.newKeySet();
                AtomicInteger written = new AtomicInteger();
                AtomicBoolean failed = new AtomicBoolean();
                Thread writer = new Thread(() -> {
                    try (Connection c = db.connect()) {
                        c.setAutoCommit(false);
                        for (int n = 0; n < ROWS; n++) {
                            String type = TYPES.get(n % 3 == 0 ? 0 : 1);
                            String data = new JsonObject().put("pid", "r-" + n).put("n", n).put("orderId", "o-" + n)
                                    .put("customerId", "c-1").encode();
                            long id = OutboxDatabase.insert(c, new String[]{type, data}).get(0);
                            if (n % 10 == 7) {
                                c.rollback();
                                rolledBack.add(n);
                            } else {
                                c.commit();
                                committed.put(n, id);
                            }
                            written.incrementAndGet();
                            if (n % 10 == 9) {
                                Thread.sleep(30);
                            }
                        }
                    } catch (Exception e) {
                        failed.set(true);
                        throw new IllegalStateException(e);
                    }
                }, "outbox-writer");
                writer.start();
                Eventually.assertWithin(60, "node 0 died right after appending row " + HALT_ROW, () -> !cluster.alive(0));
                long killed = System.nanoTime();
                int appendedByNode0 = historySize(cluster, 1);
                int atKill = written.get();
                Eventually.assertWithin(60, "node 1 works the table", () -> worker(cluster, 1));
                long workerMs = (System.nanoTime() - killed) / 1_000_000;
                writer.join(120_000);
                assertTrue(!failed.get() && !writer.isAlive(), "the writer committed every row");
                Eventually.assertWithin(120, "the table emptied", () -> db.count("SELECT count(*) FROM herald_outbox") == 0);
                long drainedMs = (System.nanoTime() - killed) / 1_000_000;
                System.out.printf("OutboxKillIT: the worker died after appending %d events, %d of %d rows written; node 1 worked the"
                        + " table %d ms after, the table was empty %d ms after%n", appendedByNode0, atKill, ROWS, workerMs, drainedMs);
                assertTrue(appendedByNode0 > 0 && appendedByNode0 < ROWS - rolledBack.size(), "mid-stream");

                Set<String> ids = new HashSet<>();
                Map<Integer, Integer> copies = new HashMap<>();
                for (String type : TYPES) {
                    List<JsonObject> history = cluster.history(1, type);
                    List<Long> rowIds = new ArrayList<>();
                    for (JsonObject event : history) {
                        assertTrue(ids.add(event.getString("id")), "an event id twice: " + event.encode());
                        int n = event.getJsonObject("data").getInteger("n");
                        copies.merge(n, 1, Integer::sum);
                        assertTrue(committed.containsKey(n), "a rolled-back row was published: " + event.encode());
                        rowIds.add(committed.get(n));
                    }
                    for (int i = 1; i < rowIds.size(); i++) {
                        assertTrue(rowIds.get(i - 1) < rowIds.get(i), type + ": id order in seq, at seq " + history.get(i).getLong("seq")
                                + ": row " + rowIds.get(i - 1) + " before " + rowIds.get(i));
                    }
                }
                Map<Integer, Integer> twice = new HashMap<>();
                copies.forEach((n, count) -> {
                    if (count > 1) {
                        twice.put(n, count);
                    }
                });
                assertEquals(Map.of(), twice, "rows appended more than once (by content)");
                assertEquals(committed.keySet(), copies.keySet(), "every committed row appended");
                assertEquals(ROWS - rolledBack.size(), ids.size());
                assertEquals(0L, db.count("SELECT count(*) FROM herald_outbox_dead"), "no dead row");
            }
        }
    }

    static boolean worker(JarCluster cluster, int i) {
        JsonObject ready = cluster.get(i, "/ready").json();
        JsonObject sources = HealthIT.check(ready, "sources").getJsonObject("data");
        return sources.getJsonObject("outbox") != null && sources.getJsonObject("outbox").getBoolean("worker", false);
    }

    static int historySize(JarCluster cluster, int i) {
        int size = 0;
        for (String type : TYPES) {
            size += cluster.history(i, type).size();
        }
        return size;
    }
}
