package io.herald;

import io.herald.node.HeraldNode;

import io.herald.testing.BridgeClient;
import io.herald.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.herald.testing.BridgeClient.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * History, recovery and per-type order across two clustered nodes: A runs 4 HTTP instances (event
 * loops), B two; inventory history keeps 20 events, so that a client can fall behind it.
 */
class RecoveryIT {
    static final int SMALL_HISTORY = 20;
    static HeraldNode nodeA;
    static HeraldNode nodeB;
    static Vertx clients;

    @BeforeAll
    static void startCluster() {
        String cluster = TestNodes.uniqueClusterName();
        int portA = TestNodes.freePort();
        int portB = TestNodes.freePort();
        nodeA = TestNodes.startClustered(cluster, portA, List.of(portA, portB), json -> {
            json.getJsonObject("http").put("instances", 4);
            smallInventoryHistory(json);
        });
        nodeB = TestNodes.startClustered(cluster, portB, List.of(portA, portB), RecoveryIT::smallInventoryHistory);
        clients = Vertx.vertx();
    }

    static void smallInventoryHistory(JsonObject json) {
        json.getJsonObject("history").getJsonObject("namespaces").put("inventory", new JsonObject().put("maxEvents", SMALL_HISTORY));
    }

    @AfterAll
    static void stopCluster() {
        clients.close().await();
        nodeB.close().await();
        nodeA.close().await();
    }

    static BridgeClient staff(HeraldNode node) {
        return BridgeClient.connect(clients, node.port(), TestNodes.token(node, "s-" + node.port(), "staff"));
    }

    static JsonObject publish(HeraldNode node, String type, int n) {
        return TestNodes.publish(node, type, new JsonObject().put("n", n).put("orderId", "o-" + n).put("customerId", "c-" + (n % 2)));
    }

    /** Seqs rise by one from {@code first}, and each envelope carries the epoch. */
    static void assertConsecutive(List<JsonObject> events, long first, String epoch) {
        for (int i = 0; i < events.size(); i++) {
            assertEquals(first + i, events.get(i).getLong("seq"), "event " + i + " of " + events.size());
            assertEquals(epoch, events.get(i).getString("epoch"));
        }
    }

    /** Nothing more arrives for the address for a moment (no duplicate after what was expected). */
    static void assertNothingMore(BridgeClient client, String address) {
        client.sync();
        for (JsonObject frame : client.drain()) {
            assertFalse(address.equals(frame.getString("address")), "unexpected " + frame.encode());
        }
    }

    /** A client that saw one event, was cut off while 50 more were published on both nodes, and comes back on {@code reconnectTo}. */
    void recoversFiftyAfterACut(String type, HeraldNode reconnectTo) {
        JsonObject last;
        try (BridgeClient before = staff(nodeA)) {
            before.register(type).sync();
            publish(nodeA, type, 0);
            last = before.events(type, 1).get(0);
        }
        for (int i = 1; i <= 50; i++) {
            publish(i % 2 == 0 ? nodeA : nodeB, type, i);
        }
        try (BridgeClient after = staff(reconnectTo)) {
            after.register(type, last.getLong("seq"), last.getString("epoch"));
            List<JsonObject> recovered = after.events(type, 50);
            assertConsecutive(recovered, last.getLong("seq") + 1, last.getString("epoch"));
            assertEquals(50, recovered.get(49).getJsonObject("data").getInteger("n"));
            JsonObject live = publish(nodeB, type, 51);
            assertEquals(live.getLong("seq"), after.events(type, 1).get(0).getLong("seq"));
            assertNothingMore(after, type);
        }
    }

    @Test
    void aClientCutOffRecoversEveryEventOnceInOrderOnTheSameNode() {
        recoversFiftyAfterACut("order:updated", nodeA);
    }

    @Test
    void aClientCutOffRecoversEveryEventOnceInOrderOnTheOtherNode() {
        recoversFiftyAfterACut("order:deleted", nodeB);
    }

    @Test
    void liveEventsPublishedDuringARecoveryFollowItWithoutGapOrDuplicate() throws Exception {
        String type = "customer:updated";
        JsonObject first = publish(nodeA, type, 0);
        for (int i = 1; i <= 30; i++) {
            publish(nodeB, type, i);
        }
        try (BridgeClient client = staff(nodeB)) {
            CompletableFuture<Void> meanwhile = CompletableFuture.runAsync(() -> {
                for (int i = 31; i <= 60; i++) {
                    publish(i % 2 == 0 ? nodeA : nodeB, type, i);
                }
            });
            client.register(type, first.getLong("seq"), first.getString("epoch"));
            meanwhile.get();
            List<JsonObject> events = client.events(type, 60);
            assertConsecutive(events, first.getLong("seq") + 1, first.getString("epoch"));
            assertNothingMore(client, type);
        }
    }

    @Test
    void aSinceOlderThanHistoryReportsRecoveryIncompleteThenTheLiveStream() {
        String type = "inventory:low_stock";
        JsonObject first = publish(nodeA, type, 0);
        for (int i = 1; i <= SMALL_HISTORY + 5; i++) {
            publish(nodeB, type, i);
        }
        JsonObject kept = TestNodes.history(nodeA, type, "since=" + first.getLong("seq"));
        assertFalse(kept.getBoolean("complete"));
        assertEquals(SMALL_HISTORY, kept.getJsonArray("events").size());

        try (BridgeClient client = staff(nodeB)) {
            client.register(type, first.getLong("seq"), first.getString("epoch"));
            JsonObject incomplete = client.next(err(type));
            assertEquals("recovery_incomplete", incomplete.getString("failureType"));
            assertEquals(410, incomplete.getInteger("failureCode"));
            JsonObject live = publish(nodeA, type, 99);
            assertEquals(live.getLong("seq"), client.events(type, 1).get(0).getLong("seq"));
        }
    }

