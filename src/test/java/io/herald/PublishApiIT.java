package io.herald;

import io.herald.node.HeraldNode;

import io.herald.testing.BridgeClient;
import io.herald.testing.TestNodes;
import io.herald.testing.TestNodes.Response;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.herald.testing.BridgeClient.rec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** POST /api/events and the ops endpoints over real HTTP. */
class PublishApiIT {
    static HeraldNode node;
    static Vertx clients;
    static String key;

    @BeforeAll
    static void startNode() {
        node = TestNodes.start(TestNodes.config(json -> json.getJsonObject("http").put("maxBodyBytes", 4096).put("maxBatchSize", 5)));
        clients = Vertx.vertx();
        key = "Bearer " + node.config().apiKey();
    }

    @AfterAll
    static void stopNode() {
        clients.close().await();
        node.close().await();
    }

    Response post(String path, String authorization, String body) {
        return TestNodes.http("POST", node.port(), path, authorization, body);
    }

    static void assertError(Response response, int status, String code) {
        assertEquals(status, response.status(), response.body());
        assertEquals(code, response.json().getString("error"));
        assertTrue(response.json().getString("message").length() > 5, "a message for people");
    }

    @Test
    void publishAnswers202WithIdAndRisingSeq() {
        Response first = post("/api/events", key, "{\"type\":\"payment:refunded\",\"data\":{\"amount\":5}}");
        Response second = post("/api/events", key, "{\"type\":\"payment:refunded\"}");
        assertEquals(202, first.status(), first.body());
        assertEquals(202, second.status());
        assertEquals(first.json().getLong("seq") + 1, second.json().getLong("seq"));
        assertEquals(36, first.json().getString("id").length());
    }

    @Test
    void missingOrWrongKeyIs401() {
        assertError(post("/api/events", null, "{\"type\":\"order:created\"}"), 401, "unauthorized");
        assertError(post("/api/events", "Bearer nope", "{\"type\":\"order:created\"}"), 401, "unauthorized");
        assertError(post("/api/events/batch", "Basic abc", "{\"events\":[]}"), 401, "unauthorized");
    }

    @Test
    void anAdminTokenPublishesTooAndOtherRolesDoNot() {
        Response byAdmin = post("/api/events", "Bearer " + TestNodes.token(node, "a-1", "admin"), "{\"type\":\"order:created\",\"data\":{\"n\":1}}");
        assertEquals(202, byAdmin.status(), byAdmin.body());
        assertTrue(byAdmin.json().getLong("seq") > 0);
        assertError(post("/api/events", "Bearer " + TestNodes.token(node, "s-1", "staff"), "{\"type\":\"order:created\"}"), 403, "access_denied");
    }

