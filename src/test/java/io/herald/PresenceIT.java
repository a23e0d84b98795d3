package io.herald;

import io.herald.node.HeraldNode;

import io.herald.testing.BridgeClient;
import io.herald.testing.Eventually;
import io.herald.testing.TestNodes;
import io.herald.config.ConfigException;
import io.herald.testing.OnTwoNodes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import java.util.List;
import java.util.stream.Collectors;

import static io.herald.testing.BridgeClient.err;
import static io.herald.testing.BridgeClient.rec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rooms and presence across two clustered nodes, with the shipped conf/rooms.json. */
class PresenceIT extends OnTwoNodes {
    @BeforeAll
    static void startCluster() {
        startNodes(json -> { });
    }

    static BridgeClient connect(HeraldNode node, String user, String role, String storeId, List<String> rooms) {
        return BridgeClient.connect(clients, node.port(), TestNodes.token(node, user, role, storeId, rooms, 3600));
    }

    /** send to a control address; the reply (a rec on the reply address) or the err that refused it. */
    static JsonObject control(BridgeClient client, String address, JsonObject body) {
        String reply = "reply-" + System.nanoTime();
        client.request(address, body, reply);
        return client.next(f -> reply.equals(f.getString("address")));
    }

    static JsonObject join(BridgeClient client, String room) {
        return control(client, "herald:join", new JsonObject().put("room", room));
    }

    static JsonObject presence(HeraldNode node, String query) {
        TestNodes.Response response = TestNodes.http("GET", node.port(), "/api/presence" + query, "Bearer " + node.config().apiKey(), null);
        assertEquals(200, response.status(), response.body());
        return response.json();
    }

    static JsonObject user(JsonObject presence, String userId) {
        for (Object entry : presence.getJsonArray("users")) {
            if (userId.equals(((JsonObject) entry).getString("userId"))) {
                return (JsonObject) entry;
            }
        }
        return null;
    }

    static List<String> memberIds(JsonObject room) {
        return room.getJsonArray("members").stream().map(m -> ((JsonObject) m).getString("userId")).sorted().toList();
    }

    /** The customerIds of a type's events in history. */
    static List<String> customersIn(String type) {
        JsonArray events = TestNodes.history(nodeA, type, "limit=1000").getJsonArray("events");
        return events.stream().map(e -> ((JsonObject) e).getJsonObject("data").getString("customerId")).collect(Collectors.toList());
    }

    @Test
    void joinsAreAllowedByPatternAndRefusedOtherwise() {
        try (BridgeClient staff = connect(nodeA, "s-join", "staff", "s-1", List.of());
             BridgeClient customer = connect(nodeB, "c-join", "customer")) {
            JsonObject joined = join(staff, "store:s-1");
            assertEquals("rec", joined.getString("type"), joined.encode());
            assertEquals(new JsonObject().put("room", "store:s-1").put("joined", true), joined.getJsonObject("body"));

            JsonObject otherStore = join(staff, "store:s-2");
            assertEquals("access_denied", otherStore.getString("failureType"), otherStore.encode());
            assertTrue(otherStore.getString("message").contains("store:s-2"), "the err names the room");

            assertEquals("access_denied", join(customer, "dashboard").getString("failureType"));
            assertEquals("rec", join(customer, "chat:c-join").getString("type"), "a customer's own chat room");
            assertEquals("access_denied", join(customer, "chat:c-other").getString("failureType"));
            assertEquals("access_denied", join(customer, "user:s-join").getString("failureType"), "someone else's user room");
            assertEquals("invalid_frame", join(customer, "no spaces").getString("failureType"));
            JsonObject left = control(customer, "herald:leave", new JsonObject().put("room", "chat:c-join"));
            assertEquals(false, left.getJsonObject("body").getBoolean("joined"));
        }
    }

