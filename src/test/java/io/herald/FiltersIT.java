package io.herald;

import io.herald.node.HeraldNode;
import io.herald.testing.BridgeClient;
import io.herald.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.herald.testing.BridgeClient.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Server-side subscription filters (issue 20, docs/filters.md) with real WebSocket clients of a real node (two event
 * loops): live and replayed events filtered, a filter that only narrows what the role and ownership allow, each bad
 * filter refused with invalid_filter and no subscription, and a second register that replaces the filter.
 */
class FiltersIT {
    static final String ORDERS = "order:created";
    static final String INVENTORY = "inventory:updated";
    static HeraldNode node;
    static Vertx clients;

    @BeforeAll
    static void start() {
        node = TestNodes.start(TestNodes.config(json -> { }));
        clients = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        clients.close().await();
        node.close().await();
    }

    static BridgeClient connect(String user, String role) {
        return BridgeClient.connect(clients, node.port(), TestNodes.token(node, user, role));
    }

    static String filter(String field, String op, Object value) {
        return new JsonObject().put("field", field).put("op", op).put("value", value).encode();
    }

    static BridgeClient register(BridgeClient client, String type, String filter) {
        return client.send(new JsonObject().put("type", "register").put("address", type).put("headers", new JsonObject().put("filter", filter)));
    }

    static BridgeClient register(BridgeClient client, String type, String filter, long since, String epoch) {
        return client.send(new JsonObject().put("type", "register").put("address", type)
                .put("headers", new JsonObject().put("filter", filter).put("since", String.valueOf(since)).put("epoch", epoch)));
    }

    /** Publishes an event of {@code type} from store {@code storeId} with {@code data}; answers its seq. */
    static long publish(String type, String storeId, JsonObject data) {
        return TestNodes.publish(node, new JsonObject().put("type", type).put("storeId", storeId).put("data", data)).getLong("seq");
    }

    static List<Long> seqs(List<JsonObject> events) {
        return events.stream().map(e -> e.getLong("seq")).toList();
    }

    /** The seqs of the events the client got on {@code type} so far: {@code witness} has had every event published before. */
    static List<Long> received(BridgeClient client, String type) {
        client.sync();
        List<Long> seqs = new ArrayList<>();
        for (JsonObject frame : client.drain()) {
            if (type.equals(frame.getString("address"))) {
                assertEquals("rec", frame.getString("type"), frame.encode());
                seqs.add(frame.getJsonObject("body").getLong("seq"));
            }
        }
        return seqs;
    }

    @Test
    void liveEventsReachOnlyTheSubscribersWhoseFilterTheyMatch() {
        try (BridgeClient everything = connect("u-all", "staff");
             BridgeClient storeOne = connect("u-s1", "staff");
             BridgeClient storeOneToo = connect("u-s1b", "staff");
             BridgeClient bigInStoreTwo = connect("u-big", "staff")) {
            everything.register(INVENTORY).sync();
            register(storeOne, INVENTORY, filter("storeId", "eq", "s-1")).sync();
            register(storeOneToo, INVENTORY, "{\"value\":\"s-1\",\"op\":\"eq\",\"field\":\"storeId\"}").sync();
            register(bigInStoreTwo, INVENTORY, new JsonObject().put("and", new JsonArray()
                    .add(new JsonObject(filter("storeId", "eq", "s-2")))
                    .add(new JsonObject(filter("data.quantity", "gte", 100)))).encode()).sync();

            long a = publish(INVENTORY, "s-1", new JsonObject().put("productId", "p-1").put("quantity", 5));
            long b = publish(INVENTORY, "s-2", new JsonObject().put("productId", "p-2").put("quantity", 150));
            long c = publish(INVENTORY, "s-2", new JsonObject().put("productId", "p-3").put("quantity", 50));
            long d = publish(INVENTORY, "s-1", new JsonObject().put("productId", "p-4").put("quantity", 500));
            long e = publish(INVENTORY, "s-2", new JsonObject().put("productId", "p-5").put("quantity", "100")); // a string: not >= 100
            assertEquals(List.of(a, b, c, d, e), seqs(everything.events(INVENTORY, 5)));
            assertEquals(List.of(a, d), received(storeOne, INVENTORY));
            assertEquals(List.of(a, d), received(storeOneToo, INVENTORY));
            assertEquals(List.of(b), received(bigInStoreTwo, INVENTORY));
        }
    }