    @Test
    void anotherEpochReportsRecoveryIncomplete() {
        String type = "inventory:restocked";
        publish(nodeA, type, 1);
        try (BridgeClient client = staff(nodeA)) {
            client.register(type, 1, "0000000000000");
            assertEquals("recovery_incomplete", client.next(err(type)).getString("failureType"));
        }
        try (BridgeClient client = staff(nodeA)) {
            client.register(type, 1_000_000, null);
            assertEquals("recovery_incomplete", client.next(err(type)).getString("failureType"), "a seq the stream never reached");
        }
    }

    @Test
    void aRecoveredCustomerGetsOnlyItsOwnOrders() {
        String type = "order:status_changed";
        JsonObject before = publish(nodeA, type, 0);
        for (int i = 1; i <= 10; i++) {
            publish(i % 2 == 0 ? nodeA : nodeB, type, i); // customerId c-0 for even n, c-1 for odd
        }
        try (BridgeClient customer = BridgeClient.connect(clients, nodeB.port(), TestNodes.token(nodeB, "c-1", "customer"))) {
            customer.register(type, before.getLong("seq"), before.getString("epoch"));
            List<JsonObject> mine = customer.events(type, 5);
            for (int i = 0; i < 5; i++) {
                assertEquals(2 * i + 1, mine.get(i).getJsonObject("data").getInteger("n"));
                assertEquals("c-1", mine.get(i).getJsonObject("data").getString("customerId"));
            }
            assertNothingMore(customer, type);
        }
    }

    @Test
    void eventsOfOneTypePublishedConcurrentlyOnBothNodesArriveCompleteAndInOrder() {
        String type = "customer:activity";
        try (BridgeClient onA = staff(nodeA); BridgeClient onB = staff(nodeB)) {
            onA.register(type).sync();
            onB.register(type).sync();
            long before = TestNodes.history(nodeA, type, "limit=1").getLong("tail");
            HttpClient http = HttpClient.newBuilder().build();
            List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                sent.add(http.sendAsync(publishRequest(nodeA, type, i), HttpResponse.BodyHandlers.ofString()));
                sent.add(http.sendAsync(publishRequest(nodeB, type, 100 + i), HttpResponse.BodyHandlers.ofString()));
            }
            sent.forEach(response -> assertEquals(202, response.join().statusCode(), response.join().body()));
            String epoch = TestNodes.history(nodeA, type, "limit=1").getString("epoch");
            assertConsecutive(onA.events(type, 200), before + 1, epoch);
            assertConsecutive(onB.events(type, 200), before + 1, epoch);
        }
    }

    static HttpRequest publishRequest(HeraldNode node, String type, int n) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/api/events"))
                .header("Authorization", "Bearer " + node.config().apiKey())
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("type", type).put("data", new JsonObject().put("n", n)).encode()))
                .build();
    }

    @Test
    void historyApiAnswersEnvelopesPositionAndCompleteness() {
        String type = "payment:refunded";
        JsonObject first = publish(nodeA, type, 1);
        publish(nodeB, type, 2);
        publish(nodeA, type, 3);
        long since = first.getLong("seq");

        JsonObject page = TestNodes.history(nodeB, type, "since=" + since + "&limit=1");
        assertTrue(page.getBoolean("complete"));
        assertTrue(page.getBoolean("more"));
        assertEquals(first.getString("epoch"), page.getString("epoch"));
        assertEquals(since + 2, page.getLong("tail"));
        JsonObject envelope = page.getJsonArray("events").getJsonObject(0);
        assertEquals(since + 1, envelope.getLong("seq"));
        assertEquals(type, envelope.getString("type"));
        assertEquals(2, envelope.getJsonObject("data").getInteger("n"));
        assertEquals(since + 1, page.getLong("next"));

        JsonObject rest = TestNodes.history(nodeA, type, "since=" + page.getLong("next"));
        assertEquals(1, rest.getJsonArray("events").size());
        assertFalse(rest.getBoolean("more"));
        assertFalse(TestNodes.history(nodeA, type, "since=" + since + "&epoch=other").getBoolean("complete"));

        assertEquals(401, TestNodes.http("GET", nodeA.port(), "/api/history/" + type, null, null).status());
        assertEquals(200, TestNodes.http("GET", nodeA.port(), "/api/history/" + type, "Bearer " + TestNodes.token(nodeA, "a-1", "admin"), null).status());
        assertEquals(403, TestNodes.http("GET", nodeA.port(), "/api/history/" + type, "Bearer " + TestNodes.token(nodeA, "s-1", "staff"), null).status());
        TestNodes.Response unknown = TestNodes.http("GET", nodeA.port(), "/api/history/payment:stolen", "Bearer " + nodeA.config().apiKey(), null);
        assertEquals(400, unknown.status());
        assertEquals("unknown_event_type", unknown.json().getString("error"));
        TestNodes.Response badSince = TestNodes.http("GET", nodeA.port(), "/api/history/" + type + "?since=-1", "Bearer " + nodeA.config().apiKey(), null);
        assertEquals("invalid_parameter", badSince.json().getString("error"));
    }

    @Test
    void aBadSinceHeaderIsRefusedAndTheSocketStaysOpen() {
        try (BridgeClient client = staff(nodeA)) {
            client.send(new JsonObject().put("type", "register").put("address", "order:created")
                    .put("headers", new JsonObject().put("since", "yesterday")));
            assertEquals("invalid_frame", client.next(err("order:created")).getString("failureType"));
            assertFalse(client.awaitClosedQuickly());
            assertNull(client.closeCode());
        }
    }
}
