package io.herald;

import io.herald.node.HeraldNode;

import io.herald.testing.BridgeClient;
import io.herald.testing.Eventually;
import io.herald.testing.SockJsXhr;
import io.herald.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static io.herald.testing.BridgeClient.err;
import static io.herald.testing.BridgeClient.rec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on a token refresh ({@code herald:token}), on a real node with real WebSocket and SockJS clients: a
 * connection that opened with a powerful token and refreshes to a weaker one of the same user must lose at
 * once everything the weaker one may not read (subscriptions, the full view of orders, rooms), and its
 * presence entry and stats follow its new role. Also the token's {@code rooms} claim, capped and checked
 * like a join's.
 */
class DemotionIT {
    static HeraldNode node;
    static Vertx clients;

    @BeforeAll
    static void start() {
        node = TestNodes.start(TestNodes.config(json -> json.getJsonObject("presence").put("enabled", true)));
        clients = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        clients.close().await();
        node.close().await();
    }

    /** The err of a connection refused at open (one err, then the close). */
    static JsonObject refusedAtOpen(String token) {
        io.herald.testing.RawWebSocket refused = io.herald.testing.RawWebSocket.refusedAtOpen(node.port(), token);
        assertNotNull(refused.closeCode(), "closed with a close frame");
        return refused.refusal();
    }

    static String token(String user, String role, List<String> rooms) {
        return TestNodes.token(node, user, role, null, rooms, 600);
    }

    static JsonObject event(String type, JsonObject data, JsonObject target) {
        JsonObject event = new JsonObject().put("type", type).put("data", data);
        return target == null ? event : event.put("target", target);
    }

