package io.herald;

import io.herald.node.HeraldNode;
import io.herald.testing.NodeScripts;
import io.herald.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /graphql} with the graphql-ws npm client (src/test/js/graphql-ws-client.mjs, plain Node) against a real node:
 * live events of several types, recovery with since and epoch, a filter, a type the role may not read, a customer's own
 * orders only, the state query, a forged token (docs/graphql.md).
 */
class GraphQLJsIT {
    static final int CONNECTIONS_PER_IP = 6;
    static HeraldNode node;

    @BeforeAll
    static void start() {
        NodeScripts.requireInstalled();
        node = TestNodes.start(TestNodes.config(json -> {
            json.getJsonObject("limits").put("connectionsPerIp", CONNECTIONS_PER_IP);
            json.getJsonObject("http").put("allowedOrigins", new JsonArray().add("https://shop.example.com"));
            json.getJsonObject("bridge").put("maxOutboundBytes", 64 * 1024);
        }));
    }

    @AfterAll
    static void stop() {
        node.close().await();
    }

    @Test
    void subscriptionsAndTheStateQueryOverGraphQLWs() throws Exception {
        JsonObject args = new JsonObject()
                .put("url", "http://127.0.0.1:" + node.port())
                .put("apiKey", node.config().apiKey())
                .put("jwtSecret", node.config().auth().jwtSecret())
                .put("connectionsPerIp", CONNECTIONS_PER_IP);
        JsonObject observed = NodeScripts.run("graphql-ws-client.mjs", args.encode());

        JsonArray keys = new JsonArray().add("at").add("data").add("epoch").add("id").add("seq").add("type");
        assertEquals(new JsonArray()
                .add(new JsonObject().put("type", "order:created").put("n", 2).put("keys", keys))
                .add(new JsonObject().put("type", "payment:received").put("n", 3).put("keys", keys))
                .add(new JsonObject().put("type", "order:created").put("n", 4).put("keys", keys)),
                observed.getJsonArray("several"), "the selected fields of the two types, nothing of product:created");
        JsonArray seqs = observed.getJsonArray("severalSeqs");
        for (int i = 1; i < seqs.size(); i++) {
            assertEquals(seqs.getLong(i - 1) + 1, seqs.getLong(i), "order:created in seq order, none missing: " + seqs);
        }
        assertEquals(new JsonArray().add(2).add(3).add(4), observed.getJsonArray("recovered"), "after since from history, then live");
        assertTrue(observed.getBoolean("recoveredEpochs"));
        assertEquals("recovery_incomplete", observed.getString("incomplete"));
        assertTrue(observed.getBoolean("incompleteGoesOn"));
        assertEquals(new JsonArray().add(150).add(300).add(500), observed.getJsonArray("filtered"), "only the orders over 100");
        assertEquals("invalid_filter", observed.getString("badFilter"));
        assertEquals("invalid_parameter", observed.getString("conflict"));
        assertEquals(new JsonArray().add("access_denied"), observed.getJsonArray("denied"));
        assertTrue(observed.getBoolean("guestStillServed"));
        assertEquals("unknown_event_type", observed.getString("unknown"));
        assertTrue(observed.getString("invalid").contains("nope"), observed.getString("invalid"));
        assertEquals(new JsonArray().add("c-1"), observed.getJsonArray("own"), "a customer gets its own orders only");
        JsonObject state = observed.getJsonObject("state");
        assertEquals("inventory:updated", state.getString("type"));
        assertEquals("productId", state.getString("key"));
        assertEquals(1, state.getJsonArray("entries").size(), state.encode());
        assertEquals(7, state.getJsonArray("entries").getJsonObject(0).getJsonObject("data").getInteger("quantity"));
        assertTrue(state.getLong("seq") != null, "the position to subscribe from: " + state.encode());
        assertEquals("access_denied", observed.getString("deniedState"));
        assertEquals(new JsonObject().put("code", CloseReason.TOKEN_INVALID.code()).put("reason", "token_invalid"), observed.getJsonObject("forged"));
        assertEquals(403, observed.getInteger("foreignOrigin"), "the origin check of the bridge's handshake");
        assertEquals(4401, observed.getJsonObject("beforeInit").getInteger("code"), observed.encode());
        assertEquals("graphql-transport-ws", observed.getJsonObject("beforeInit").getString("protocol"));
        assertEquals(4429, observed.getJsonObject("twoInits").getInteger("code"), observed.encode());
        assertEquals(1, observed.getInteger("disconnected"));
        assertEquals(new JsonObject().put("code", CloseReason.REVOKED.code()).put("reason", "revoked"), observed.getJsonObject("revoked"),
                "POST /api/disconnect closes the user's /graphql connection");
        assertEquals(new JsonObject().put("code", CloseReason.TOO_MANY_CONNECTIONS.code()).put("reason", "too_many_connections"),
                observed.getJsonObject("crowdRefused"), "limits.connectionsPerIp counts /graphql connections");
    }

    /**
     * A GraphQL subscriber that stops reading is bounded by bridge.maxOutboundBytes and cut as a bridge socket is
     * ({@code slow_consumer}, no close handshake), while the node goes on.
     */
    @Test
    void aGraphQLSubscriberThatReadsNothingIsCutAsASlowConsumer() throws Exception {
        int port = node.port();
        String type = "inventory:out_of_stock";
        try (Socket socket = OutboundBoundsAttackIT.upgraded(port, 16 * 1024, 20_000, "/graphql", "Sec-WebSocket-Protocol: graphql-transport-ws\r\n")) {
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            out.write(SlowConsumerAttackIT.maskedText(new JsonObject().put("type", "connection_init")
                    .put("payload", new JsonObject().put("token", TestNodes.token(node, "slow-1", "admin"))).encode()));
            assertTrue(SlowConsumerAttackIT.readText(in).contains("connection_ack"));
            out.write(SlowConsumerAttackIT.maskedText(new JsonObject().put("id", "s").put("type", "subscribe")
                    .put("payload", new JsonObject().put("query", "subscription { events(types: [\"" + type + "\"]) { data } }")).encode()));
            out.flush();
            // registered once an event published now reaches it
            String probe = null;
            for (int i = 0; i < 100 && probe == null; i++) {
                publish(port, type, new JsonObject().put("probe", i));
                socket.setSoTimeout(300);
                try {
                    probe = SlowConsumerAttackIT.readText(in);
                } catch (java.net.SocketTimeoutException notYet) {
                    // not registered yet
                }
            }
            assertTrue(probe != null && probe.contains("\"next\""), String.valueOf(probe));
            // from now on it reads nothing
            long before = SlowConsumerAttackIT.closes(port, "slow_consumer");
            String filler = "x".repeat(10 * 1024);
            int published = 0;
            while (SlowConsumerAttackIT.closes(port, "slow_consumer") == before && published < 4000) {
                for (int i = 0; i < 50; i++, published++) {
                    publish(port, type, new JsonObject().put("n", published).put("filler", filler));
                }
            }
            assertEquals(before + 1, SlowConsumerAttackIT.closes(port, "slow_consumer"), "cut after " + published + " events of 10 KB");
            socket.setSoTimeout(20_000);
            String end = SlowConsumerAttackIT.readToEnd(socket, new long[1]);
            assertTrue(end.equals("end of stream") || end.equals("reset"), end);
        }
    }

    static void publish(int port, String type, JsonObject data) {
        TestNodes.Response response = TestNodes.http("POST", port, "/api/events", "Bearer " + node.config().apiKey(),
                new JsonObject().put("type", type).put("data", data).encode());
        assertEquals(202, response.status(), response.body());
    }
}
