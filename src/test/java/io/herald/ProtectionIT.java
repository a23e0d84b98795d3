package io.herald;

import io.herald.node.HeraldNode;

import io.herald.testing.BridgeClient;
import io.herald.testing.Eventually;
import io.herald.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static io.herald.testing.BridgeClient.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each protection against an attack that would succeed without it: tokens outliving their expiry,
 * silent clients, frames that are large in bytes but not in characters, long addresses, unbounded
 * pending replies, a reader that stalls. One clustered node (history appends are asynchronous there).
 */
class ProtectionIT {
    static HeraldNode node;
    static Vertx clients;

    @BeforeAll
    static void start() {
        String cluster = TestNodes.uniqueClusterName();
        int port = TestNodes.freePort();
        node = TestNodes.startClustered(cluster, port, List.of(port), json -> {
            json.getJsonObject("auth").put("leewaySeconds", 0);
            json.getJsonObject("http").put("maxBodyBytes", 1 << 20);
            json.getJsonObject("bridge").put("maxFrameBytes", 1024).put("maxAddressLength", 64).put("maxPendingReplies", 2)
                    .put("idleTimeoutSeconds", 2).put("pingIntervalSeconds", 1).put("maxOutboundBytes", 1 << 20);
            json.getJsonObject("limits").put("framesPerMinute", 100_000).put("framesBurst", 100_000);
        });
        clients = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        clients.close().await();
        node.close().await();
    }

    static String token(String user, String role, long ttlSeconds) {
        return TestNodes.token(node, user, role, null, List.of(), ttlSeconds);
    }