    @Test
    void replaysAreFilteredThenTheLiveStreamFollowsFiltered() {
        try (BridgeClient witness = connect("u-w", "staff")) {
            witness.register(INVENTORY).sync();
            long first = publish(INVENTORY, "s-7", new JsonObject().put("productId", "p-1"));
            publish(INVENTORY, "s-8", new JsonObject().put("productId", "p-2"));
            long third = publish(INVENTORY, "s-7", new JsonObject().put("productId", "p-3"));
            List<JsonObject> seen = witness.events(INVENTORY, 3);
            String epoch = seen.get(0).getString("epoch");
            try (BridgeClient late = connect("u-late", "staff")) {
                register(late, INVENTORY, filter("storeId", "eq", "s-7"), first - 1, epoch);
                assertEquals(List.of(first, third), seqs(late.events(INVENTORY, 2)));
                long fourth = publish(INVENTORY, "s-8", new JsonObject().put("productId", "p-4"));
                long fifth = publish(INVENTORY, "s-7", new JsonObject().put("productId", "p-5"));
                assertEquals(List.of(fourth, fifth), seqs(witness.events(INVENTORY, 2)));
                assertEquals(List.of(fifth), received(late, INVENTORY), "after the replay, live events are filtered too");
            }
        }
    }

    @Test
    void aFilterOnlyNarrowsWhatTheRoleAndOwnershipAllow() {
        try (BridgeClient staff = connect("u-staff", "staff");
             BridgeClient customer = connect("c-1", "customer");
             BridgeClient nosy = connect("c-1", "customer");
             BridgeClient guest = BridgeClient.connect(clients, node.port(), null)) {
            staff.register(ORDERS).sync();
            register(customer, ORDERS, filter("data.total", "gt", 0)).sync();
            // asks for another customer's orders, by customer id and by user id: ownership decides first
            register(nosy, ORDERS, new JsonObject().put("or", new JsonArray()
                    .add(new JsonObject(filter("data.customerId", "eq", "c-2")))
                    .add(new JsonObject(filter("userId", "eq", "c-2")))).encode()).sync();
            register(guest, ORDERS, filter("data.customerId", "eq", "c-1"));
            JsonObject refused = guest.next(err(ORDERS));
            assertEquals("access_denied", refused.getString("failureType"), "a filter does not open a type the role may not read");

            long own = publish(ORDERS, "s-1", new JsonObject().put("orderId", "o-1").put("customerId", "c-1").put("total", 10));
            long other = publish(ORDERS, "s-1", new JsonObject().put("orderId", "o-2").put("customerId", "c-2").put("total", 20));
            assertEquals(List.of(own, other), seqs(staff.events(ORDERS, 2)));
            assertEquals(List.of(own), received(customer, ORDERS));
            assertEquals(List.of(), received(nosy, ORDERS), "nothing of c-2's, though its filter asks for them");
            assertEquals(List.of(), received(guest, ORDERS));
        }
    }

