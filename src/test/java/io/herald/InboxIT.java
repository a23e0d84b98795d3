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

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-user inbox (docs/backends.md) on two clustered nodes with the shipped catalog ({@code order:status_changed}
 * and {@code system:notification} kept) and {@code inbox.maxPerUser} 5: an event published while its user is offline is
 * in the inbox when the user connects to the other node; an acknowledgement on one node removes it on both; the cut at
 * maxPerUser; a customer reads only its own orders; an event aimed at a role is filed for nobody;
 * {@code GET /api/inbox/{userId}}. Each test has users of its own.
 */
class InboxIT extends OnTwoNodes {
    static final String ORDER = "order:status_changed";
    static final String NOTE = "system:notification";
    static final int MAX_PER_USER = 5;

    @BeforeAll
    static void startCluster() {
        startNodes(json -> json.put("inbox", new JsonObject()
                .put("maxPerUser", MAX_PER_USER).put("maxAgeSeconds", 3600).put("maxUsers", 10_000).put("requestsPerMinute", 1000)));
    }

    static JsonObject control(BridgeClient client, String address, JsonObject body) {
        JsonObject frame = TwoNodes.ask(client, address, body);
        assertEquals("rec", frame.getString("type"), frame.encode());
        return frame.getJsonObject("body");
    }

    static JsonObject order(String customer, String orderId, String status) {
        return new JsonObject().put("type", ORDER).put("data", new JsonObject().put("orderId", orderId).put("customerId", customer).put("status", status));
    }

    /** GET /api/inbox/{user} on this node with its API key: the first page. */
    static JsonObject overHttp(HeraldNode node, String user, String query) {
        TestNodes.Response response = TestNodes.http("GET", node.port(), "/api/inbox/" + user + query, "Bearer " + node.config().apiKey(), null);
        assertEquals(200, response.status(), response.body());
        return response.json();
    }

    static List<String> ids(JsonObject page) {
        List<String> ids = new ArrayList<>();
        page.getJsonArray("entries").forEach(e -> ids.add(((JsonObject) e).getString("id")));
        return ids;
    }

    /** Waits until the user's inbox (read over HTTP on {@code node}) holds {@code count} entries. */
    static void awaitFiled(HeraldNode node, String user, int count) {
        Eventually.assertWithin(30, user + "'s inbox holds " + count, () -> overHttp(node, user, "").getInteger("unread") == count);
    }

    @Test
    void anEventPublishedWhileTheUserIsOfflineWaitsInTheInboxOnTheOtherNode() {
        String shipped = TestNodes.publish(nodeA, order("c-off", "o-1", "shipped")).getString("id");
        String note = TestNodes.publish(nodeA, new JsonObject().put("type", NOTE).put("data", new JsonObject().put("text", "hello"))
                .put("target", new JsonObject().put("users", new JsonArray().add("c-off")))).getString("id");
        awaitFiled(nodeB, "c-off", 2);
        try (BridgeClient customer = connect(nodeB, "c-off", "customer")) {
            JsonObject page = control(customer, "herald:inbox", new JsonObject());
            assertEquals(List.of(shipped), ids(page), "a customer may not read system: the notification is filed but not shown");
            assertEquals(1, page.getInteger("unread"));
            assertFalse(page.getBoolean("more"));
            JsonObject envelope = page.getJsonArray("entries").getJsonObject(0);
            assertEquals(ORDER, envelope.getString("type"));
            assertEquals("shipped", envelope.getJsonObject("data").getString("status"));
            assertTrue(envelope.getLong("seq") > 0);
        }
        try (BridgeClient admin = connect(nodeA, "c-off", "admin")) {
            assertEquals(List.of(note, shipped), ids(control(admin, "herald:inbox", new JsonObject())), "newest first; the same user as admin reads both");
        }
    }

    @Test
    void anAcknowledgementOnOneNodeRemovesTheEntryOnBoth() {
        String first = TestNodes.publish(nodeB, order("c-ack", "o-1", "paid")).getString("id");
        String second = TestNodes.publish(nodeA, order("c-ack", "o-1", "shipped")).getString("id");
        awaitFiled(nodeA, "c-ack", 2);
        try (BridgeClient onA = connect(nodeA, "c-ack", "customer"); BridgeClient onB = connect(nodeB, "c-ack", "customer")) {
            assertEquals(List.of(second, first), ids(control(onA, "herald:inbox", new JsonObject())));
            assertEquals(1, control(onB, "herald:ack", new JsonObject().put("ids", new JsonArray().add(first).add("not-an-event"))).getInteger("acked"));
            JsonObject afterA = control(onA, "herald:inbox", new JsonObject());
            assertEquals(List.of(second), ids(afterA), "gone on the other node at once");
            assertEquals(1, afterA.getInteger("unread"));
            assertEquals(List.of(second), ids(control(onB, "herald:inbox", new JsonObject())));
            assertEquals(0, control(onA, "herald:ack", new JsonObject().put("ids", new JsonArray().add(first))).getInteger("acked"), "once");
            assertEquals(1, control(onA, "herald:ack", new JsonObject().put("ids", new JsonArray().add(second))).getInteger("acked"));
            assertEquals(0, control(onB, "herald:inbox", new JsonObject()).getInteger("unread"));
        }
    }

