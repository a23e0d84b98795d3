package io.herald;

import io.herald.node.HeraldNode;

import io.herald.testing.BridgeClient;
import io.herald.testing.Eventually;
import io.herald.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.herald.testing.BridgeClient.err;
import static io.herald.testing.BridgeClient.rec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bridge on one real node, through real WebSocket clients: the role matrix, ownership, stamping, refusals. */
class BridgeIT {
    /** One event type per namespace, in the column order of the matrix in DESIGN.md. */
    static final Map<String, String> TYPE_OF_NAMESPACE = new LinkedHashMap<>();
    static {
        TYPE_OF_NAMESPACE.put("orders", "order:created");
        TYPE_OF_NAMESPACE.put("customers", "customer:updated");
        TYPE_OF_NAMESPACE.put("products", "product:price_changed");
        TYPE_OF_NAMESPACE.put("inventory", "inventory:low_stock");
        TYPE_OF_NAMESPACE.put("payments", "payment:received");
        TYPE_OF_NAMESPACE.put("system", "system:alert");
    }

    /** The matrix of DESIGN.md, row by row: Y = all, O = own only, N = denied. */
    enum Row {
        admin("YYYYYY"), manager("YYYYYN"), staff("YYYYNN"), customer("ONYNNN"), guest("NNYNNN");

        final String cells;

        Row(String cells) {
            this.cells = cells;
        }
    }

    static HeraldNode node;
    static Vertx clients;

    @BeforeAll
    static void startNode() {
        node = TestNodes.start(TestNodes.config(json -> { }));
        clients = Vertx.vertx();
    }

    @AfterAll
    static void stopNode() {
        clients.close().await();
        node.close().await();
    }

    BridgeClient connect(String userId, String role) {
        String token = role.equals("guest") ? null : TestNodes.token(node, userId, role);
        return BridgeClient.connect(clients, node.port(), token);
    }

    @ParameterizedTest
    @EnumSource(Row.class)
    void roleMatrixDecidesEveryNamespace(Row row) {
        String userId = "u-" + row.name();
        try (BridgeClient client = connect(userId, row.name())) {
            List<String> namespaces = List.copyOf(TYPE_OF_NAMESPACE.keySet());
            TYPE_OF_NAMESPACE.values().forEach(client::register);
            client.sync();
            Set<String> refused = new HashSet<>();
            for (JsonObject frame : client.drain()) {
                assertEquals("err", frame.getString("type"), frame.encode());
                assertEquals("access_denied", frame.getString("failureType"));
                assertEquals(403, frame.getInteger("failureCode"));
                assertEquals("access_denied", frame.getString("body"));
                refused.add(frame.getString("address"));
            }
            // denied namespaces first, then the readable ones, then a marker every role can read
            for (int i = 0; i < namespaces.size(); i++) {
                if (row.cells.charAt(i) == 'N') {
                    TestNodes.publish(node, TYPE_OF_NAMESPACE.get(namespaces.get(i)), new JsonObject().put("customerId", userId));
                }
            }
            for (int i = 0; i < namespaces.size(); i++) {
                if (row.cells.charAt(i) != 'N') {
                    TestNodes.publish(node, TYPE_OF_NAMESPACE.get(namespaces.get(i)), new JsonObject().put("customerId", userId));
                }
            }
            TestNodes.publish(node, "product:price_changed", new JsonObject().put("marker", true));

            Set<String> received = new HashSet<>();
            while (true) {
                JsonObject frame = client.next();
                assertEquals("rec", frame.getString("type"), frame.encode());
                if (frame.getJsonObject("body").getJsonObject("data").getBoolean("marker", false)) {
                    break;
                }
                received.add(frame.getString("address"));
            }
            for (int i = 0; i < namespaces.size(); i++) {
                String type = TYPE_OF_NAMESPACE.get(namespaces.get(i));
                boolean readable = row.cells.charAt(i) != 'N';
                String cell = row.name() + " × " + namespaces.get(i);
                assertEquals(readable, received.contains(type), cell + " delivery");
                assertEquals(!readable, refused.contains(type), cell + " register refusal");
            }
        }
    }

    @Test
    void deniedRegisterNamesRoleAndNamespace() {
        try (BridgeClient guest = connect(null, "guest")) {
            JsonObject frame = guest.register("order:created").next();
            assertEquals(new JsonObject().put("type", "err").put("address", "order:created").put("failureCode", 403)
                    .put("failureType", "access_denied").put("message", "role guest may not read orders").put("body", "access_denied"), frame);
        }
    }

