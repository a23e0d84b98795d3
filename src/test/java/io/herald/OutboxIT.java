package io.herald;

import io.herald.node.HeraldNode;
import io.herald.testing.BridgeClient;
import io.herald.testing.Eventually;
import io.herald.testing.OutboxDatabase;
import io.herald.testing.TestNodes;
import io.herald.testing.TwoNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The transactional outbox (docs/outbox.md) against the machine's real PostgreSQL (a database of its own per test, made
 * with conf/outbox.sql), real Herald nodes and a real bridge client: an event exists if and only if its transaction
 * committed; a late commit with a lower id is published; bad rows go to the dead table; one node of two works the
 * table and the other takes over; a node that appended and could not delete leaves nothing doubled after the takeover;
 * a database that cannot be reached shows in /ready without making the node unready.
 */
class OutboxIT {
    static Vertx vertx;

    @BeforeAll
    static void setUp() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void tearDown() {
        vertx.close().await();
    }

    static Consumer<JsonObject> outbox(JsonObject outbox) {
        return json -> json.put("sources", new JsonObject().put("outbox", outbox));
    }

    static String[] order(String pid) {
        return new String[] {"order:created", new JsonObject().put("pid", pid).put("orderId", pid).put("customerId", "c-1").encode()};
    }

    static BridgeClient follower(HeraldNode node, String... types) {
        BridgeClient client = BridgeClient.connect(vertx, node.port(), TestNodes.token(node, "admin-1", "admin"));
        for (String type : types) {
            client.register(type);
        }
        return client.sync();
    }

    /** The next {@code count} events of any type (their envelopes). */
    static List<JsonObject> events(BridgeClient client, int count) {
        List<JsonObject> events = new ArrayList<>();
        while (events.size() < count) {
            JsonObject frame = client.next();
            if (!"rec".equals(frame.getString("type"))) {
                throw new AssertionError("not an event: " + frame.encode());
            }
            events.add(frame.getJsonObject("body"));
        }
        return events;
    }

    static List<String> pids(List<JsonObject> events) {
        return events.stream().map(e -> e.getJsonObject("data").getString("pid")).toList();
    }