    @Test
    void pastMaxPerUserTheOldestGoFirst() {
        List<String> published = new ArrayList<>();
        for (int i = 0; i < MAX_PER_USER + 3; i++) {
            published.add(TestNodes.publish(i % 2 == 0 ? nodeA : nodeB, order("c-cut", "o-" + i, "step " + i)).getString("id"));
        }
        List<String> newest = new ArrayList<>(published.subList(published.size() - MAX_PER_USER, published.size()));
        java.util.Collections.reverse(newest);
        // filings from two nodes may land in any order: once all have, the inbox holds exactly the five newest
        Eventually.assertWithin(30, "the five newest filed", () -> ids(overHttp(nodeA, "c-cut", "")).equals(newest));
        try (BridgeClient customer = connect(nodeB, "c-cut", "customer")) {
            JsonObject first = control(customer, "herald:inbox", new JsonObject().put("limit", 3));
            assertEquals(MAX_PER_USER, first.getInteger("unread"));
            assertTrue(first.getBoolean("more"));
            JsonObject second = control(customer, "herald:inbox", new JsonObject().put("limit", 3).put("next", first.getString("next")));
            assertFalse(second.getBoolean("more"));
            List<String> all = new ArrayList<>(ids(first));
            all.addAll(ids(second));
            assertEquals(newest, all, "the five newest, newest first, in two pages");
        }
    }

    @Test
    void aCustomerSeesOnlyItsOwnOrders() {
        String own = TestNodes.publish(nodeA, order("c-own", "o-1", "paid")).getString("id");
        String aimed = TestNodes.publish(nodeA, order("c-other", "o-2", "paid")
                .put("target", new JsonObject().put("users", new JsonArray().add("c-own")))).getString("id");
        String others = TestNodes.publish(nodeB, order("c-other", "o-3", "paid")).getString("id");
        awaitFiled(nodeA, "c-own", 2);
        awaitFiled(nodeA, "c-other", 2);
        try (BridgeClient mine = connect(nodeB, "c-own", "customer"); BridgeClient theirs = connect(nodeA, "c-other", "customer")) {
            assertEquals(List.of(aimed, own), ids(control(mine, "herald:inbox", new JsonObject())),
                    "its own order, and one aimed at it by user id");
            JsonObject other = control(theirs, "herald:inbox", new JsonObject());
            assertEquals(List.of(others), ids(other), "the order aimed at c-own is filed for its owner too, but the owner is not "
                    + "aimed at, so (as live delivery) it does not see it");
            assertEquals(1, other.getInteger("unread"));
            // acknowledging another user's entry does nothing to that user's inbox
            assertEquals(0, control(theirs, "herald:ack", new JsonObject().put("ids", new JsonArray().add(own))).getInteger("acked"));
        }
        assertTrue(ids(overHttp(nodeB, "c-own", "")).contains(own));
    }

    @Test
    void anEventAimedAtARoleIsFiledForNobodyAndTheApiNeedsAKey() {
        TestNodes.publish(nodeA, new JsonObject().put("type", NOTE).put("data", new JsonObject().put("text", "to admins"))
                .put("target", new JsonObject().put("roles", new JsonArray().add("admin"))));
        String marker = TestNodes.publish(nodeA, new JsonObject().put("type", NOTE).put("data", new JsonObject().put("text", "to a-role"))
                .put("target", new JsonObject().put("users", new JsonArray().add("a-role")))).getString("id");
        awaitFiled(nodeB, "a-role", 1);
        try (BridgeClient admin = connect(nodeB, "a-role", "admin")) {
            assertEquals(List.of(marker), ids(control(admin, "herald:inbox", new JsonObject())), "only the event aimed at the user by id");
        }
        assertEquals(401, TestNodes.http("GET", nodeA.port(), "/api/inbox/a-role", null, null).status());
        assertEquals(400, TestNodes.http("GET", nodeA.port(), "/api/inbox/a-role?limit=501", "Bearer " + nodeA.config().apiKey(), null).status());
        assertEquals(400, TestNodes.http("GET", nodeA.port(), "/api/inbox/a-role?next=bad", "Bearer " + nodeA.config().apiKey(), null).status());
        try (BridgeClient guest = BridgeClient.connect(clients, nodeA.port(), null)) {
            String reply = "reply-guest";
            guest.request("herald:inbox", new JsonObject(), reply);
            JsonObject err = guest.next(f -> reply.equals(f.getString("address")));
            assertEquals("err", err.getString("type"));
            assertEquals("access_denied", err.getString("failureType"));
        }
    }

    /** herald.js's herald.inbox()/ack() and React's useInbox (herald-inbox.mjs) against both nodes. */
    @Test
    void heraldJsReadsAndAcknowledges() throws Exception {
        io.herald.testing.NodeScripts.requireInstalled();
        JsonObject args = new JsonObject()
                .put("urls", new JsonArray().add("http://127.0.0.1:" + nodeA.port()).add("http://127.0.0.1:" + nodeB.port()))
                .put("apiKey", nodeA.config().apiKey())
                .put("jwtSecret", nodeA.config().auth().jwtSecret());
        JsonObject observed = io.herald.testing.NodeScripts.run("herald-inbox.mjs", args.encode());
        assertEquals(observed.getJsonArray("expected"), observed.getJsonArray("pages"), observed.encode());
        assertEquals(2, observed.getInteger("unread"), observed.encode());
        assertEquals(new JsonArray().add(true).add(false), observed.getJsonArray("more"), observed.encode());
        assertEquals(1, observed.getInteger("acked"), observed.encode());
        assertEquals(observed.getJsonArray("expected").getJsonArray(0), observed.getJsonArray("after"), observed.encode());
        assertEquals("access_denied", observed.getString("guest"));
        assertEquals("unread 2", observed.getString("reactLive"), observed.encode());
        assertEquals("unread 0", observed.getString("reactAfter"), observed.encode());
    }
}