    @Test
    void customersSeeOnlyTheirOwnOrders() {
        try (BridgeClient alice = connect("c-alice", "customer")) {
            alice.register("order:status_changed").sync();
            TestNodes.publish(node, "order:status_changed", new JsonObject().put("orderId", "o-1").put("customerId", "c-bob"));
            TestNodes.publish(node, "order:status_changed", new JsonObject().put("orderId", "o-2"));
            JsonObject mine = TestNodes.publish(node, "order:status_changed", new JsonObject().put("orderId", "o-3").put("customerId", "c-alice"));
            // aimed at her by user id: hers too, whatever the data says
            TestNodes.publish(node, new JsonObject().put("type", "order:status_changed")
                    .put("data", new JsonObject().put("orderId", "o-4").put("customerId", "c-bob"))
                    .put("target", new JsonObject().put("users", new JsonArray().add("c-alice"))));

            JsonObject first = alice.next(rec("order:status_changed")).getJsonObject("body");
            assertEquals("o-3", first.getJsonObject("data").getString("orderId"));
            assertEquals(mine.getString("id"), first.getString("id"));
            assertEquals(mine.getLong("seq"), first.getLong("seq"));
            assertEquals("o-4", alice.next(rec("order:status_changed")).getJsonObject("body").getJsonObject("data").getString("orderId"));
        }
    }

    @Test
    void envelopeCarriesIdTypeTsSeqEpochAndData() {
        try (BridgeClient staff = connect("s-1", "staff")) {
            staff.register("inventory:restocked").sync();
            long before = System.currentTimeMillis();
            JsonObject one = TestNodes.publish(node, "inventory:restocked", new JsonObject().put("sku", "A").put("quantity", 5));
            JsonObject two = TestNodes.publish(node, "inventory:restocked", new JsonObject().put("sku", "B"));
            assertEquals(one.getLong("seq") + 1, two.getLong("seq"));

            JsonObject envelope = staff.next(rec("inventory:restocked")).getJsonObject("body");
            assertEquals(Set.of("id", "type", "ts", "seq", "epoch", "data"), envelope.fieldNames());
            assertEquals(one.getString("epoch"), envelope.getString("epoch"));
            assertEquals(one.getString("id"), envelope.getString("id"));
            assertEquals("inventory:restocked", envelope.getString("type"));
            assertEquals(one.getLong("seq"), envelope.getLong("seq"));
            assertTrue(envelope.getLong("ts") >= before && envelope.getLong("ts") <= System.currentTimeMillis());
            assertEquals(new JsonObject().put("sku", "A").put("quantity", 5), envelope.getJsonObject("data"));
            assertEquals(two.getLong("seq"), staff.next(rec("inventory:restocked")).getJsonObject("body").getLong("seq"));
        }
    }

    @Test
    void browserPublishIsStampedWithTheTokensIdentity() {
        String token = TestNodes.token(node, "c-carol", "customer", "store-9", List.of(), 600);
        try (BridgeClient staff = connect("s-2", "staff");
             BridgeClient carol = BridgeClient.connect(clients, node.port(), token)) {
            staff.register("customer:viewing_product").sync();
            carol.request("customer:viewing_product", new JsonObject().put("productId", "p-1")
                    .put("customerId", "c-victim").put("userId", "c-victim").put("storeId", "store-1"), "reply-1");
            JsonObject reply = carol.next(rec("reply-1")).getJsonObject("body");

            JsonObject envelope = staff.next(rec("customer:viewing_product")).getJsonObject("body");
            assertEquals(reply.getString("id"), envelope.getString("id"));
            assertEquals(reply.getLong("seq"), envelope.getLong("seq"));
            assertEquals("c-carol", envelope.getString("userId"));
            assertEquals("store-9", envelope.getString("storeId"));
            assertEquals(new JsonObject().put("productId", "p-1").put("customerId", "c-carol").put("userId", "c-carol")
                    .put("storeId", "store-9"), envelope.getJsonObject("data"));
        }
    }