    @Test
    void aRoomTargetedEventReachesExactlyTheMembersSubscribedToItsType() {
        String type = "inventory:low_stock";
        try (BridgeClient memberOnA = connect(nodeA, "s-a", "staff", "s-7", List.of());
             BridgeClient memberOnB = connect(nodeB, "s-b", "staff", "s-7", List.of());
             BridgeClient claimOnB = connect(nodeB, "s-claim", "staff", null, List.of("store:s-7"));
             BridgeClient outsiderOnB = connect(nodeB, "s-out", "staff", "s-8", List.of());
             BridgeClient memberNotSubscribed = connect(nodeA, "s-quiet", "staff", "s-7", List.of());
             BridgeClient customerMember = connect(nodeA, "c-7", "customer", "s-7", List.of())) {
            for (BridgeClient member : List.of(memberOnA, memberOnB, memberNotSubscribed, customerMember)) {
                assertEquals("rec", join(member, "store:s-7").getString("type"));
            }
            assertEquals("rec", join(outsiderOnB, "store:s-8").getString("type"));
            for (BridgeClient subscriber : List.of(memberOnA, memberOnB, claimOnB, outsiderOnB)) {
                subscriber.register(type).sync();
            }
            customerMember.register(type);
            assertEquals("access_denied", customerMember.next(err(type)).getString("failureType"), "the role matrix still applies");

            long targeted = TestNodes.publish(nodeA, new JsonObject().put("type", type).put("data", new JsonObject().put("sku", "k-1"))
                    .put("target", new JsonObject().put("rooms", new JsonArray().add("store:s-7")))).getLong("seq");
            long everyone = TestNodes.publish(nodeB, type, new JsonObject().put("sku", "k-2")).getLong("seq");

            for (BridgeClient member : List.of(memberOnA, memberOnB, claimOnB)) {
                assertEquals(targeted, member.next(rec(type)).getJsonObject("body").getLong("seq"));
                assertEquals(everyone, member.next(rec(type)).getJsonObject("body").getLong("seq"));
            }
            assertEquals(everyone, outsiderOnB.next(rec(type)).getJsonObject("body").getLong("seq"), "not in the room: only the untargeted event");

            control(memberOnB, "herald:leave", new JsonObject().put("room", "store:s-7"));
            long afterLeave = TestNodes.publish(nodeA, new JsonObject().put("type", type).put("data", new JsonObject().put("sku", "k-3"))
                    .put("target", new JsonObject().put("rooms", new JsonArray().add("store:s-7")))).getLong("seq");
            long last = TestNodes.publish(nodeA, type, new JsonObject().put("sku", "k-4")).getLong("seq");
            assertEquals(afterLeave, memberOnA.next(rec(type)).getJsonObject("body").getLong("seq"));
            assertEquals(last, memberOnB.next(rec(type)).getJsonObject("body").getLong("seq"), "left the room: the targeted event passes it by");

            long toUserRoom = TestNodes.publish(nodeB, new JsonObject().put("type", type).put("data", new JsonObject().put("sku", "k-5"))
                    .put("target", new JsonObject().put("rooms", new JsonArray().add("user:s-out")))).getLong("seq");
            assertEquals(last, outsiderOnB.next(rec(type)).getJsonObject("body").getLong("seq"));
            assertEquals(toUserRoom, outsiderOnB.next(rec(type)).getJsonObject("body").getLong("seq"), "every connection is in its user's room");
        }
    }