    /** The pids of a type's whole history, in seq order. */
    static List<String> historyPids(HeraldNode node, String type) {
        JsonArray events = TestNodes.history(node, type, "since=0&limit=1000").getJsonArray("events");
        List<String> pids = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            pids.add(events.getJsonObject(i).getJsonObject("data").getString("pid"));
        }
        return pids;
    }

    static JsonObject ready(HeraldNode node) {
        TestNodes.Response response = TestNodes.http("GET", node.port(), "/ready", null, null);
        return new JsonObject().put("status", response.status()).put("body", response.json());
    }

    /** The outbox's part of /ready's data (the check "sources"). */
    static JsonObject outboxReady(HeraldNode node) {
        JsonArray checks = ready(node).getJsonObject("body").getJsonArray("checks");
        for (int i = 0; i < checks.size(); i++) {
            JsonObject check = checks.getJsonObject(i);
            if ("sources".equals(check.getString("id"))) {
                return check.getJsonObject("data").getJsonObject("outbox");
            }
        }
        throw new AssertionError("no sources check in /ready: " + ready(node).encode());
    }

    static JsonObject totals(HeraldNode node) {
        return TestNodes.http("GET", node.port(), "/api/stats", "Bearer " + node.config().apiKey(), null).json().getJsonObject("totals");
    }

    @Test
    void aCommittedRowIsDeliveredAtOnceAndARolledBackOneNever() throws Exception {
        try (OutboxDatabase db = new OutboxDatabase()) {
            // polling every 10 minutes: after the first pass only the commit's NOTIFY wakes the node
            HeraldNode node = TestNodes.start(TestNodes.config(outbox(db.config(600_000))));
            BridgeClient client = follower(node, "order:created", "payment:received");
            try {
                db.insert(true, order("o-1"), new String[] {"payment:received", "{\"pid\":\"p-1\",\"paymentId\":\"p-1\"}"}, order("o-2"));
                db.insert(false, order("rolled-back"));
                db.insert(true, order("o-3"));
                List<JsonObject> events = events(client, 4); // both types, as they come
                assertEquals(List.of("o-1", "o-2", "o-3"), pids(events.stream().filter(e -> e.getString("type").equals("order:created")).toList()),
                        "committed rows, in id order");
                assertEquals(List.of("p-1"), pids(events.stream().filter(e -> e.getString("type").equals("payment:received")).toList()));
                Eventually.assertWithin(30, "the published rows deleted", () -> db.count("SELECT count(*) FROM herald_outbox") == 0);
                assertEquals(List.of("o-1", "o-2", "o-3"), historyPids(node, "order:created"), "history: the committed rows once each, nothing else");
                Eventually.assertWithin(30, "stats count them", () -> {
                    JsonObject totals = totals(node);
                    return new JsonObject().put("outbox", 4).equals(totals.getJsonObject("sourceAppended"))
                            && new JsonObject().put("outbox", 4).equals(totals.getJsonObject("sourceConsumed"));
                });
                String metrics = TestNodes.http("GET", node.port(), "/metrics", null, null).body();
                assertTrue(metrics.contains("herald_source_appended_total{source=\"outbox\"} 4.0"), metrics);
                JsonObject state = outboxReady(node);
                assertEquals("connected", state.getString("state"), state.encode());
                assertTrue(state.getBoolean("worker"));
            } finally {
                client.close();
                node.close().await();
            }
        }
    }

    @Test
    void aRowThatCommitsLateWithALowerIdThanPublishedRowsIsPublished() throws Exception {
        try (OutboxDatabase db = new OutboxDatabase()) {
            HeraldNode node = TestNodes.start(TestNodes.config(outbox(db.config(500))));
            BridgeClient client = follower(node, "order:created");
            try (Connection late = db.connect()) {
                late.setAutoCommit(false);
                long lateId = OutboxDatabase.insert(late, order("late")).get(0); // takes its id now, commits later
                List<Long> ids = db.insert(true, order("o-a"), order("o-b"));
                assertTrue(lateId < ids.get(0), "the late row has the lower id: " + lateId + " < " + ids);
                List<JsonObject> first = client.events("order:created", 2);
                assertEquals(List.of("o-a", "o-b"), pids(first));
                Eventually.assertWithin(30, "o-a and o-b deleted", () -> db.count("SELECT count(*) FROM herald_outbox") == 0);
                late.commit();
                JsonObject published = client.events("order:created", 1).get(0);
                assertEquals("late", published.getJsonObject("data").getString("pid"));
                assertEquals(first.get(1).getLong("seq") + 1, published.getLong("seq"));
                assertEquals(List.of("o-a", "o-b", "late"), historyPids(node, "order:created"));
            } finally {
                client.close();
                node.close().await();
            }
        }
    }

    @Test
    void badRowsMoveToTheDeadTableWithTheirErrorAndTheOthersArePublished() throws Exception {
        try (OutboxDatabase db = new OutboxDatabase()) {
            HeraldNode node = TestNodes.start(TestNodes.config(outbox(db.config(500))));
            BridgeClient client = follower(node, "order:created");
            try {
                List<Long> ids = db.insert(true,
                        new String[] {"nope:unknown", "{\"pid\":\"bad-type\"}"},
                        new String[] {"order:created", "[1, 2]"},
                        new String[] {"order:created", "{\"pid\":\"bad-target\"}", "{\"users\":\"u-1\"}"},
                        order("good"));
                assertEquals(List.of("good"), pids(client.events("order:created", 1)));
                Eventually.assertWithin(30, "three rows in the dead table, none left",
                        () -> db.count("SELECT count(*) FROM herald_outbox_dead") == 3 && db.count("SELECT count(*) FROM herald_outbox") == 0);
                List<List<String>> dead = db.rows("SELECT id, type, error FROM herald_outbox_dead ORDER BY id");
                assertEquals(String.valueOf(ids.get(0)), dead.get(0).get(0));
                assertTrue(dead.get(0).get(2).startsWith("unknown_event_type: "), dead.toString());
                assertTrue(dead.get(1).get(2).startsWith("invalid_event: 'data' must be a JSON object"), dead.toString());
                assertTrue(dead.get(2).get(2).startsWith("invalid_event: target.users"), dead.toString());
                assertEquals(List.of("good"), historyPids(node, "order:created"));
                Eventually.assertWithin(30, "stats count them", () -> new JsonObject().put("outbox", 3)
                        .equals(totals(node).getJsonObject("sourceDeadLettered")));
            } finally {
                client.close();
                node.close().await();
            }
        }
    }

    @Test
    void aDatabaseThatCannotBeReachedShowsInReadyWithoutMakingTheNodeUnready() {
        JsonObject config = new JsonObject().put("jdbcUrl", "jdbc:postgresql://127.0.0.1:" + TestNodes.freePort() + "/nowhere")
                .put("user", "herald").put("password", "not-logged").put("pollMs", 200);
        HeraldNode node = TestNodes.start(TestNodes.config(outbox(config)));
        try {
            Eventually.assertWithin(30, "the outbox says it is disconnected", () -> "disconnected".equals(outboxReady(node).getString("state")));
            JsonObject ready = ready(node);
            assertEquals(200, ready.getInteger("status"), ready.encode());
            assertTrue(outboxReady(node).getString("error").contains("Connection"), ready.encode());
            assertFalse(ready.encode().contains("not-logged"), "no password in /ready");
            TestNodes.publish(node, "order:created", new JsonObject().put("orderId", "o-http")); // the API works all the same
        } finally {
            node.close().await();
        }
    }

    @Test
    void oneOfTwoNodesWorksTheTableAndTheOtherTakesOverWhenItGoes() throws Exception {
        try (OutboxDatabase db = new OutboxDatabase()) {
            HeraldNode[] nodes = TwoNodes.startPair(outbox(db.config(300)));
            HeraldNode a = nodes[0];
            HeraldNode b = nodes[1];
            BridgeClient client = null;
            boolean aClosed = false;
            try {
                Eventually.assertWithin(60, "two members", () -> a.clusterSize() == 2 && b.clusterSize() == 2);
                Eventually.assertWithin(30, "the oldest node works the table", () -> outboxReady(a).getBoolean("worker"));
                assertFalse(outboxReady(b).getBoolean("worker"), outboxReady(b).encode());
                client = follower(b, "order:created");
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    db.insert(true, order("a-" + i));
                    expected.add("a-" + i);
                }
                assertEquals(expected, pids(client.events("order:created", 10)));
                a.close().await();
                aClosed = true;
                Eventually.assertWithin(60, "the other node works the table", () -> outboxReady(b).getBoolean("worker"));
                List<String> after = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    db.insert(true, order("b-" + i));
                    after.add("b-" + i);
                }
                assertEquals(after, pids(client.events("order:created", 10)));
                expected.addAll(after);
                Eventually.assertWithin(30, "all deleted", () -> db.count("SELECT count(*) FROM herald_outbox") == 0);
                assertEquals(expected, historyPids(b, "order:created"), "each row once, in id order");
            } finally {
                if (client != null) {
                    client.close();
                }
                if (!aClosed) {
                    a.close().await();
                }
                b.close().await();
            }
        }
    }

    /**
     * The worker appends the rows and then cannot delete them (its database user lacks DELETE: it stands for a node that
     * dies between the append and the delete); it tries again and again, and its passes append nothing new (the rows'
     * keys are answered). Then it goes, and the other node, which may delete, takes over: the rows are published by it
     * from their keys, deleted, and history holds each once.
     */
    @Test
    void rowsAppendedByANodeThatDiedBeforeDeletingThemAreNotAppendedAgain() throws Exception {
        String role = "herald_nodelete_" + Long.toHexString(System.nanoTime());
        try (OutboxDatabase db = new OutboxDatabase()) {
            db.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'nodelete';"
                    + "GRANT SELECT ON herald_outbox TO " + role + ";"
                    + "GRANT SELECT, INSERT ON herald_outbox_dead TO " + role);
            String cluster = TestNodes.uniqueClusterName();
            int portA = TestNodes.freePort();
            int portB = TestNodes.freePort();
            List<Integer> members = List.of(portA, portB);
            HeraldNode a = TestNodes.startClustered(cluster, portA, members,
                    outbox(db.config(200).put("user", role).put("password", "nodelete")));
            HeraldNode b = TestNodes.startClustered(cluster, portB, members, outbox(db.config(200)));
            BridgeClient client = null;
            boolean aClosed = false;
            try {
                Eventually.assertWithin(60, "two members", () -> a.clusterSize() == 2 && b.clusterSize() == 2);
                Eventually.assertWithin(30, "node A works the table", () -> outboxReady(a).getBoolean("worker"));
                client = follower(b, "order:created");
                db.insert(true, order("k-1"), order("k-2"), order("k-3"));
                assertEquals(List.of("k-1", "k-2", "k-3"), pids(client.events("order:created", 3)));
                Eventually.assertWithin(30, "node A could not delete", () -> String.valueOf(outboxReady(a).getString("error")).contains("permission denied"));
                Eventually.assertWithin(30, "node A read the rows again (a later pass)", () ->
                        totals(a).getJsonObject("sourceConsumed", new JsonObject()).getLong("outbox", 0L) >= 6);
                assertEquals(3L, db.count("SELECT count(*) FROM herald_outbox"), "the rows are still there");
                assertEquals(List.of("k-1", "k-2", "k-3"), historyPids(b, "order:created"), "its later passes appended nothing new");
                a.close().await();
                aClosed = true;
                Eventually.assertWithin(60, "node B took over and deleted the rows", () -> db.count("SELECT count(*) FROM herald_outbox") == 0);
                assertEquals(List.of("k-1", "k-2", "k-3"), historyPids(b, "order:created"), "appended once: nothing doubled");
                assertEquals(null, client.poll(java.time.Duration.ofSeconds(2)), "no event delivered again");
            } finally {
                if (client != null) {
                    client.close();
                }
                if (!aClosed) {
                    a.close().await();
                }
                b.close().await();
            }
        } finally {
            OutboxDatabase.dropRole(role);
        }
    }
}
