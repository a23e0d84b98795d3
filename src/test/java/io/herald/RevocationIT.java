package io.herald;

import io.herald.node.HeraldNode;

import io.herald.access.RevocationVerticle;
import io.herald.event.Disconnected;
import io.herald.event.HeraldClient;
import io.herald.testing.BridgeClient;
import io.herald.testing.RawWebSocket;
import io.herald.testing.Eventually;
import io.herald.testing.TestNodes;
import io.herald.testing.OnTwoNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17 item 8, on two clustered nodes: {@code POST /api/disconnect} and {@code HeraldClient.disconnect} close
 * every connection of a user on every node with {@code revoked} (4103) and count them; with
 * {@code revokeTokensIssuedBefore}, the user's older tokens are refused at connect and at refresh
 * ({@code token_revoked}) on both nodes, newer ones are accepted. On main there is no such endpoint (404) and a
 * stolen token keeps working until it expires.
 */
class RevocationIT extends OnTwoNodes {
    @BeforeAll
    static void startCluster() {
        startNodes(json -> { });
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    /** A staff token issued at {@code iat} (unix seconds), signed with the nodes' secret. */
    static String tokenIssuedAt(String user, long iat) {
        JWTAuth jwt = JWTAuth.create(clients, new JWTAuthOptions().addPubSecKey(
                new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(nodeA.config().auth().jwtSecret())));
        return jwt.generateToken(new JsonObject().put("sub", user).put("role", "staff").put("iat", iat).put("exp", now() + 3600),
                new JWTOptions().setAlgorithm("HS256").setNoTimestamp(true));
    }

    static BridgeClient connect(HeraldNode node, String token) {
        BridgeClient client = BridgeClient.connect(clients, node.port(), token);
        client.register("order:created").sync(); // open: the token was verified and every policy admitted it
        return client;
    }

    static TestNodes.Response disconnect(HeraldNode node, String authorization, String body) {
        return TestNodes.http("POST", node.port(), "/api/disconnect", authorization, body);
    }

    static void assertRevoked(BridgeClient client) {
        JsonObject err = client.next(f -> "err".equals(f.getString("type")) && f.getString("address") == null);
        assertEquals("revoked", err.getString("failureType"), err.encode());
        assertTrue(client.awaitClose(), "the connection is closed");
        assertEquals(4103, client.closeCode());
        assertEquals("revoked", client.closeReason());
    }

    /** The err of a connection refused at open, read by a client that drops no frame ({@link RawWebSocket#refusedAtOpen}). */
    static JsonObject refusedConnect(HeraldNode node, String token) {
        RawWebSocket client = RawWebSocket.refusedAtOpen(node.port(), token);
        JsonObject err = client.refusal();
        assertEquals(4103, client.closeCode(), "the close of a revoked token");
        assertEquals("revoked", client.closeReason());
        return err;
    }

    @Test
    void aUsersConnectionsOnEveryNodeAreClosedWithRevokedAndCounted() {
        String user = "s-revoke-all";
        BridgeClient a1 = connect(nodeA, TestNodes.token(nodeA, user, "staff"));
        BridgeClient a2 = connect(nodeA, TestNodes.token(nodeA, user, "staff"));
        BridgeClient b1 = connect(nodeB, TestNodes.token(nodeB, user, "staff"));
        try (BridgeClient other = connect(nodeB, TestNodes.token(nodeB, "s-bystander", "staff"))) {
            TestNodes.Response response = disconnect(nodeA, "Bearer " + nodeA.config().apiKey(),
                    new JsonObject().put("users", new JsonArray().add(user).add("s-nobody")).encode());
            assertEquals(200, response.status(), response.body());
            assertEquals(new JsonObject().put("disconnected", 3).put("nodes", new JsonObject().put("answered", 2).put("total", 2)),
                    response.json());
            for (BridgeClient client : List.of(a1, a2, b1)) {
                assertRevoked(client);
            }
            other.register("order:updated").sync();
            assertFalse(other.awaitClosedQuickly(), "another user's connection stays open");
            // no cutoff: the same token connects again
            connect(nodeB, TestNodes.token(nodeB, user, "staff")).close();
        } finally {
            a1.close();
            a2.close();
            b1.close();
        }
    }

    @Test
    void tokensIssuedBeforeTheCutoffAreRefusedAtConnectAndRefreshOnEveryNode() {
        String user = "s-revoke-old";
        String stolen = tokenIssuedAt(user, now() - 120);
        String noIat = JWTAuth.create(clients, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256")
                        .setBuffer(nodeA.config().auth().jwtSecret())))
                .generateToken(new JsonObject().put("sub", user).put("role", "staff").put("exp", now() + 3600),
                        new JWTOptions().setAlgorithm("HS256").setNoTimestamp(true));
        BridgeClient thief = connect(nodeB, stolen);
        long cutoff = now() - 30;
        String admin = TestNodes.token(nodeA, "a-root", "admin");
        TestNodes.Response response = disconnect(nodeA, "Bearer " + admin,
                new JsonObject().put("users", new JsonArray().add(user)).put("revokeTokensIssuedBefore", cutoff).encode());
        assertEquals(200, response.status(), response.body());
        assertEquals(1, response.json().getInteger("disconnected"));
        assertRevoked(thief);
        thief.close();

        for (HeraldNode node : List.of(nodeA, nodeB)) {
            JsonObject err = refusedConnect(node, stolen);
            assertEquals("token_revoked", err.getString("failureType"), err.encode());
            assertEquals(401, err.getInteger("failureCode"));
            assertEquals("token_revoked", refusedConnect(node, noIat).getString("failureType"), "a token without iat is refused too");
        }
        // the cutoff lives in the cluster's map, for auth.maxTokenLifetimeSeconds
        var entry = nodeB.hazelcast().<String, Long>getMap(RevocationVerticle.MAP).getEntryView(user);
        assertNotNull(entry, "the revocation is in the cluster's map");
        assertEquals(cutoff, entry.getValue());
        assertEquals(nodeA.config().auth().maxTokenLifetimeSeconds() * 1000L, entry.getTtl());

        // a token issued after the cutoff is accepted on both nodes; refreshing to the stolen one is refused
        String fresh = tokenIssuedAt(user, now());
        try (BridgeClient onA = connect(nodeA, fresh); BridgeClient onB = connect(nodeB, fresh)) {
            String reply = "reply-refresh";
            onB.request("herald:token", new JsonObject().put("token", stolen), reply);
            JsonObject refused = onB.next(f -> reply.equals(f.getString("address")));
            assertEquals("token_revoked", refused.getString("failureType"), refused.encode());
            onB.request("herald:token", new JsonObject().put("token", fresh), reply + "-2");
            JsonObject refreshed = onB.next(f -> (reply + "-2").equals(f.getString("address")));
            assertEquals("rec", refreshed.getString("type"), "a refresh with a token issued after the cutoff works: " + refreshed.encode());
            onA.register("order:updated").sync();
        }
    }