    static long closes(String reason) {
        JsonObject closes = TestNodes.http("GET", node.port(), "/metrics", null, null).body().lines()
                .filter(line -> line.startsWith("herald_closes_total{reason=\"" + reason + "\"}"))
                .findFirst().map(line -> new JsonObject().put("n", Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))))
                .orElse(new JsonObject().put("n", 0.0));
        return closes.getDouble("n").longValue();
    }

    @Test
    void aThreeSecondTokenClosesItsSocketUnlessRefreshed() {
        try (BridgeClient expiring = BridgeClient.connect(clients, node.port(), token("c-1", "customer", 3));
             BridgeClient refreshing = BridgeClient.connect(clients, node.port(), token("c-2", "customer", 3))) {
            refreshing.request("herald:token", new JsonObject().put("token", token("c-2", "customer", 600)), "r-1");
            JsonObject reply = refreshing.next(BridgeClient.rec("r-1")).getJsonObject("body");
            assertTrue(reply.getLong("exp") > System.currentTimeMillis() / 1000 + 500);
            refreshing.request("herald:token", new JsonObject().put("token", token("someone-else", "admin", 600)), "r-2");
            assertEquals("token_invalid", refreshing.next(err("r-2")).getString("failureType"), "a token for another user is refused");

            JsonObject why = expiring.next(f -> "err".equals(f.getString("type")) && f.getString("address") == null);
            assertEquals("token_expired", why.getString("failureType"));
            assertTrue(why.getBoolean("reconnect"));
            assertTrue(expiring.awaitClose());
            assertEquals(4401, expiring.closeCode());
            assertEquals("token_expired", expiring.closeReason());
            assertFalse(refreshing.awaitClosedQuickly(), "the refreshed connection outlives its first token");
            refreshing.register("product:created").sync();
        }
    }

    @Test
    void aClientThatGoesSilentIsClosedAndCleanedUp() throws Exception {
        long before = closes("idle_timeout");
        long connectionsBefore = TestNodes.http("GET", node.port(), "/health", null, null).json().getLong("connections");
        try (BridgeClient alive = BridgeClient.connect(clients, node.port(), token("s-1", "staff", 600));
             Socket silent = silentWebSocket(token("s-2", "staff", 600))) {
            Eventually.assertEventually("the silent client is closed", () -> closes("idle_timeout") == before + 1);
            Eventually.assertEventually("its connection is gone", () ->
                    TestNodes.http("GET", node.port(), "/health", null, null).json().getLong("connections") == connectionsBefore + 1);
            alive.register("order:created").sync();
            assertFalse(alive.awaitClosedQuickly(), "a client that answers pings stays");
        }
    }

    /** A WebSocket opened by hand that then sends nothing and answers no ping: a client that went away without closing. */
    static Socket silentWebSocket(String token) throws IOException {
        Socket socket = new Socket("127.0.0.1", node.port());
        String key = Base64.getEncoder().encodeToString("silent-client-key".getBytes(StandardCharsets.US_ASCII)).substring(0, 22) + "==";
        socket.getOutputStream().write(("GET /eventbus/websocket?token=" + token + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        BufferedReader response = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        assertTrue(response.readLine().contains("101"), "the upgrade is accepted");
        return socket;
    }

    @Test
    void framesAreMeasuredInBytes() {
        try (BridgeClient client = BridgeClient.connect(clients, node.port(), token("s-3", "staff", 600))) {
            String euros = "€".repeat(400); // 400 characters, 1,200 bytes
            client.sendRaw(new JsonObject().put("type", "register").put("address", "order:created").put("x", euros).encode());
            assertEquals("frame_too_large", client.next(f -> "err".equals(f.getString("type"))).getString("failureType"));
            client.register("x".repeat(65));
            assertEquals("invalid_frame", client.next(f -> "err".equals(f.getString("type"))).getString("failureType"));
            client.register("order:created").sync();
        }
    }

    @Test
    void repliesAwaitedAtOnceAreBounded() {
        try (BridgeClient customer = BridgeClient.connect(clients, node.port(), token("c-3", "customer", 600), BridgeClient.Transport.SOCKJS)) {
            List<JsonObject> sends = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                sends.add(new JsonObject().put("type", "send").put("address", "customer:viewing_product")
                        .put("body", new JsonObject().put("productId", "p-" + i)).put("replyAddress", "reply-" + i));
            }
            customer.sendTogether(sends);
            int replied = 0;
            int refused = 0;
            for (int i = 0; i < 6; i++) {
                JsonObject frame = customer.next();
                if ("rec".equals(frame.getString("type"))) {
                    replied++;
                } else {
                    assertEquals("too_many_pending_replies", frame.getString("failureType"));
                    refused++;
                }
            }
            assertEquals(6, replied + refused);
            assertTrue(replied >= 2 && refused >= 1, replied + " replied, " + refused + " refused");
        }
    }

    @Test
    void aStalledReaderIsClosedAsASlowConsumerWhileOthersGetEverything() {
        long before = closes("slow_consumer");
        String type = "inventory:updated";
        try (BridgeClient good = BridgeClient.connect(clients, node.port(), token("s-4", "staff", 600));
             BridgeClient stalled = BridgeClient.connect(clients, node.port(), token("s-5", "staff", 600))) {
            good.register(type).sync();
            stalled.register(type).sync();
            stalled.stopReading();
            String filler = "x".repeat(8 * 1024);
            int events = 3000; // about 25 MB: far past the 1 MB bound plus what the kernel buffers on loopback
            JsonObject last = null;
            for (int i = 0; i < events; i += 50) {
                io.vertx.core.json.JsonArray batch = new io.vertx.core.json.JsonArray();
                for (int j = i; j < i + 50; j++) {
                    batch.add(new JsonObject().put("type", type).put("data", new JsonObject().put("n", j).put("filler", filler)));
                }
                TestNodes.Response response = TestNodes.http("POST", node.port(), "/api/events/batch", "Bearer " + node.config().apiKey(),
                        new JsonObject().put("events", batch).encode());
                assertEquals(202, response.status(), response.body());
                last = response.json();
            }
            List<JsonObject> received = good.events(type, events);
            for (int i = 0; i < events; i++) {
                assertEquals(i, received.get(i).getJsonObject("data").getInteger("n"));
            }
            Eventually.assertEventually("the stalled reader was closed as a slow consumer", () -> closes("slow_consumer") == before + 1);
            assertTrue(last != null);
        }
    }
}
