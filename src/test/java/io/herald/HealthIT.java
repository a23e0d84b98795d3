package io.herald;

import io.herald.node.HeraldNode;

import io.herald.testing.Eventually;
import io.herald.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code /health} and {@code /ready}: what each check says, a node left below its cluster's minimum, and shutting down. */
class HealthIT {
    static JsonObject check(JsonObject answer, String id) {
        for (Object check : answer.getJsonArray("checks")) {
            if (id.equals(((JsonObject) check).getString("id"))) {
                return (JsonObject) check;
            }
        }
        throw new AssertionError("no check " + id + " in " + answer.encode());
    }

    @Test
    void aNodeWithoutClusterIsAliveAndReady() {
        int port = TestNodes.freePort();
        HeraldNode node = TestNodes.start(TestNodes.config(json -> json.getJsonObject("http").put("port", port).put("instances", 2)));
        try {
            TestNodes.Response health = TestNodes.http("GET", port, "/health", null, null);
            assertEquals(200, health.status(), health.body());
            assertEquals("UP", health.json().getString("status"));
            TestNodes.Response ready = TestNodes.http("GET", port, "/ready", null, null);
            assertEquals(200, ready.status(), ready.body());
            for (String id : List.of("listening", "cluster", "history")) {
                assertEquals("UP", check(ready.json(), id).getString("status"), id);
            }

            node.beginShutdown();
            for (int i = 0; i < 10; i++) { // new connections each time, spread over both HTTP instances
                for (String path : List.of("/health", "/ready")) {
                    TestNodes.Response closing = TestNodes.http("GET", port, path, null, null);
                    assertEquals(503, closing.status(), path + " " + closing.body());
                    assertEquals("CLOSING", closing.json().getString("status"));
                }
            }
        } finally {
            node.close().await();
        }
    }

    @Test
    void aNodeBelowItsClustersMinimumIsAliveButNotReady() {
        String cluster = TestNodes.uniqueClusterName();
        int hazelcastA = TestNodes.freePort();
        int hazelcastB = TestNodes.freePort();
        List<Integer> members = List.of(hazelcastA, hazelcastB);
        HeraldNode nodeA = TestNodes.startClustered(cluster, hazelcastA, members, json -> json.getJsonObject("cluster").put("minMembers", 2));
        HeraldNode nodeB = TestNodes.startClustered(cluster, hazelcastB, members, json -> json.getJsonObject("cluster").put("minMembers", 2));
        try {
            Eventually.assertEventually("both ready", () -> TestNodes.http("GET", nodeA.port(), "/ready", null, null).status() == 200
                    && TestNodes.http("GET", nodeB.port(), "/ready", null, null).status() == 200);
            JsonObject clusterCheck = check(TestNodes.http("GET", nodeA.port(), "/ready", null, null).json(), "cluster");
            assertEquals(2, clusterCheck.getJsonObject("data").getInteger("members"));

            nodeB.close().await();
            // the cluster check follows the member list at once, history's its quorum guard, a moment later under load
            Eventually.assertEventually("A alone is not ready, its history refusing", () -> {
                TestNodes.Response r = TestNodes.http("GET", nodeA.port(), "/ready", null, null);
                return r.status() == 503 && "DOWN".equals(check(r.json(), "history").getString("status"));
            });
            TestNodes.Response ready = TestNodes.http("GET", nodeA.port(), "/ready", null, null);
            assertEquals("DOWN", check(ready.json(), "cluster").getString("status"));
            assertEquals("DOWN", check(ready.json(), "history").getString("status"), "below the minimum, history refuses reads and appends (split-brain protection)");
            assertEquals(200, TestNodes.http("GET", nodeA.port(), "/health", null, null).status(), "alive all the same");
            assertTrue(ready.json().getString("status").equals("DOWN"));
        } finally {
            nodeB.close().await();
            nodeA.close().await();
        }
    }
}