    @Test
    void aRevocationLearntFromTheMapAloneClosesTheOldTokensConnections() {
        // as a node sees it that missed the disconnect's message: only the cluster's map says it
        String user = "s-revoke-missed";
        BridgeClient old = connect(nodeB, tokenIssuedAt(user, now() - 120));
        BridgeClient fresh = connect(nodeB, tokenIssuedAt(user, now()));
        nodeA.hazelcast().<String, Long>getMap(RevocationVerticle.MAP).put(user, now() - 30);
        assertRevoked(old);
        old.close();
        fresh.register("order:updated").sync(); // a token issued after the cutoff stays connected
        fresh.close();
    }

    @Test
    void aNodeThatJoinsLaterKnowsTheRevocationsInForce() {
        String user = "s-revoke-late";
        String old = tokenIssuedAt(user, now() - 120);
        TestNodes.Response response = disconnect(nodeB, "Bearer " + nodeB.config().apiKey(),
                new JsonObject().put("users", new JsonArray().add(user)).put("revokeTokensIssuedBefore", now() - 30).encode());
        assertEquals(200, response.status(), response.body());
        int hzC = TestNodes.freePort();
        HeraldNode nodeC = TestNodes.startClustered(hub.cluster, hzC, List.of(hub.hazelcastA, hub.hazelcastB, hzC));
        try {
            // the disconnect was published before C existed: C has the cutoff from the cluster's map
            assertEquals("token_revoked", refusedConnect(nodeC, old).getString("failureType"));
            connect(nodeC, tokenIssuedAt(user, now())).close();
        } finally {
            nodeC.close().await();
            // the other tests count the nodes: wait until A and B have seen C leave
            Eventually.assertEventually("C left the cluster", () -> nodeA.hazelcast().getCluster().getMembers().size() == 2
                    && nodeB.hazelcast().getCluster().getMembers().size() == 2);
        }
    }