    @Test
    void anAdminRefreshedToACustomerTokenReadsOnlyWhatACustomerMay() {
        for (BridgeClient.Transport transport : BridgeClient.Transport.values()) {
            String user = "demoted-" + transport + "-" + UUID.randomUUID();
            String other = "other-customer-" + UUID.randomUUID();
            try (BridgeClient demoted = BridgeClient.connect(clients, node.port(), token(user, "admin", List.of("batch:9")), transport)) {
                demoted.register("order:created").register("payment:received").register("product:created").register("system:alert");
                demoted.request("herald:join", new JsonObject().put("room", "dashboard"), "join-1");
                assertEquals(true, demoted.next(rec("join-1")).getJsonObject("body").getBoolean("joined"));
                demoted.sync();

                // the same user, now a customer in its own chat room
                demoted.request("herald:token", new JsonObject().put("token", token(user, "customer", List.of("chat:" + user))), "refresh-1");
                List<JsonObject> frames = new ArrayList<>();
                JsonObject reply = null;
                while (reply == null) {
                    JsonObject frame = demoted.next();
                    if ("refresh-1".equals(frame.getString("address"))) {
                        assertEquals("rec", frame.getString("type"), frame.encode());
                        reply = frame.getJsonObject("body");
                    } else {
                        frames.add(frame);
                    }
                }
                // what the admin token let it read: other customers' orders, payments, the dashboard room, the old token's room
                TestNodes.publish(node, event("order:created", new JsonObject().put("orderId", "theirs").put("customerId", other), null));
                TestNodes.publish(node, event("payment:received", new JsonObject().put("paymentId", "theirs").put("customerId", other), null));
                TestNodes.publish(node, event("system:alert", new JsonObject().put("n", "theirs"), null));
                TestNodes.publish(node, event("product:created", new JsonObject().put("n", "dashboard"), new JsonObject().put("rooms", new JsonArray().add("dashboard"))));
                TestNodes.publish(node, event("product:created", new JsonObject().put("n", "batch"), new JsonObject().put("rooms", new JsonArray().add("batch:9"))));
                // what the customer token allows: its own orders, products, the new token's room
                TestNodes.publish(node, event("order:created", new JsonObject().put("orderId", "mine").put("customerId", user), null));
                TestNodes.publish(node, event("product:created", new JsonObject().put("n", "chat"), new JsonObject().put("rooms", new JsonArray().add("chat:" + user))));
                TestNodes.publish(node, event("product:created", new JsonObject().put("n", "everyone"), null));

                assertEquals("mine", demoted.events("order:created", 1).get(0).getJsonObject("data").getString("orderId"),
                        transport + ": another customer's order reached the demoted connection");
                List<String> products = new ArrayList<>();
                for (JsonObject product : demoted.events("product:created", 2)) {
                    products.add(product.getJsonObject("data").getString("n"));
                }
                assertEquals(List.of("chat", "everyone"), products, transport + ": rooms the customer token does not allow");
                demoted.sync();
                for (JsonObject late : demoted.drain()) {
                    assertFalse("rec".equals(late.getString("type")), transport + ": nothing else is delivered: " + late.encode());
                }

                assertTrue(reply.getLong("exp") > System.currentTimeMillis() / 1000, reply.encode());
                JsonObject dropped = reply.getJsonObject("dropped");
                assertEquals(Set.of("payment:received", "system:alert"), strings(dropped.getJsonArray("types")), reply.encode());
                assertEquals(Set.of("dashboard", "batch:9"), strings(dropped.getJsonArray("rooms")), reply.encode());
                // the reply names what was dropped; each dropped type got its access_denied err, addressed to it, before the reply
                Set<String> denied = frames.stream().filter(f -> "err".equals(f.getString("type")))
                        .peek(f -> assertEquals("access_denied", f.getString("failureType"), f.encode()))
                        .map(f -> f.getString("address")).collect(Collectors.toSet());
                assertEquals(Set.of("payment:received", "system:alert"), denied);

                // it may not register again what it lost; the own-orders rule holds for new registers too
                demoted.register("payment:received");
                assertEquals("access_denied", demoted.next(err("payment:received")).getString("failureType"));
                // a refresh for another user stays refused and changes nothing
                demoted.request("herald:token", new JsonObject().put("token", token(other, "admin", List.of())), "refresh-2");
                assertEquals("token_invalid", demoted.next(err("refresh-2")).getString("failureType"));
                demoted.register("payment:received");
                assertEquals("access_denied", demoted.next(err("payment:received")).getString("failureType"));

                // presence and stats know it as a customer now
                Eventually.assertEventually("presence shows the refreshed role", () -> "customer".equals(presenceRole(user)));
                assertTrue(metricsLine("herald_connections_by_role{role=\"customer\"") >= 1);
            }
        }
        Eventually.assertEventually("the by-role gauges are given back when the connections close",
                () -> metricsLine("herald_connections_by_role{role=\"customer\"") == 0 && metricsLine("herald_connections_by_role{role=\"admin\"") == 0);
    }

    @Test
    void aManagerRefreshedToStaffStaysInRoomsStaffMayJoinAndLosesPayments() {
        String user = "m-" + UUID.randomUUID();
        try (BridgeClient manager = BridgeClient.connect(clients, node.port(), token(user, "manager", List.of()))) {
            manager.register("payment:failed").register("order:updated");
            manager.request("herald:join", new JsonObject().put("room", "dashboard"), "j");
            manager.next(rec("j"));
            manager.request("herald:token", new JsonObject().put("token", token(user, "staff", List.of())), "r");
            JsonObject reply = manager.next(rec("r")).getJsonObject("body");
            assertEquals(new JsonArray().add("payment:failed"), reply.getJsonObject("dropped").getJsonArray("types"));
            assertEquals(new JsonArray(), reply.getJsonObject("dropped").getJsonArray("rooms"), "staff may join dashboard: it stays");
            TestNodes.publish(node, event("order:updated", new JsonObject().put("orderId", "o").put("customerId", "anyone"),
                    new JsonObject().put("rooms", new JsonArray().add("dashboard"))));
            assertEquals("o", manager.events("order:updated", 1).get(0).getJsonObject("data").getString("orderId"), "staff reads every order");
        }
    }

