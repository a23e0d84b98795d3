package io.herald;

import io.herald.node.HeraldNode;
import io.herald.testing.BridgeClient;
import io.herald.testing.Eventually;
import io.herald.testing.TestNodes;
import io.herald.testing.OnTwoNodes;
import io.herald.testing.TwoNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keyed state (docs/state.md) on two clustered nodes: a snapshot through {@code herald:state} continued by a
 * {@code register} with its {@code since} while both nodes keep publishing ends equal to the truth; ownership in
 * snapshots; deletes; {@code maxKeys}; {@code access_denied}; {@code GET /api/state/{type}}. The catalog is the shipped
 * one plus a type {@code test:stock} keyed by {@code sku} with a small {@code maxKeys}.
 */
class StateIT extends OnTwoNodes {
    static final String STOCK = "inventory:updated";
    static final String ORDERS = "order:status_changed";
    static final String SMALL = "test:stock";
    static final int SMALL_MAX_KEYS = 300;

    @BeforeAll
    static void startCluster() throws Exception {
        JsonObject catalog = new JsonObject(Files.readString(Path.of("conf/catalog.json")));
        catalog.getJsonObject("namespaces").put("test", new JsonObject().put("types", new JsonArray().add(SMALL))
                .put("options", new JsonObject().put(SMALL, new JsonObject().put("state", new JsonObject().put("key", "sku").put("maxKeys", SMALL_MAX_KEYS)))));
        Path file = Files.createTempFile("state-catalog", ".json");
        Files.writeString(file, catalog.encode());
        file.toFile().deleteOnExit();
        startNodes(json -> json.put("catalog", file.toString()));
    }

    static JsonObject control(BridgeClient client, String address, JsonObject body) {
        return TwoNodes.ask(client, address, body);
    }

    /** The whole snapshot through herald:state, in pages of {@code limit}: the first page's seq and epoch, the entries by key. */
    record Snapshot(long seq, String epoch, Map<String, JsonObject> entries, int pages) {
    }

    static Snapshot snapshot(BridgeClient client, String type, int limit) {
        Map<String, JsonObject> entries = new TreeMap<>();
        Long seq = null;
        String epoch = null;
        String next = null;
        int pages = 0;
        do {
            JsonObject body = new JsonObject().put("type", type).put("limit", limit);
            if (next != null) {
                body.put("next", next);
            }
            JsonObject frame = control(client, "herald:state", body);
            assertEquals("rec", frame.getString("type"), frame.encode());
            JsonObject page = frame.getJsonObject("body");
            assertEquals(type, page.getString("type"));
            assertTrue(page.getJsonArray("entries").size() <= limit);
            if (seq == null) {
                seq = page.getLong("seq");
                epoch = page.getString("epoch");
            }
            for (Object entry : page.getJsonArray("entries")) {
                JsonObject envelope = (JsonObject) entry;
                String key = envelope.getJsonObject("data").getValue(keyField(type)).toString();
                assertTrue(entries.put(key, envelope) == null, "each key once in a snapshot: " + key);
            }
            next = page.getBoolean("more") ? page.getString("next") : null;
            pages++;
        } while (next != null);
        return new Snapshot(seq, epoch, entries, pages);
    }

    static String keyField(String type) {
        return type.equals(ORDERS) ? "orderId" : type.equals(SMALL) ? "sku" : "productId";
    }

    /** GET /api/state/{type}, every page. */
    static Map<String, JsonObject> stateOverHttp(HeraldNode node, String type) {
        Map<String, JsonObject> entries = new TreeMap<>();
        String next = "";
        while (next != null) {
            TestNodes.Response response = TestNodes.http("GET", node.port(), "/api/state/" + type + "?limit=500&next="
                    + java.net.URLEncoder.encode(next, java.nio.charset.StandardCharsets.UTF_8), "Bearer " + node.config().apiKey(), null);
            assertEquals(200, response.status(), response.body());
            JsonObject page = response.json();
            assertNotNull(page.getValue("seq"));
            assertNotNull(page.getString("epoch"));
            for (Object entry : page.getJsonArray("entries")) {
                JsonObject envelope = (JsonObject) entry;
                entries.put(envelope.getJsonObject("data").getValue(keyField(type)).toString(), envelope);
            }
            next = page.getBoolean("more") ? page.getString("next") : null;
        }
        return entries;
    }