    @Test
    void eachBadFilterIsInvalidFilterAndMakesNoSubscription() {
        StringBuilder nine = new StringBuilder(filter("storeId", "exists", true));
        for (int i = 0; i < 9; i++) {
            nine.insert(0, "{\"not\":").append('}');
        }
        JsonArray many = new JsonArray();
        for (int i = 0; i < 64; i++) {
            many.add(new JsonObject(filter("storeId", "eq", "s-" + i)));
        }
        Map<String, String> bad = Map.of(
                "unknown op", filter("storeId", "like", "s-%"),
                "wrong value type", filter("data.quantity", "gt", true),
                "in without an array", filter("storeId", "in", "s-1"),
                "unknown field", filter("customerId", "eq", "c-1"),
                "nine levels", nine.toString(),
                "65 nodes", new JsonObject().put("or", many).encode(),
                "over 4 KiB", filter("storeId", "eq", "x".repeat(4100)),
                "not JSON", "{\"field\":\"storeId\"");
        try (BridgeClient witness = connect("u-witness", "staff")) {
            witness.register(INVENTORY).sync();
            for (Map.Entry<String, String> badFilter : bad.entrySet()) {
                try (BridgeClient client = connect("u-bad", "staff")) {
                    register(client, INVENTORY, badFilter.getValue());
                    JsonObject refused = client.next(err(INVENTORY));
                    assertEquals("invalid_filter", refused.getString("failureType"), badFilter.getKey() + ": " + refused.encode());
                    assertEquals(400, refused.getInteger("failureCode"), badFilter.getKey());
                    long seq = publish(INVENTORY, "s-1", new JsonObject().put("productId", "p-1").put("quantity", 1000));
                    assertEquals(List.of(seq), seqs(witness.events(INVENTORY, 1)));
                    assertEquals(List.of(), received(client, INVENTORY), badFilter.getKey() + ": no subscription");
                }
            }
        }
    }

    @Test
    void aSecondRegisterReplacesTheFilterAndARefusedOneLeavesItAsItWas() {
        try (BridgeClient witness = connect("u-witness2", "staff");
             BridgeClient client = connect("u-switch", "staff")) {
            witness.register(INVENTORY).sync();
            register(client, INVENTORY, filter("storeId", "eq", "s-1")).sync();
            long a = publish(INVENTORY, "s-1", new JsonObject().put("productId", "p-1"));
            publish(INVENTORY, "s-2", new JsonObject().put("productId", "p-2"));
            witness.events(INVENTORY, 2);
            assertEquals(List.of(a), received(client, INVENTORY));

            register(client, INVENTORY, filter("storeId", "eq", "s-2")).sync();
            long c = publish(INVENTORY, "s-1", new JsonObject().put("productId", "p-3"));
            long d = publish(INVENTORY, "s-2", new JsonObject().put("productId", "p-4"));
            witness.events(INVENTORY, 2);
            assertEquals(List.of(d), received(client, INVENTORY), "the second filter only, on the one subscription");

            register(client, INVENTORY, filter("storeId", "like", "s-%"));
            assertEquals("invalid_filter", client.next(err(INVENTORY)).getString("failureType"));
            long e = publish(INVENTORY, "s-2", new JsonObject().put("productId", "p-5"));
            witness.events(INVENTORY, 1);
            assertEquals(List.of(e), received(client, INVENTORY), "a refused second register left the subscription as it was");

            // with since: the position too, replayed through the new filter
            register(client, INVENTORY, filter("storeId", "eq", "s-1"), a - 1, witnessEpoch(witness));
            assertEquals(List.of(a, c), seqs(client.events(INVENTORY, 2)));
            client.send(new JsonObject().put("type", "register").put("address", INVENTORY)).sync(); // no filter: every event
            long f = publish(INVENTORY, "s-9", new JsonObject().put("productId", "p-6"));
            witness.events(INVENTORY, 1);
            assertEquals(List.of(f), received(client, INVENTORY));
            assertNull(client.poll(Duration.ofMillis(200)), "nothing twice");
        }
    }

    static String witnessEpoch(BridgeClient witness) {
        long seq = publish(INVENTORY, "s-0", new JsonObject().put("productId", "p-0"));
        JsonObject event = witness.events(INVENTORY, 1).get(0);
        assertEquals(seq, event.getLong("seq"));
        return event.getString("epoch");
    }
}