    @Test
    void theTokensRoomsClaimIsCappedAndCheckedLikeAJoin() {
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 33; i++) { // conf/rooms.json: maxPerConnection 32
            many.add("batch:" + i);
        }
        // refused at open: read by a client that drops no frame (RawWebSocket.refusedAtOpen)
        JsonObject why = refusedAtOpen(token("u-many", "staff", many));
        assertEquals("too_many_rooms", why.getString("failureType"), why.encode());
        assertNull(why.getString("address"));
        JsonObject bad = refusedAtOpen(token("u-bad", "staff", List.of("ok", "evil\nroom")));
        assertEquals("token_invalid", bad.getString("failureType"), bad.encode());
        assertEquals("token_invalid", refusedAtOpen(token("u-long", "staff", List.of("x".repeat(129)))).getString("failureType"));
        // 32 rooms open; a refresh to a token with 33 is refused and changes nothing
        try (BridgeClient full = BridgeClient.connect(clients, node.port(), token("u-full", "staff", many.subList(0, 32)))) {
            full.register("product:created").sync();
            full.request("herald:token", new JsonObject().put("token", token("u-full", "staff", many)), "r");
            assertEquals("too_many_rooms", full.next(err("r")).getString("failureType"));
            TestNodes.publish(node, event("product:created", new JsonObject().put("n", "in-31"),
                    new JsonObject().put("rooms", new JsonArray().add("batch:31"))));
            assertEquals("in-31", full.events("product:created", 1).get(0).getJsonObject("data").getString("n"));
            assertFalse(full.awaitClosedQuickly());
        }
    }

    /** The same demotion over SockJS's xhr-polling fallback (what browsers without WebSocket use). */
    @Test
    void anAdminRefreshedToACustomerOverXhrPollingReadsOnlyItsOwnOrders() throws Exception {
        String user = "demoted-xhr-" + UUID.randomUUID();
        try (SockJsXhr demoted = SockJsXhr.open(node.port(), token(user, "admin", List.of()))) {
            demoted.send(new JsonObject().put("type", "register").put("address", "order:created"),
                    new JsonObject().put("type", "register").put("address", "payment:received"),
                    new JsonObject().put("type", "send").put("address", "herald:token").put("replyAddress", "refresh-x")
                            .put("body", new JsonObject().put("token", token(user, "customer", List.of()))));
            JsonObject reply = demoted.next(f -> "refresh-x".equals(f.getString("address"))).getJsonObject("body");
            TestNodes.publish(node, event("order:created", new JsonObject().put("orderId", "theirs").put("customerId", "someone-else"), null));
            TestNodes.publish(node, event("order:created", new JsonObject().put("orderId", "mine").put("customerId", user), null));
            JsonObject order = demoted.next(f -> "rec".equals(f.getString("type")) && "order:created".equals(f.getString("address")));
            assertEquals("mine", order.getJsonObject("body").getJsonObject("data").getString("orderId"),
                    "another customer's order reached the demoted xhr-polling session");
            assertTrue(demoted.skipped.stream().anyMatch(f -> "err".equals(f.getString("type")) && "payment:received".equals(f.getString("address"))
                    && "access_denied".equals(f.getString("failureType"))), demoted.skipped.toString());
            assertEquals(new JsonArray().add("payment:received"), reply.getJsonObject("dropped").getJsonArray("types"));
        }
    }

    static Set<String> strings(JsonArray array) {
        assertTrue(array != null, "an array");
        return array.stream().map(String::valueOf).collect(Collectors.toSet());
    }

    static String presenceRole(String user) {
        TestNodes.Response response = TestNodes.http("GET", node.port(), "/api/presence", "Bearer " + node.config().apiKey(), null);
        for (Object entry : response.json().getJsonArray("users", new JsonArray())) {
            JsonObject who = (JsonObject) entry;
            if (user.equals(who.getString("userId"))) {
                return who.getString("role");
            }
        }
        return null;
    }

    static double metricsLine(String prefix) {
        return TestNodes.http("GET", node.port(), "/metrics", null, null).body().lines()
                .filter(line -> line.startsWith(prefix))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }
}