    @Test
    void devModeHandsOutTokensForAnyRole() throws Exception {
        Response minted = TestNodes.http("GET", node.port(), "/api/dev/token?sub=c-42&role=customer&storeId=s-1", null, null);
        assertEquals(200, minted.status(), minted.body());
        try (BridgeClient customer = BridgeClient.connect(clients, node.port(), minted.json().getString("token"))) {
            customer.register("order:created").register("payment:received");
            assertEquals("access_denied", customer.next(BridgeClient.err("payment:received")).getString("failureType"), "a real customer token");
        }
        assertError(TestNodes.http("GET", node.port(), "/api/dev/token?sub=x&role=wizard", null, null), 400, "invalid_parameter");
        java.net.http.HttpResponse<String> fromAnotherSite = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + node.port() + "/api/dev/token?sub=x&role=admin")).header("Origin", "https://evil.example").build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(403, fromAnotherSite.statusCode(), "a page of another site may not mint itself an admin token");
    }

    @Test
    void badBodiesAre400WithACode() {
        assertError(post("/api/events", key, "{\"type\":"), 400, "invalid_json");
        assertError(post("/api/events", key, ""), 400, "invalid_json");
        assertError(post("/api/events", key, "{\"type\":\"order:teleported\"}"), 400, "unknown_event_type");
        assertError(post("/api/events", key, "{\"data\":{}}"), 400, "invalid_event");
        assertError(post("/api/events", key, "{\"type\":\"order:created\",\"data\":[1]}"), 400, "invalid_event");
        assertError(post("/api/events", key, "{\"type\":\"order:created\",\"target\":{\"users\":\"u-1\"}}"), 400, "invalid_event");
        assertError(post("/api/events", key, "[]"), 400, "invalid_event");
        String big = new JsonObject().put("type", "order:created").put("data", new JsonObject().put("x", "y".repeat(5000))).encode();
        assertError(post("/api/events", key, big), 400, "body_too_large");
        assertEquals(202, post("/api/events", key, "{\"type\":\"order:created\"}").status(), "the node keeps serving");
    }

    @Test
    void batchPublishesInOrder() {
        try (BridgeClient admin = BridgeClient.connect(clients, node.port(), TestNodes.token(node, "a-1", "admin"))) {
            admin.register("system:status").sync();
            JsonArray events = new JsonArray();
            for (int i = 0; i < 3; i++) {
                events.add(new JsonObject().put("type", "system:status").put("data", new JsonObject().put("n", i)));
            }
            Response response = post("/api/events/batch", key, new JsonObject().put("events", events).encode());
            assertEquals(202, response.status(), response.body());
            JsonArray results = response.json().getJsonArray("results");
            assertEquals(3, results.size());
            for (int i = 0; i < 3; i++) {
                JsonObject envelope = admin.next(rec("system:status")).getJsonObject("body");
                assertEquals(i, envelope.getJsonObject("data").getInteger("n"));
                assertEquals(results.getJsonObject(i).getString("id"), envelope.getString("id"));
                assertEquals(results.getJsonObject(0).getLong("seq") + i, envelope.getLong("seq"));
            }
        }
    }

    @Test
    void aBatchWithOneBadEventPublishesNothing() {
        long before = post("/api/events", key, "{\"type\":\"system:maintenance\"}").json().getLong("seq");
        JsonArray events = new JsonArray()
                .add(new JsonObject().put("type", "system:maintenance"))
                .add(new JsonObject().put("type", "system:exploded"));
        Response refused = post("/api/events/batch", key, new JsonObject().put("events", events).encode());
        assertError(refused, 400, "unknown_event_type");
        assertEquals(1, refused.json().getInteger("index"));
        assertEquals(before + 1, post("/api/events", key, "{\"type\":\"system:maintenance\"}").json().getLong("seq"));

        JsonArray tooMany = new JsonArray();
        for (int i = 0; i < 6; i++) {
            tooMany.add(new JsonObject().put("type", "system:maintenance"));
        }
        assertError(post("/api/events/batch", key, new JsonObject().put("events", tooMany).encode()), 400, "batch_too_large");
        assertError(post("/api/events/batch", key, "{\"events\":{}}"), 400, "invalid_event");
    }

    @Test
    void healthStatsAndMetrics() {
        Response health = TestNodes.http("GET", node.port(), "/health", null, null);
        assertEquals(200, health.status());
        assertEquals("UP", health.json().getString("status"));
        assertEquals(node.nodeId(), health.json().getString("node"));

        post("/api/events", key, "{\"type\":\"product:created\"}");
        Response stats = TestNodes.http("GET", node.port(), "/api/stats", key, null); // needs the API key (or an admin token)
        assertEquals(200, stats.status());
        assertEquals(1, stats.json().getJsonObject("totals").getInteger("nodes"));
        assertTrue(stats.json().getJsonObject("totals").getLong("eventsPublished") >= 1);

        Response metrics = TestNodes.http("GET", node.port(), "/metrics", null, null);
        assertEquals(200, metrics.status());
        assertTrue(metrics.body().contains("herald_events_published_total"), metrics.body());
        assertTrue(metrics.body().contains("herald_connections"));

        JsonObject catalog = TestNodes.http("GET", node.port(), "/api/catalog", null, null).json().getJsonObject("namespaces");
        assertEquals("customerId", catalog.getJsonObject("orders").getString("ownerField"));
        assertTrue(catalog.getJsonObject("payments").getJsonArray("types").contains("payment:refunded"));

        Response console = TestNodes.http("GET", node.port(), "/", null, null);
        assertEquals(200, console.status());
        assertTrue(console.body().contains("console.js"), "the console page");

        assertError(TestNodes.http("GET", node.port(), "/api/nothing-here", null, null), 404, "not_found");
    }
}