    @Test
    void aUserWithTabsOnTwoNodesIsOnePresenceEntryOnlineOnceAndOfflineOnce() {
        try (BridgeClient admin = connect(nodeA, "a-watch", "admin")) {
            admin.register("customer:online").register("customer:offline").sync();
            BridgeClient tabOnA = connect(nodeA, "c-tabs", "customer", "s-1", List.of());
            BridgeClient tabOnB = connect(nodeB, "c-tabs", "customer", "s-1", List.of());
            tabOnA.sync();
            tabOnB.sync();
            for (HeraldNode node : List.of(nodeA, nodeB)) {
                Eventually.assertEventually("both tabs in presence on " + node.port(), () -> {
                    JsonObject entry = user(presence(node, ""), "c-tabs");
                    return entry != null && entry.getInteger("connections") == 2;
                });
                JsonObject entry = user(presence(node, ""), "c-tabs");
                assertEquals("customer", entry.getString("role"));
                assertEquals(List.of(nodeA.nodeId(), nodeB.nodeId()).stream().sorted().toList(), entry.getJsonArray("nodes").getList());
            }
            JsonObject online = admin.next(rec("customer:online")).getJsonObject("body");
            assertEquals("c-tabs", online.getJsonObject("data").getString("customerId"));
            assertEquals("c-tabs", online.getString("userId"));

            tabOnA.close();
            Eventually.assertEventually("one tab left", () -> user(presence(nodeB, ""), "c-tabs").getInteger("connections") == 1);
            tabOnB.close();
            JsonObject offline = admin.next(rec("customer:offline")).getJsonObject("body");
            assertEquals("c-tabs", offline.getJsonObject("data").getString("customerId"));
            Eventually.assertEventually("gone from presence", () -> user(presence(nodeB, ""), "c-tabs") == null);

            assertEquals(1, customersIn("customer:online").stream().filter("c-tabs"::equals).count(), "one online event for two tabs");
            assertEquals(1, customersIn("customer:offline").stream().filter("c-tabs"::equals).count(), "one offline event, from one node");
        }
    }

    @Test
    void membersOfARoomSeeEachOtherWhereTheConfigSaysSo() {
        try (BridgeClient first = connect(nodeA, "s-dash1", "staff");
             BridgeClient second = connect(nodeB, "s-dash2", "staff");
             BridgeClient customer = connect(nodeB, "c-dash", "customer")) {
            first.register("presence:joined").register("presence:left").sync();
            assertEquals("rec", join(first, "dashboard").getString("type"));
            JsonObject self = first.next(rec("presence:joined")).getJsonObject("body");
            assertEquals(new JsonObject().put("room", "dashboard").put("userId", "s-dash1").put("role", "staff"), self.getJsonObject("data"));

            assertEquals("rec", join(second, "dashboard").getString("type"));
            JsonObject other = first.next(rec("presence:joined")).getJsonObject("body");
            assertEquals("s-dash2", other.getJsonObject("data").getString("userId"));

            Eventually.assertEventually("both in the room's presence", () ->
                    memberIds(control(first, "herald:presence", new JsonObject().put("room", "dashboard")).getJsonObject("body"))
                            .equals(List.of("s-dash1", "s-dash2")));
            assertEquals(List.of("s-dash1", "s-dash2"), memberIds(presence(nodeB, "?room=dashboard")));

            control(second, "herald:leave", new JsonObject().put("room", "dashboard"));
            assertEquals("s-dash2", first.next(rec("presence:left")).getJsonObject("body").getJsonObject("data").getString("userId"));

            assertEquals("access_denied", control(customer, "herald:presence", new JsonObject()).getString("failureType"));
            assertEquals("access_denied", control(customer, "herald:presence", new JsonObject().put("room", "dashboard")).getString("failureType"));
            assertEquals("rec", join(customer, "chat:c-dash").getString("type"));
            Eventually.assertEventually("a customer sees their own chat room", () -> memberIds(
                    control(customer, "herald:presence", new JsonObject().put("room", "chat:c-dash")).getJsonObject("body")).equals(List.of("c-dash")));
            JsonObject everyone = control(first, "herald:presence", new JsonObject()).getJsonObject("body");
            assertTrue(user(everyone, "c-dash") != null, everyone.encode());
        }
    }

