package io.herald;

import io.herald.node.HeraldNode;

import io.herald.testing.BridgeClient;
import io.herald.testing.RawWebSocket;
import io.herald.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import java.util.Map;

import static io.herald.testing.BridgeClient.rec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Connections refused for their token on a node that takes no anonymous clients: each gets an err
 * frame with the reason and {@code reconnect}, then a close with the reason's own code (token_required 4101,
 * token_invalid 4102, token_expired 4100: the range 4100–4199, reconnect with a new token; all three were 4401),
 * and the node keeps serving the others.
 */
class ConnectionRefusalIT {
    static HeraldNode node;
    static Vertx clients;

    @BeforeAll
    static void startNode() {
        node = TestNodes.start(TestNodes.config(json -> {
            json.getJsonObject("auth").put("allowAnonymous", false);
            json.getJsonObject("bridge").put("maxSubscriptionsPerSocket", 2);
        }));
        clients = Vertx.vertx();
    }

    @AfterAll
    static void stopNode() {
        clients.close().await();
        node.close().await();
    }

    private void assertRefused(String token, String code) {
        RawWebSocket client = RawWebSocket.refusedAtOpen(node.port(), token); // read by a client that drops no frame
        JsonObject frame = client.refusal();
        assertEquals(code, frame.getString("failureType"), frame.encode());
        assertEquals(401, frame.getInteger("failureCode"));
        assertEquals(Boolean.TRUE, frame.getBoolean("reconnect"), "a refusal says whether to connect again: " + frame.encode());
        assertEquals(Map.of("token_expired", 4100, "token_required", 4101, "token_invalid", 4102).get(code), client.closeCode());
        assertEquals(code, client.closeReason());
    }

    static String sign(JsonObject claims, String secret) {
        JWTAuth jwt = JWTAuth.create(clients, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
        return jwt.generateToken(claims, new JWTOptions().setAlgorithm("HS256"));
    }

    static String secret() {
        return node.config().auth().jwtSecret();
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    @Test
    void noTokenIsRefusedWhenAnonymousIsOff() {
        assertRefused(null, "token_required");
    }

    @Test
    void expiredTokenIsRefused() {
        assertRefused(sign(new JsonObject().put("sub", "u").put("role", "staff").put("exp", now() - 600), secret()), "token_expired");
    }

    @Test
    void tokenSignedWithAnotherKeyIsRefused() {
        assertRefused(sign(new JsonObject().put("sub", "u").put("role", "admin").put("exp", now() + 600), "another-secret-another-secret-123"), "token_invalid");
    }

    @Test
    void unsignedAlgNoneTokenIsRefused() {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = b64.encodeToString(new JsonObject().put("sub", "u").put("role", "admin").put("exp", now() + 600).encode().getBytes(StandardCharsets.UTF_8));
        assertRefused(header + "." + payload + ".", "token_invalid");
    }

    @Test
    void garbageTokenAndBadClaimsAreRefused() {
        assertRefused("not-a-jwt", "token_invalid");
        assertRefused(sign(new JsonObject().put("sub", "u").put("role", "emperor").put("exp", now() + 600), secret()), "token_invalid");
        assertRefused(sign(new JsonObject().put("role", "staff").put("exp", now() + 600), secret()), "token_invalid");
        assertRefused(sign(new JsonObject().put("sub", "u").put("role", "staff"), secret()), "token_invalid");
    }

    @Test
    void bearerHeaderWorksLikeTheQueryParameter() {
        var client = clients.createWebSocketClient();
        var socket = client.connect(new io.vertx.core.http.WebSocketConnectOptions().setPort(node.port()).setHost("127.0.0.1")
                .setURI("/eventbus/websocket").addHeader("Authorization", "Bearer " + TestNodes.token(node, "s-h", "staff"))).await();
        java.util.concurrent.LinkedBlockingQueue<String> frames = new java.util.concurrent.LinkedBlockingQueue<>();
        socket.textMessageHandler(frames::add);
        socket.writeTextMessage("{\"type\":\"register\",\"address\":\"order:updated\"}").await();
        socket.writeTextMessage("{\"type\":\"register\",\"address\":\"sync:header\"}").await();
        try {
            String answer = frames.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals("unknown_event_type", new JsonObject(answer).getString("failureType"), "the register before it was accepted");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        socket.close().await();
        client.close();
    }

    @Test
    void subscriptionsPerSocketAreCapped() {
        try (BridgeClient staff = BridgeClient.connect(clients, node.port(), TestNodes.token(node, "s-cap", "staff"))) {
            staff.register("order:created").register("order:updated").register("order:deleted");
            JsonObject refused = staff.next();
            assertEquals("too_many_subscriptions", refused.getString("failureType"));
            assertEquals("order:deleted", refused.getString("address"));
            staff.unregister("order:created").register("order:deleted").sync();
            TestNodes.publish(node, "order:deleted", new JsonObject());
            assertEquals("order:deleted", staff.next(rec("order:deleted")).getString("address"));
        }
    }
}
