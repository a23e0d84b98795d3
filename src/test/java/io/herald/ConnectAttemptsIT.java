package io.herald;

import io.herald.node.HeraldNode;

import io.herald.testing.BridgeClient;
import io.herald.testing.Eventually;
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

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17 item 5, as an attacker would: a flood of connects from one address with garbage and forged
 * tokens. Each used to cost a token verification and was never counted by
 * {@code limits.connectAttemptsPerIpPerSecond} (only verified attempts were); every attempt now counts
 * when its transport opens, before the token is looked at.
 */
class ConnectAttemptsIT {
    static Vertx clients;

    @BeforeAll
    static void startClients() {
        clients = Vertx.vertx();
    }

    @AfterAll
    static void stopClients() {
        clients.close().await();
    }

    /** A token signed with another secret: well-formed, costs a full signature check, never valid. */
    static String forged(int i) {
        JWTAuth other = JWTAuth.create(clients, new JWTAuthOptions().addPubSecKey(
                new PubSecKeyOptions().setAlgorithm("HS256").setBuffer("not-the-node-secret-" + "x".repeat(32))));
        return other.generateToken(new JsonObject().put("sub", "mallory-" + i).put("role", "admin"),
                new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(3600));
    }

    /** The failureType of the first frame the node sends a new connection (its refusal), or "closed" when none came. */
    static String refusal(BridgeClient client) {
        JsonObject first = client.poll(BridgeClient.WAIT);
        return first == null ? "closed" : String.valueOf(first.getString("failureType"));
    }

    @Test
    void badTokenFloodFromOneAddressIsCountedAsAttempts() {
        HeraldNode node = TestNodes.start(TestNodes.config(json -> json.getJsonObject("limits").put("connectAttemptsPerIpPerSecond", 3)));
        List<BridgeClient> attempts = new ArrayList<>();
        try {
            int tooMany = 0;
            int invalid = 0;
            for (int i = 0; i < 40; i++) {
                String token = i % 2 == 0 ? "garbage." + i + ".token" : forged(i);
                try {
                    attempts.add(BridgeClient.connect(clients, node.port(), token));
                } catch (Throwable closedAtOnce) {
                    // "WebSocket is closed": refused before the client's connect completed (a refused attempt, mostly);
                    // which refusal it was, the node's metrics say below
                    tooMany++;
                }
            }
            for (BridgeClient attempt : attempts) {
                String answer = refusal(attempt);
                if ("too_many_connections".equals(answer)) {
                    tooMany++;
                    assertTrue(attempt.awaitClose(), "a refused attempt is closed");
                    assertEquals(4429, attempt.closeCode());
                } else if ("token_invalid".equals(answer)) {
                    invalid++;
                }
            }
            // 40 attempts within a few seconds pass 3 a second: most are refused before their token is verified
            assertTrue(tooMany >= 10, "attempts refused as too many: " + tooMany + ", verified and refused as invalid: " + invalid);
            assertTrue(invalid >= 1, "the first attempts of a second are verified (and refused): " + invalid);
            double verified = LimitsIT.metric(node, "herald_refusals_total{code=\"token_invalid\"}");
            assertTrue(verified < 40, "not every bad token cost a verification: " + verified);
            Eventually.assertEventually("a good token is admitted again a moment later", () -> {
                try (BridgeClient later = BridgeClient.connect(clients, node.port(), TestNodes.token(node, "s-later", "staff"))) {
                    later.register(LimitsIT.PROBE);
                    JsonObject answer = later.next();
                    return "unknown_event_type".equals(answer.getString("failureType"));
                } catch (Throwable closedAtOnce) {
                    // still refused as too many ("WebSocket is closed" before the client's connect completed): try again
                    return false;
                }
            });
        } finally {
            attempts.forEach(BridgeClient::close);
            node.close().await();
        }
    }

    /** The same flood over a SockJS fallback transport: each new session's first request (xhr) is an attempt. */
    @Test
    void badTokenFloodOverSockJsXhrSessionsIsCountedAsAttempts() throws Exception {
        HeraldNode node = TestNodes.start(TestNodes.config(json -> json.getJsonObject("limits").put("connectAttemptsPerIpPerSecond", 3)));
        try {
            java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
            int sessions = 30;
            List<java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>>> opening = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                opening.add(http.sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                "http://127.0.0.1:" + node.port() + "/eventbus/123/flood" + i + "/xhr?token=garbage." + i))
                        .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(), java.net.http.HttpResponse.BodyHandlers.ofString()));
            }
            for (var opened : opening) {
                assertEquals(200, opened.get().statusCode(), opened.get().body());
            }
            Eventually.assertEventually("the sessions past 3 a second are refused as too many before their token is verified", () ->
                    LimitsIT.metric(node, "herald_refusals_total{code=\"too_many_connections\"}")
                            + LimitsIT.metric(node, "herald_refusals_total{code=\"token_invalid\"}") >= sessions);
            double verified = LimitsIT.metric(node, "herald_refusals_total{code=\"token_invalid\"}");
            double tooMany = LimitsIT.metric(node, "herald_refusals_total{code=\"too_many_connections\"}");
            assertTrue(tooMany >= 1 && verified < sessions, "refused as too many: " + tooMany + ", verified: " + verified + " of " + sessions);
        } finally {
            node.close().await();
        }
    }
}