    /** Another business changes conf/ only: its staff's first and last connections announce system:status, with its own field names. */
    @Test
    void theAnnouncementsComeFromThePresenceFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("presence.json");
        Files.writeString(file, "{\"announce\":[{\"role\":\"staff\",\"online\":\"system:status\",\"offline\":\"system:notification\","
                + "\"userField\":\"agentId\",\"claims\":[\"storeId\"]}]}");
        HeraldNode node = TestNodes.start(TestNodes.config(json -> json.getJsonObject("presence").put("announceFile", file.toString())));
        try (BridgeClient admin = connect(node, "a-desk", "admin")) {
            admin.register("system:status").register("system:notification").register("customer:online").sync();
            // a customer first: with this file its connection announces nothing (the staff's events come after its turn)
            BridgeClient customer = connect(node, "c-quiet", "customer");
            customer.sync();
            Eventually.assertEventually("the customer in presence", () -> user(presence(node, ""), "c-quiet") != null);
            BridgeClient agent = connect(node, "s-agent", "staff", "s-9", List.of());
            agent.sync();
            List<JsonObject> seen = new java.util.ArrayList<>();
            JsonObject online = nextKeeping(admin, "system:status", seen).getJsonObject("body");
            assertEquals("s-agent", online.getJsonObject("data").getString("agentId"));
            assertEquals("s-9", online.getJsonObject("data").getString("storeId"));
            assertTrue(online.getJsonObject("data").getLong("since") > 0, online.encode());
            agent.close();
            JsonObject offline = nextKeeping(admin, "system:notification", seen).getJsonObject("body");
            assertEquals(new JsonObject().put("agentId", "s-agent").put("storeId", "s-9"), offline.getJsonObject("data"));
            customer.close();
            admin.sync();
            seen.addAll(admin.drain());
            assertTrue(seen.stream().noneMatch(rec("customer:online")), "customers announce nothing with this file");
        } finally {
            node.close().await();
        }
    }

    /** The next frame on {@code address}, keeping every frame before it in {@code seen}. */
    static JsonObject nextKeeping(BridgeClient client, String address, List<JsonObject> seen) {
        while (true) {
            JsonObject frame = client.next();
            seen.add(frame);
            if (rec(address).test(frame)) {
                return frame;
            }
        }
    }

    @Test
    void anUnknownEventTypeInThePresenceFileStopsTheNodeNamingTheFileAndEntry(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("presence.json");
        Files.writeString(file, "{\"announce\":[{\"role\":\"customer\",\"online\":\"customer:arrived\"}]}");
        Future<HeraldNode> started = HeraldNode.start(TestNodes.config(json -> json.getJsonObject("presence").put("announceFile", file.toString())));
        assertThrows(Throwable.class, started::await);
        assertTrue(started.cause() instanceof ConfigException, String.valueOf(started.cause()));
        assertEquals(file + " announce[0].online: 'customer:arrived' is not an event type of the catalog", started.cause().getMessage());
    }

    @Test
    void aStoppedNodesUsersLeavePresence() {
        int hazelcastC = TestNodes.freePort();
        HeraldNode nodeC = TestNodes.startClustered(hub.cluster, hazelcastC, List.of(hub.hazelcastA, hazelcastC));
        try (BridgeClient admin = connect(nodeA, "a-stop", "admin")) {
            admin.register("customer:offline").sync();
            BridgeClient leaving = connect(nodeC, "c-leaving", "customer");
            leaving.sync();
            Eventually.assertEventually("on C, seen from A", () -> user(presence(nodeA, ""), "c-leaving") != null);
            long stopped = System.nanoTime();
            nodeC.close().await();
            Eventually.assertEventually("gone after C stopped", () -> user(presence(nodeA, ""), "c-leaving") == null);
            assertEquals("c-leaving", admin.next(rec("customer:offline")).getJsonObject("body").getJsonObject("data").getString("customerId"));
            System.out.printf("presence: a stopped node's user left A's view %d ms after the stop began%n", (System.nanoTime() - stopped) / 1_000_000);
            leaving.close();
        } finally {
            nodeC.close();
        }
        assertNull(user(presence(nodeB, ""), "c-leaving"));
    }
}