    @Test
    void anUnclusteredNodeRevokesOnItsOwn() {
        HeraldNode alone = TestNodes.start(TestNodes.config(json -> { }));
        try {
            String user = "s-revoke-alone";
            String old = tokenIssuedAt(user, now() - 120);
            BridgeClient client = connect(alone, old);
            TestNodes.Response response = disconnect(alone, "Bearer " + alone.config().apiKey(),
                    new JsonObject().put("users", new JsonArray().add(user)).put("revokeTokensIssuedBefore", now() - 30).encode());
            assertEquals(new JsonObject().put("disconnected", 1).put("nodes", new JsonObject().put("answered", 1).put("total", 1)),
                    response.json());
            assertRevoked(client);
            client.close();
            assertEquals("token_revoked", refusedConnect(alone, old).getString("failureType"));
            connect(alone, tokenIssuedAt(user, now())).close();
        } finally {
            alone.close().await();
        }
    }

    @Test
    void heraldClientDisconnectsOverTheBus() {
        String user = "s-revoke-client";
        BridgeClient onA = connect(nodeA, TestNodes.token(nodeA, user, "staff"));
        try {
            Disconnected answer = HeraldClient.create(nodeB.vertx()).disconnect(List.of(user), null).await();
            assertEquals(new Disconnected(1, 2, 2), answer);
            assertRevoked(onA);
        } finally {
            onA.close();
        }
    }

    @Test
    void badRequestsGetTheirCodes() {
        String key = "Bearer " + nodeA.config().apiKey();
        TestNodes.Response badJson = disconnect(nodeA, key, "{\"users\":");
        assertEquals(400, badJson.status());
        assertEquals("invalid_json", badJson.json().getString("error"));
        TestNodes.Response empty = disconnect(nodeA, key, "{\"users\":[]}");
        assertEquals(400, empty.status());
        assertEquals("invalid_parameter", empty.json().getString("error"));
        JsonArray many = new JsonArray();
        IntStream.range(0, nodeA.config().http().maxBatchSize() + 1).forEach(i -> many.add("u-" + i));
        TestNodes.Response tooMany = disconnect(nodeA, key, new JsonObject().put("users", many).encode());
        assertEquals(400, tooMany.status());
        assertEquals("batch_too_large", tooMany.json().getString("error"));
        TestNodes.Response future = disconnect(nodeA, key, new JsonObject().put("users", new JsonArray().add("u-1"))
                .put("revokeTokensIssuedBefore", now() + 86_400).encode());
        assertEquals("invalid_parameter", future.json().getString("error"));
        assertEquals(401, disconnect(nodeA, null, "{\"users\":[\"u-1\"]}").status());
        TestNodes.Response staff = disconnect(nodeA, "Bearer " + TestNodes.token(nodeA, "s-1", "staff"), "{\"users\":[\"u-1\"]}");
        assertEquals(403, staff.status());
        assertEquals("access_denied", staff.json().getString("error"));
    }
}
