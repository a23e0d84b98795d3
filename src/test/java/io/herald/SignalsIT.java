package io.herald;

import io.herald.node.HeraldNode;
import io.herald.testing.BridgeClient;
import io.herald.testing.Eventually;
import io.herald.testing.TestNodes;
import io.herald.testing.OnTwoNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.herald.testing.BridgeClient.rec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Room signals ({@code herald:signal}) across two clustered nodes with the shipped conf/rooms.json: who gets them (the
 * room's other members that registered herald:signal, on both nodes; never the sender), the join reply's current ones
 * and their expiry, the refusals and their codes, the rate.
 */
class SignalsIT extends OnTwoNodes {
    static final String SIGNAL = "herald:signal";

    @BeforeAll
    static void startCluster() {
        startNodes(json -> { });
    }

    static JsonObject control(BridgeClient client, String address, JsonObject body) {
        return control(client, address, body, new ArrayList<>());
    }

    /** The reply to a control request; the frames that came before it are added to {@code before}. */
    static JsonObject control(BridgeClient client, String address, JsonObject body, List<JsonObject> before) {
        String reply = "reply-" + System.nanoTime();
        client.request(address, body, reply);
        while (true) {
            JsonObject frame = client.next();
            if (reply.equals(frame.getString("address"))) {
                return frame;
            }
            before.add(frame);
        }
    }

    static JsonObject join(BridgeClient client, String room) {
        JsonObject reply = control(client, "herald:join", new JsonObject().put("room", room));
        assertEquals("rec", reply.getString("type"), reply.encode());
        return reply.getJsonObject("body");
    }

    static JsonObject signal(BridgeClient client, String room, Object data, int ttlMs) {
        return signal(client, room, data, ttlMs, new ArrayList<>());
    }

    static JsonObject signal(BridgeClient client, String room, Object data, int ttlMs, List<JsonObject> before) {
        return control(client, SIGNAL, new JsonObject().put("room", room).put("data", data).put("ttlMs", ttlMs), before);
    }

    /** Registers herald:signal; the register needs no catalog type (no err comes back for it). */
    static void listen(BridgeClient client) {
        client.register(SIGNAL).sync();
        for (JsonObject frame : client.drain()) {
            assertTrue(!SIGNAL.equals(frame.getString("address")), "no answer to the register: " + frame.encode());
        }
    }

    static List<JsonObject> signalsIn(List<JsonObject> frames) {
        return frames.stream().filter(rec(SIGNAL)).map(f -> f.getJsonObject("body")).toList();
    }

    @Test
    void aSignalReachesTheRoomsOtherRegisteredMembersOnBothNodesButNotItsSender() {
        try (BridgeClient customer = connect(nodeB, "c-sig", "customer");
             BridgeClient staffA = connect(nodeA, "s-sig-a", "staff");
             BridgeClient staffB = connect(nodeB, "s-sig-b", "staff");
             BridgeClient notListening = connect(nodeA, "s-sig-quiet", "staff");
             BridgeClient elsewhere = connect(nodeA, "s-sig-else", "staff")) {
            join(customer, "chat:c-sig");
            join(staffA, "chat:c-sig");
            join(staffB, "chat:c-sig");
            join(notListening, "chat:c-sig");
            join(elsewhere, "chat:c-other");
            for (BridgeClient client : List.of(customer, staffA, staffB, elsewhere)) {
                listen(client);
            }

            List<JsonObject> customerFrames = new ArrayList<>();
            List<JsonObject> staffAFrames = new ArrayList<>();
            JsonObject sent = signal(customer, "chat:c-sig", new JsonObject().put("typing", true), 4000, customerFrames);
            assertEquals("rec", sent.getString("type"), sent.encode());
            long expiresAt = sent.getJsonObject("body").getLong("expiresAt");
            JsonObject expected = new JsonObject().put("room", "chat:c-sig")
                    .put("from", new JsonObject().put("userId", "c-sig").put("role", "customer"))
                    .put("data", new JsonObject().put("typing", true)).put("expiresAt", expiresAt);
            assertEquals(expected, staffA.next(rec(SIGNAL)).getJsonObject("body"), "a member on the other node");
            assertEquals(expected, staffB.next(rec(SIGNAL)).getJsonObject("body"), "a member on the sender's node");

            // staff answers: the customer gets that one, and never got its own before it
            signal(staffA, "chat:c-sig", "typing", 4000, staffAFrames);
            while (true) {
                JsonObject frame = customer.next();
                if (rec(SIGNAL).test(frame)) {
                    assertEquals("s-sig-a", frame.getJsonObject("body").getJsonObject("from").getString("userId"), "its own signal came back");
                    break;
                }
                customerFrames.add(frame);
            }
            assertEquals(List.of(), signalsIn(customerFrames), "the sender does not get its own signal");
            assertEquals("s-sig-a", staffB.next(rec(SIGNAL)).getJsonObject("body").getJsonObject("from").getString("userId"));

            // the member that did not register, and the listener in another room, got none of the two
            notListening.sync();
            elsewhere.sync();
            assertEquals(List.of(), signalsIn(notListening.drain()));
            assertEquals(List.of(), signalsIn(elsewhere.drain()));
            staffA.sync();
            staffAFrames.addAll(staffA.drain());
            assertEquals(List.of(), signalsIn(staffAFrames), "the sender does not get its own signal");

            // unregister: no more signals
            staffB.unregister(SIGNAL).sync();
            signal(customer, "chat:c-sig", "again", 1000);
            staffA.next(rec(SIGNAL));
            staffB.sync();
            assertEquals(List.of(), signalsIn(staffB.drain()));
        }
    }

    @Test
    void theJoinReplyCarriesTheRoomsCurrentSignalsUntilTheyExpire() {
        try (BridgeClient sender = connect(nodeA, "s-ttl", "staff");
             BridgeClient late = connect(nodeB, "s-ttl-late", "staff");
             BridgeClient sameNode = connect(nodeA, "s-ttl-same", "staff")) {
            join(sender, "chat:c-ttl");
            JsonObject sent = signal(sender, "chat:c-ttl", new JsonObject().put("typing", true), 3000).getJsonObject("body");
            long expiresAt = sent.getLong("expiresAt");

            JsonArray onSameNode = join(sameNode, "chat:c-ttl").getJsonArray("signals");
            assertEquals(1, onSameNode.size(), onSameNode.encode());
            assertEquals("s-ttl", onSameNode.getJsonObject(0).getJsonObject("from").getString("userId"));
            assertEquals(expiresAt, onSameNode.getJsonObject(0).getLong("expiresAt"));
            // the other node keeps what it hears: a join there (again, until the signal arrived) carries it too
            Eventually.assertWithin(20, "the other node has the signal", () -> join(late, "chat:c-ttl").getJsonArray("signals").size() == 1);
            assertEquals(new JsonObject().put("typing", true), join(late, "chat:c-ttl").getJsonArray("signals").getJsonObject(0).getJsonObject("data"));

            Eventually.assertWithin(20, "the signal's expiry passed", () -> System.currentTimeMillis() > expiresAt + 10);
            assertEquals(new JsonArray(), join(late, "chat:c-ttl").getJsonArray("signals"), "expired: the join reply has none");
            assertEquals(new JsonArray(), join(sameNode, "chat:c-ttl").getJsonArray("signals"));
            assertNull(join(sender, "batch:b-1").getValue("signals"), "rooms without presence carry no signals");
        }
    }

    @Test
    void aRefreshedTokenThatDropsTheRoomStopsItsSignals() {
        try (BridgeClient demoted = connect(nodeA, "s-demoted", "staff");
             BridgeClient sender = connect(nodeB, "s-demoter", "staff")) {
            join(demoted, "chat:c-demote");
            join(sender, "chat:c-demote");
            listen(demoted);
            signal(sender, "chat:c-demote", "before", 1000);
            assertEquals("before", demoted.next(rec(SIGNAL)).getJsonObject("body").getString("data"));

            // the same user as a customer may be only in its own chat room: chat:c-demote is dropped
            JsonObject refreshed = control(demoted, "herald:token",
                    new JsonObject().put("token", TestNodes.token(nodeA, "s-demoted", "customer", null, List.of(), 3600)));
            assertEquals(new JsonArray().add("chat:c-demote"), refreshed.getJsonObject("body").getJsonObject("dropped").getJsonArray("rooms"),
                    refreshed.encode());
            assertEquals("access_denied", signal(demoted, "chat:c-demote", "x", 1000).getString("failureType"), "no longer a member");
            // the sender signals the dropped room, then the demoted user's own room (joined after the refresh): from one
            // node to the other in that order, so what the demoted connection got before the marker says it all
            join(demoted, "chat:s-demoted");
            join(sender, "chat:s-demoted");
            signal(sender, "chat:c-demote", "after", 1000);
            signal(sender, "chat:s-demoted", "marker", 1000);
            List<String> heard = new ArrayList<>();
            while (true) {
                JsonObject frame = demoted.next();
                if (rec(SIGNAL).test(frame)) {
                    heard.add(frame.getJsonObject("body").getString("data"));
                    if (heard.contains("marker")) {
                        break;
                    }
                }
            }
            assertEquals(List.of("marker"), heard, "signals of a dropped room stop");
        }
    }

    /**
     * Signal frames count against the listener's outbound bound as events do: a member that reads nothing while the room
     * signals (1 KiB each, the rate lifted) is cut as a slow consumer, and the node stops queueing for it near the bound.
     */
    @Test
    void aListenerThatReadsNothingIsCutAsASlowConsumer() throws Exception {
        HeraldNode node = TestNodes.start(TestNodes.config(json -> {
            json.getJsonObject("limits").put("signalsPerSecond", 10_000).put("framesPerMinute", 1_000_000).put("framesBurst", 1_000_000)
                    .put("framesPerMinuteByRole", new JsonObject().put("staff", 1_000_000));
        }));
        try (java.net.Socket stalled = OutboundBoundsAttackIT.stalled(node.port(), TestNodes.token(node, "s-stalled", "staff"));
             BridgeClient sender = connect(node, "s-flood", "staff")) {
            java.io.OutputStream out = stalled.getOutputStream();
            out.write(SlowConsumerAttackIT.maskedText(new JsonObject().put("type", "send").put("address", "herald:join")
                    .put("body", new JsonObject().put("room", "chat:c-bound")).encode()));
            out.write(SlowConsumerAttackIT.maskedText(new JsonObject().put("type", "register").put("address", SIGNAL).encode()));
            out.flush();
            join(sender, "chat:c-bound");
            Eventually.assertWithin(20, "the stalled listener is in the room", () -> {
                JsonObject members = TestNodes.http("GET", node.port(), "/api/presence?room=chat:c-bound", "Bearer " + node.config().apiKey(), null).json();
                return members.getInteger("count", 0) == 2;
            });
            long bytesBefore = OutboundBoundsAttackIT.metric(node, "herald_frames_out_bytes_total");
            String kilobyte = "x".repeat(1000);
            int sent = 0;
            for (; sent < 40_000 && (sent % 500 != 0 || OutboundBoundsAttackIT.closes(node) == 0); sent++) {
                sender.send(new JsonObject().put("type", "send").put("address", SIGNAL)
                        .put("body", new JsonObject().put("room", "chat:c-bound").put("data", kilobyte).put("ttlMs", 1000)));
            }
            Eventually.assertWithin(60, "the stalled listener is closed as a slow consumer", () -> OutboundBoundsAttackIT.closes(node) >= 1);
            long queuedMb = (OutboundBoundsAttackIT.metric(node, "herald_frames_out_bytes_total") - bytesBefore) >> 20;
            System.out.printf("SIGNAL OUTBOUND BOUND: %d signals of 1 KB sent, the node wrote %d MB to the listener before cutting it%n", sent, queuedMb);
            assertTrue(sent < 40_000, "cut before the sender ran out of signals");
            assertTrue(queuedMb < 32, "the node stopped queueing near the bound, not after " + queuedMb + " MB");
        } finally {
            node.close().await();
        }
    }

    @Test
    void refusalsAndTheirCodesCostNothing() {
        try (BridgeClient staff = connect(nodeA, "s-refused", "staff");
             BridgeClient listener = connect(nodeB, "s-refused-listener", "staff")) {
            join(staff, "chat:c-refused");
            join(staff, "batch:b-1");
            join(listener, "chat:c-refused");
            listen(listener);
            assertEquals("access_denied", signal(staff, "chat:c-not-joined", "x", 1000).getString("failureType"), "not a member");
            assertEquals("access_denied", signal(staff, "batch:b-1", "x", 1000).getString("failureType"), "a room without presence");
            assertEquals("invalid_frame", control(staff, SIGNAL, new JsonObject().put("data", "x")).getString("failureType"), "no room");
            assertEquals("invalid_frame", signal(staff, "chat:c-refused", "x", 10_001).getString("failureType"), "ttlMs over 10 s");
            assertEquals("invalid_frame", signal(staff, "chat:c-refused", "x", 0).getString("failureType"));
            assertEquals("frame_too_large", signal(staff, "chat:c-refused", "x".repeat(1100), 1000).getString("failureType"), "data over 1 KiB");
            staff.send(new JsonObject().put("type", "send").put("address", SIGNAL).put("body", new JsonArray().add(1)).put("replyAddress", "r-array"));
            assertEquals("invalid_frame", staff.next(f -> "r-array".equals(f.getString("address"))).getString("failureType"), "a body that is no object");
            staff.sendRaw("{\"type\":\"send\",\"address\":\"herald:signal\",\"body\":{\"room\":");
            assertEquals("invalid_json", staff.next(f -> "err".equals(f.getString("type"))).getString("failureType"));

            // none of them reached the listener or took a token: the full rate is still there
            int accepted = 0;
            for (int i = 0; i < 10; i++) {
                accepted += "rec".equals(signal(staff, "chat:c-refused", i, 1000).getString("type")) ? 1 : 0;
            }
            assertEquals(10, accepted);
            List<JsonObject> heard = new ArrayList<>();
            while (heard.size() < 10) {
                heard.add(listener.next(rec(SIGNAL)).getJsonObject("body"));
            }
            assertEquals(0, heard.get(0).getInteger("data"), "the first signal the listener hears is the first accepted one");
        }
    }

    @Test
    void pastTheRateASignalIsRefusedWithRateLimitedAndTheConnectionStays() {
        try (BridgeClient staff = BridgeClient.connect(clients, nodeB.port(), TestNodes.token(nodeB, "s-rate", "staff", null, List.of(), 3600),
                BridgeClient.Transport.SOCKJS)) {
            join(staff, "chat:c-rate");
            List<JsonObject> frames = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                frames.add(new JsonObject().put("type", "send").put("address", SIGNAL).put("replyAddress", "rate-" + i)
                        .put("body", new JsonObject().put("room", "chat:c-rate").put("data", i).put("ttlMs", 1000)));
            }
            staff.sendTogether(frames); // handled in one go: about no time for the bucket to refill
            int accepted = 0;
            int limited = 0;
            for (int i = 0; i < 30; i++) {
                JsonObject answer = staff.next(f -> f.getString("address") != null && f.getString("address").startsWith("rate-"));
                if ("rec".equals(answer.getString("type"))) {
                    accepted++;
                } else {
                    assertEquals("rate_limited", answer.getString("failureType"), answer.encode());
                    limited++;
                }
            }
            assertTrue(accepted >= 10 && accepted < 30 && limited >= 1, accepted + " accepted, " + limited + " refused");
            assertTrue(limited >= 10, "limits.signalsPerSecond is 10: " + accepted + " accepted");
            Eventually.assertWithin(20, "the bucket refills", () -> "rec".equals(signal(staff, "chat:c-rate", "later", 1000).getString("type")));
        }
    }
}