    @Test
    void publishAndSendOutsideTheRolesListAreRefused() {
        try (BridgeClient staff = connect("s-3", "staff")) {
            JsonObject published = staff.publish("order:created", new JsonObject()).next();
            assertEquals("order:created", published.getString("address"));
            assertEquals("access_denied", published.getString("failureType"));
            assertEquals("role staff may not publish order:created", published.getString("message"));

            JsonObject sent = staff.request("system:alert", new JsonObject(), "my-reply").next();
            assertEquals("my-reply", sent.getString("address"), "a refused send names its reply address");
            assertEquals("access_denied", sent.getString("failureType"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"{not json", "[1,2]", "\"text\"", ""})
    void malformedFramesGetInvalidJsonAndTheSocketLivesOn(String frame) {
        try (BridgeClient staff = connect("s-4", "staff")) {
            JsonObject error = staff.sendRaw(frame).next();
            assertEquals("invalid_json", error.getString("failureType"));
            assertEquals(400, error.getInteger("failureCode"));
            assertNull(error.getString("address"));
            assertStillServes(staff);
        }
    }

    @Test
    void framesWithoutTypeOrAddressOrTooLargeAreRefused() {
        try (BridgeClient staff = connect("s-5", "staff")) {
            assertEquals("missing_address", staff.sendRaw("{\"type\":\"register\"}").next().getString("failureType"));
            JsonObject noType = staff.sendRaw("{\"address\":\"order:created\"}").next();
            assertEquals("invalid_frame", noType.getString("failureType"));
            assertEquals("order:created", noType.getString("address"));
            assertEquals("invalid_frame", staff.sendRaw("{\"type\":\"subscribe\",\"address\":\"order:created\"}").next().getString("failureType"));
            assertEquals("unknown_event_type", staff.register("order:exploded").next().getString("failureType"));
            String huge = new JsonObject().put("type", "publish").put("address", "order:created")
                    .put("body", new JsonObject().put("blob", "x".repeat(70_000))).encode();
            assertEquals("frame_too_large", staff.sendRaw(huge).next().getString("failureType"));
            assertStillServes(staff);
        }
        try (BridgeClient customer = connect("c-body", "customer")) {
            JsonObject notAnObject = customer.publish("customer:viewing_product", new JsonArray().add(1)).next();
            assertEquals("invalid_frame", notAnObject.getString("failureType"));
            assertEquals("customer:viewing_product", notAnObject.getString("address"));
        }
    }

    @Test
    void unregisterStopsDelivery() {
        try (BridgeClient staff = connect("s-6", "staff")) {
            staff.register("product:updated").register("product:deleted").sync();
            staff.unregister("product:updated").sync();
            TestNodes.publish(node, "product:updated", new JsonObject());
            TestNodes.publish(node, "product:deleted", new JsonObject());
            assertEquals("product:deleted", staff.next().getString("address"));
        }
    }

    @Test
    void targetsNarrowDeliveryToUsersRolesAndRooms() {
        String roomToken = TestNodes.token(node, "s-room", "staff", null, List.of("store-7"), 600);
        try (BridgeClient plain = connect("s-plain", "staff");
             BridgeClient named = connect("s-named", "staff");
             BridgeClient manager = connect("m-1", "manager");
             BridgeClient inRoom = BridgeClient.connect(clients, node.port(), roomToken)) {
            for (BridgeClient c : List.of(plain, named, manager, inRoom)) {
                c.register("inventory:out_of_stock").sync();
            }
            publishTargeted("users", "s-named");
            publishTargeted("roles", "manager");
            publishTargeted("rooms", "store-7");
            TestNodes.publish(node, "inventory:out_of_stock", new JsonObject().put("to", "everyone"));

            assertEquals(List.of("everyone"), received(plain));
            assertEquals(List.of("s-named", "everyone"), received(named));
            assertEquals(List.of("manager", "everyone"), received(manager));
            assertEquals(List.of("store-7", "everyone"), received(inRoom));
        }
    }

    private void publishTargeted(String kind, String value) {
        TestNodes.publish(node, new JsonObject().put("type", "inventory:out_of_stock")
                .put("data", new JsonObject().put("to", value))
                .put("target", new JsonObject().put(kind, new JsonArray().add(value))));
    }

    private static List<String> received(BridgeClient client) {
        List<String> seen = new java.util.ArrayList<>();
        while (!seen.contains("everyone")) {
            seen.add(client.next(rec("inventory:out_of_stock")).getJsonObject("body").getJsonObject("data").getString("to"));
        }
        return seen;
    }

    @Test
    void sockJsFramedTransportSpeaksTheSameProtocol() {
        String token = TestNodes.token(node, "s-sockjs", "staff");
        try (BridgeClient staff = BridgeClient.connect(clients, node.port(), token, BridgeClient.Transport.SOCKJS)) {
            staff.register("order:deleted").register("payment:failed").sync();
            assertEquals("access_denied", staff.next(err("payment:failed")).getString("failureType"));
            JsonObject published = TestNodes.publish(node, "order:deleted", new JsonObject().put("orderId", "o-9"));
            assertEquals(published.getString("id"), staff.next(rec("order:deleted")).getJsonObject("body").getString("id"));
        }
    }

    @Test
    void closedSocketsLeaveNoSubscriptionBehind() {
        BridgeClient staff = connect("s-7", "staff");
        staff.register("product:created").sync();
        staff.close();
        try (BridgeClient other = connect("s-8", "staff")) {
            other.register("product:created").sync();
            TestNodes.publish(node, "product:created", new JsonObject());
            assertNotNull(other.next(rec("product:created")));
        }
        Eventually.assertEventually("no connection and no subscription left", () -> {
            JsonObject totals = TestNodes.http("GET", node.port(), "/api/stats", "Bearer " + node.config().apiKey(), null).json().getJsonObject("totals");
            return totals.getLong("subscriptions") == 0 && totals.getLong("connections") == 0;
        });
    }

    private void assertStillServes(BridgeClient client) {
        client.register("product:deleted").sync();
        JsonObject published = TestNodes.publish(node, "product:deleted", new JsonObject().put("check", true));
        JsonObject frame = client.next(rec("product:deleted"));
        assertEquals(published.getString("id"), frame.getJsonObject("body").getString("id"));
        assertFalse(client.awaitClosedQuickly());
    }
}