    /** The client's rule (herald.js): an event whose seq is not above its key's entry is one the entry reflects. */
    static void apply(Map<String, JsonObject> state, JsonObject event, String keyField) {
        String key = event.getJsonObject("data").getValue(keyField).toString();
        JsonObject current = state.get(key);
        if (current != null && current.getString("epoch").equals(event.getString("epoch")) && event.getLong("seq") <= current.getLong("seq")) {
            return;
        }
        if (Boolean.TRUE.equals(event.getBoolean("delete"))) {
            state.remove(key);
        } else {
            state.put(key, event);
        }
    }

    @Test
    void aSnapshotContinuedWithItsSeqWhileBothNodesPublishEndsEqualToTheTruth() throws Exception {
        // the truth: every accepted publish by seq
        Map<Long, JsonObject> published = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger count = new AtomicInteger();
        List<Thread> publishers = new ArrayList<>();
        for (HeraldNode node : List.of(nodeA, nodeB)) {
            Thread thread = new Thread(() -> {
                Random random = new Random(node.port());
                while (!stop.get()) {
                    String key = "p-" + random.nextInt(40);
                    boolean delete = random.nextInt(8) == 0;
                    JsonObject event = new JsonObject().put("type", STOCK)
                            .put("data", new JsonObject().put("productId", key).put("quantity", random.nextInt(1000)));
                    if (delete) {
                        event.put("delete", true);
                    }
                    JsonObject reply = TestNodes.publish(node, event);
                    published.put(reply.getLong("seq"), event);
                    count.incrementAndGet();
                }
            });
            thread.start();
            publishers.add(thread);
        }
        Eventually.assertWithin(30, "state", () -> count.get() >= 100);
        BridgeClient client = connect(nodeB, "s-1", "staff");
        Snapshot snapshot = snapshot(client, STOCK, 7);
        assertTrue(snapshot.pages() > 1, "several pages while events keep coming");
        client.register(STOCK, snapshot.seq(), snapshot.epoch());
        int before = count.get();
        Eventually.assertWithin(30, "state", () -> count.get() >= before + 200);
        stop.set(true);
        for (Thread thread : publishers) {
            thread.join(30_000);
        }
        long last = published.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
        Map<String, JsonObject> state = new TreeMap<>(snapshot.entries());
        long seen = snapshot.seq();
        while (seen < last) {
            JsonObject event = client.events(STOCK, 1).get(0);
            assertEquals(seen + 1, event.getLong("seq"), "the stream after the snapshot's seq, with no gap");
            seen = event.getLong("seq");
            apply(state, event, "productId");
        }
        state.keySet().removeIf(key -> !key.startsWith("p-")); // other tests' keys
        Map<String, Long> truth = new TreeMap<>();
        published.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            String key = e.getValue().getJsonObject("data").getString("productId");
            if (e.getValue().getBoolean("delete", false)) {
                truth.remove(key);
            } else {
                truth.put(key, e.getKey());
            }
        });
        assertEquals(truth, seqs(state), "the client's map after the snapshot and the stream");
        // and the state kept in the cluster, read from either node
        Eventually.assertWithin(30, "state", () -> truth.equals(own(seqs(stateOverHttp(nodeA, STOCK)))));
        assertEquals(truth, own(seqs(stateOverHttp(nodeB, STOCK))));
        client.close();
    }

    /** herald.js's herald.state() and React's useHeraldState (herald-state.mjs) against both nodes while they publish. */
    @Test
    void heraldJsKeepsAMapEqualToTheTruth() throws Exception {
        io.herald.testing.NodeScripts.requireInstalled();
        JsonObject args = new JsonObject()
                .put("urls", new JsonArray().add("http://127.0.0.1:" + nodeA.port()).add("http://127.0.0.1:" + nodeB.port()))
                .put("apiKey", nodeA.config().apiKey())
                .put("jwtSecret", nodeA.config().auth().jwtSecret())
                .put("type", STOCK)
                .put("keyField", "productId");
        JsonObject observed = io.herald.testing.NodeScripts.run("herald-state.mjs", args.encode());
        assertEquals(true, observed.getBoolean("equal"), observed.encode());
        assertTrue(observed.getInteger("keys") > 0, observed.encode());
        assertEquals(1, observed.getInteger("snapshots"), observed.encode());
        assertEquals("access_denied", observed.getString("guest"));
        assertEquals("ready 42", observed.getString("reactAfter"));
    }

    static Map<String, Long> own(Map<String, Long> seqs) {
        seqs.keySet().removeIf(key -> !key.startsWith("p-"));
        return seqs;
    }

    static Map<String, Long> seqs(Map<String, JsonObject> state) {
        Map<String, Long> seqs = new TreeMap<>();
        state.forEach((key, envelope) -> seqs.put(key, envelope.getLong("seq")));
        return seqs;
    }

    @Test
    void aCustomersSnapshotHoldsOnlyTheirOrdersAndARoleThatMayNotReadIsDenied() {
        for (int i = 1; i <= 6; i++) {
            TestNodes.publish(nodeA, ORDERS, new JsonObject().put("orderId", "own-" + i).put("customerId", i % 2 == 1 ? "c-own-1" : "c-own-2")
                    .put("to", "paid"));
        }
        BridgeClient staff = connect(nodeB, "s-2", "staff");
        Eventually.assertWithin(30, "state", () -> snapshot(staff, ORDERS, 500).entries().keySet().stream()
                .filter(k -> k.startsWith("own-")).count() == 6);
        BridgeClient customer = connect(nodeB, "c-own-1", "customer");
        Snapshot mine = snapshot(customer, ORDERS, 2);
        assertEquals(List.of("own-1", "own-3", "own-5"), new ArrayList<>(mine.entries().keySet()));
        mine.entries().values().forEach(e -> assertEquals("c-own-1", e.getJsonObject("data").getString("customerId")));

        BridgeClient guest = connect(nodeA, "g-1", "guest");
        JsonObject denied = control(guest, "herald:state", new JsonObject().put("type", ORDERS));
        assertEquals("err", denied.getString("type"));
        assertEquals("access_denied", denied.getString("failureType"));
        JsonObject notKeyed = control(guest, "herald:state", new JsonObject().put("type", "product:created"));
        assertEquals("not_found", notKeyed.getString("failureType"));
        JsonObject badFilter = control(staff, "herald:state", new JsonObject().put("type", ORDERS).put("filter", "{\"field\":\"x\"}"));
        assertEquals("invalid_filter", badFilter.getString("failureType"));
        // a filter narrows a snapshot: the staff's, to one customer's orders; the customer's own, to nothing more than theirs
        JsonObject filter = new JsonObject().put("field", "data.customerId").put("op", "eq").put("value", "c-own-2");
        JsonObject narrowed = control(staff, "herald:state", new JsonObject().put("type", ORDERS).put("filter", filter.encode()));
        List<String> narrowedKeys = narrowed.getJsonObject("body").getJsonArray("entries").stream()
                .map(e -> ((JsonObject) e).getJsonObject("data").getString("orderId")).filter(k -> k.startsWith("own-")).sorted().toList();
        assertEquals(List.of("own-2", "own-4", "own-6"), narrowedKeys);
        JsonObject notMine = control(customer, "herald:state", new JsonObject().put("type", ORDERS).put("filter", filter.encode()));
        assertEquals(0, notMine.getJsonObject("body").getJsonArray("entries").size(), "a filter never widens ownership");
        JsonObject badLimit = control(staff, "herald:state", new JsonObject().put("type", ORDERS).put("limit", 501));
        assertEquals("invalid_parameter", badLimit.getString("failureType"));
        JsonObject badNext = control(staff, "herald:state", new JsonObject().put("type", ORDERS).put("next", "nonsense"));
        assertEquals("invalid_parameter", badNext.getString("failureType"));
        staff.close();
        customer.close();
        guest.close();
    }

    @Test
    void aDeleteRemovesItsKeyAndIsDeliveredAndKeptInHistory() {
        BridgeClient staff = connect(nodeA, "s-3", "staff");
        staff.register(STOCK).sync();
        TestNodes.publish(nodeA, STOCK, new JsonObject().put("productId", "gone-1").put("quantity", 3));
        TestNodes.publish(nodeB, new JsonObject().put("type", STOCK).put("data", new JsonObject().put("productId", "gone-1")).put("delete", true));
        List<JsonObject> events = new ArrayList<>();
        Eventually.assertWithin(30, "state", () -> {
            JsonObject frame = staff.poll(Duration.ofMillis(200));
            if (frame != null && STOCK.equals(frame.getString("address"))
                    && "gone-1".equals(frame.getJsonObject("body").getJsonObject("data").getString("productId"))) {
                events.add(frame.getJsonObject("body"));
            }
            return events.size() == 2;
        });
        assertEquals(true, events.get(1).getBoolean("delete"), "the delete is delivered, marked");
        JsonObject history = TestNodes.history(nodeB, STOCK, "since=" + (events.get(1).getLong("seq") - 1));
        assertEquals(true, history.getJsonArray("events").getJsonObject(0).getBoolean("delete"), "and kept in history, marked");
        Eventually.assertWithin(30, "state", () -> !stateOverHttp(nodeA, STOCK).containsKey("gone-1"));

        // a delete of a type that keeps no state, or without its key, is refused; an event without its key is kept, not in state
        TestNodes.Response refused = TestNodes.http("POST", nodeA.port(), "/api/events", "Bearer " + nodeA.config().apiKey(),
                new JsonObject().put("type", "product:created").put("data", new JsonObject()).put("delete", true).encode());
        assertEquals(400, refused.status());
        assertEquals("invalid_event", refused.json().getString("error"));
        TestNodes.Response noKey = TestNodes.http("POST", nodeA.port(), "/api/events", "Bearer " + nodeA.config().apiKey(),
                new JsonObject().put("type", STOCK).put("data", new JsonObject().put("sku", 1)).put("delete", true).encode());
        assertEquals("invalid_event", noKey.json().getString("error"));
        JsonObject unkeyed = TestNodes.publish(nodeA, STOCK, new JsonObject().put("quantity", 1));
        JsonObject kept = TestNodes.history(nodeA, STOCK, "since=" + (unkeyed.getLong("seq") - 1) + "&limit=1");
        assertEquals(1, kept.getJsonArray("events").size());
        Eventually.assertWithin(30, "state", () -> TestNodes.http("GET", nodeA.port(), "/metrics", "Bearer " + nodeA.config().apiKey(), null)
                .body().contains("herald_state_updates_total{result=\"unkeyed\"}"));
        staff.close();
    }

    @Test
    void pastMaxKeysKeysAreEvictedAndTheStateStaysNearItsBound() {
        long updatesBefore = stateUpdatesDone(nodeA) + stateUpdatesDone(nodeB);
        int published = 0;
        for (int batch = 0; batch < 6; batch++) {
            JsonArray events = new JsonArray();
            for (int i = 0; i < 250; i++) {
                events.add(new JsonObject().put("type", SMALL).put("data", new JsonObject().put("sku", "sku-" + (published++))));
            }
            TestNodes.Response response = TestNodes.http("POST", (batch % 2 == 0 ? nodeA : nodeB).port(), "/api/events/batch",
                    "Bearer " + nodeA.config().apiKey(), new JsonObject().put("events", events).encode());
            assertEquals(202, response.status(), response.body());
        }
        int partitions = 271;
        int bound = (SMALL_MAX_KEYS + partitions - 1) / partitions * partitions; // per partition, ceil(maxKeys / partitions)
        // the eviction is approximate (a partition keeps 2 keys here, and its sampled LRU may drop even the newest):
        // wait until every update ended, not for a given key
        Eventually.assertWithin(60, "every update landed", () -> stateUpdatesDone(nodeA) + stateUpdatesDone(nodeB) - updatesBefore >= 1500);
        Map<String, JsonObject> kept = stateOverHttp(nodeB, SMALL);
        assertTrue(kept.size() <= bound, kept.size() + " keys kept of 1500, bound " + bound);
        assertTrue(kept.size() >= SMALL_MAX_KEYS / 2, kept.size() + " keys kept of 1500");
        assertFalse(kept.isEmpty());
    }

    /** State updates that ended on the node (applied or failed), of every keyed type, from its {@code /metrics}. */
    static long stateUpdatesDone(HeraldNode node) {
        long done = 0;
        for (String line : TestNodes.http("GET", node.port(), "/metrics", "Bearer " + node.config().apiKey(), null).body().split("\n")) {
            if (line.startsWith("herald_state_updates_total{result=\"applied\"}") || line.startsWith("herald_state_updates_total{result=\"failed\"}")) {
                done += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return done;
    }

    @Test
    void theHttpEndpointAnswersTheSameShapeForBackendsOnly() {
        TestNodes.publish(nodeB, STOCK, new JsonObject().put("productId", "http-1").put("quantity", 7));
        Eventually.assertWithin(30, "state", () -> stateOverHttp(nodeA, STOCK).containsKey("http-1"));
        TestNodes.Response page = TestNodes.http("GET", nodeA.port(), "/api/state/" + STOCK + "?limit=1", "Bearer " + nodeA.config().apiKey(), null);
        assertEquals(200, page.status());
        JsonObject body = page.json();
        assertEquals(STOCK, body.getString("type"));
        assertEquals(1, body.getJsonArray("entries").size());
        assertTrue(body.getBoolean("more"));
        assertNotNull(body.getString("next"));
        assertTrue(body.getLong("seq") >= 0);
        assertEquals(401, TestNodes.http("GET", nodeA.port(), "/api/state/" + STOCK, null, null).status());
        assertEquals(403, TestNodes.http("GET", nodeA.port(), "/api/state/" + STOCK,
                "Bearer " + TestNodes.token(nodeA, "s-9", "staff"), null).status(), "a token of another role than admin");
        assertEquals(200, TestNodes.http("GET", nodeA.port(), "/api/state/" + STOCK,
                "Bearer " + TestNodes.token(nodeA, "a-9", "admin"), null).status());
        TestNodes.Response notKeyed = TestNodes.http("GET", nodeA.port(), "/api/state/product:created", "Bearer " + nodeA.config().apiKey(), null);
        assertEquals(404, notKeyed.status());
        assertEquals("not_found", notKeyed.json().getString("error"));
        assertEquals(400, TestNodes.http("GET", nodeA.port(), "/api/state/nope:nope", "Bearer " + nodeA.config().apiKey(), null).status());
        assertEquals(400, TestNodes.http("GET", nodeA.port(), "/api/state/" + STOCK + "?limit=0", "Bearer " + nodeA.config().apiKey(), null).status());
        assertEquals(400, TestNodes.http("GET", nodeA.port(), "/api/state/" + STOCK + "?next=zz", "Bearer " + nodeA.config().apiKey(), null).status());
    }

    @Test
    void aSingleNodeKeepsStateInMemoryWithExactEviction() {
        JsonObject catalog;
        try {
            catalog = new JsonObject(Files.readString(Path.of("conf/catalog.json")));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        catalog.getJsonObject("namespaces").getJsonObject("inventory").getJsonObject("options").getJsonObject(STOCK)
                .getJsonObject("state").put("maxKeys", 3);
        Path file;
        try {
            file = Files.createTempFile("state-single", ".json");
            Files.writeString(file, catalog.encode());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        HeraldNode single = TestNodes.start(TestNodes.config(json -> {
            json.put("catalog", file.toString());
            JsonObject limits = json.getJsonObject("limits");
            if (limits == null) {
                limits = new JsonObject();
                json.put("limits", limits);
            }
            limits.put("stateQueriesPerMinute", 4);
        }));
        try {
            for (int i = 1; i <= 5; i++) {
                TestNodes.publish(single, STOCK, new JsonObject().put("productId", "k-" + i));
            }
            TestNodes.publish(single, STOCK, new JsonObject().put("productId", "k-3").put("quantity", 1));
            TestNodes.publish(single, STOCK, new JsonObject().put("productId", "k-6"));
            assertEquals(List.of("k-3", "k-5", "k-6"), new ArrayList<>(stateOverHttp(single, STOCK).keySet()),
                    "the least recently updated keys went first");
            BridgeClient client = BridgeClient.connect(clients, single.port(), TestNodes.token(single, "s-1", "staff"));
            Snapshot snapshot = snapshot(client, STOCK, 2);
            assertEquals(3, snapshot.entries().size());
            assertTrue(snapshot.seq() <= 7, "the tail, less the events of the last second");
            // limits.stateQueriesPerMinute 4: the snapshot took 2 pages, 2 more are answered, the next is refused
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                JsonObject reply = control(client, "herald:state", new JsonObject().put("type", STOCK));
                answers.add("err".equals(reply.getString("type")) ? reply.getString("failureType") : "page");
            }
            assertEquals(List.of("page", "page", "rate_limited"), answers);
            client.close();
        } finally {
            single.close().await();
            file.toFile().delete();
        }
    }
}
