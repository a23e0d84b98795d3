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

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.herald.testing.BridgeClient.rec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Presence when a node dies: node A runs in this JVM, node P is the jar in its own process, killed with
 * SIGKILL while its clients are online. Its users leave presence (and customers get their offline event)
 * once Hazelcast drops the member; a reconnect storm onto A leaves each user listed once; a node started
 * again in its place does not bring the dead node's users back.
 */
class PresenceKillIT {
    static final int STORM = 40;
    static String cluster;
    static int hazelcastA;
    static HeraldNode nodeA;
    static Vertx clients;

    @BeforeAll
    static void start() {
        cluster = TestNodes.uniqueClusterName();
        hazelcastA = TestNodes.freePort();
        // two nodes: by default a crash of one leaves the other 1 of 2 voting members, no majority, and it would stop
        // publishing (docs/cluster.md); this test is about presence, so both run with the explicit override
        nodeA = TestNodes.startClustered(cluster, hazelcastA, List.of(hazelcastA), json -> json.getJsonObject("cluster").put("minMembers", 1));
        clients = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        clients.close().await();
        nodeA.close().await();
    }

    /** The jar as a second member of A's cluster, on its own HTTP and Hazelcast ports. */
    static NodeProcessIT.Running startProcessNode(int httpPort, int hazelcastPort) throws Exception {
        return NodeProcessIT.joinCluster(cluster, List.of(hazelcastA), httpPort, hazelcastPort, Map.of("HERALD_CLUSTER_MIN_MEMBERS", "1"));
    }

    static JsonObject presence() {
        TestNodes.Response response = TestNodes.http("GET", nodeA.port(), "/api/presence", "Bearer " + nodeA.config().apiKey(), null);
        assertEquals(200, response.status(), response.body());
        return response.json();
    }

    static JsonObject user(String userId) {
        for (Object entry : presence().getJsonArray("users")) {
            if (userId.equals(((JsonObject) entry).getString("userId"))) {
                return (JsonObject) entry;
            }
        }
        return null;
    }


    static long count(String type, String customerId) {
        JsonArray events = TestNodes.history(nodeA, type, "limit=1000").getJsonArray("events");
        return events.stream().filter(e -> customerId.equals(((JsonObject) e).getJsonObject("data").getString("customerId"))).count();
    }

    @Test
    void aKilledNodesUsersLeavePresenceAndAStormOfReconnectsIsCountedOnce() throws Exception {
        int httpPort = TestNodes.freePort();
        int hazelcastPort = TestNodes.freePort();
        NodeProcessIT.Running doomed = startProcessNode(httpPort, hazelcastPort);
        List<BridgeClient> onDoomed = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        try (BridgeClient admin = BridgeClient.connect(clients, nodeA.port(), TestNodes.token(nodeA, "a-kill", "admin"))) {
            admin.register("customer:offline").sync();
            for (int i = 0; i < STORM; i++) {
                String token = TestNodes.token(nodeA, "c-storm-" + i, "customer");
                tokens.add(token);
                onDoomed.add(BridgeClient.connect(clients, httpPort, token));
            }
            String lonely = TestNodes.token(nodeA, "c-lonely", "customer");
            onDoomed.add(BridgeClient.connect(clients, httpPort, lonely));
            BridgeClient twoTabs = BridgeClient.connect(clients, nodeA.port(), tokens.get(0));
            onDoomed.forEach(BridgeClient::sync);
            Eventually.assertWithin(30, "P's users seen from A", () -> presence().getInteger("uniqueUsers") == STORM + 2); // and the admin

            long killed = System.nanoTime();
            doomed.process().destroyForcibly(); // SIGKILL
            List<BridgeClient> moved = new ArrayList<>();
            for (String token : tokens) {
                moved.add(BridgeClient.connect(clients, nodeA.port(), token)); // the storm: every client at once, to A
            }
            moved.forEach(BridgeClient::sync);
            Eventually.assertWithin(60, "the killed node's user gone", () -> user("c-lonely") == null);
            long goneMs = (System.nanoTime() - killed) / 1_000_000;
            JsonObject offline = admin.next(rec("customer:offline")).getJsonObject("body");
            assertEquals("c-lonely", offline.getJsonObject("data").getString("customerId"));
            System.out.printf("presence: a SIGKILLed node's users left presence %d ms after the kill%n", goneMs);

            for (int i = 0; i < STORM; i++) {
                String id = "c-storm-" + i;
                JsonObject entry = user(id);
                assertEquals(i == 0 ? 2 : 1, entry.getInteger("connections"), entry.encode());
                assertEquals(List.of(nodeA.nodeId()), entry.getJsonArray("nodes").getList());
                assertEquals(1, count("customer:online", id) - count("customer:offline", id), "online once more than offline: " + id);
            }
            assertEquals(STORM + 1, presence().getInteger("uniqueUsers"), "the storm's users and the admin");

            NodeProcessIT.Running again = startProcessNode(httpPort, hazelcastPort);
            try {
                BridgeClient probe = BridgeClient.connect(clients, httpPort, TestNodes.token(nodeA, "c-probe", "customer"));
                probe.sync();
                Eventually.assertEventually("the new node's own user", () -> user("c-probe") != null);
                assertNull(user("c-lonely"), "a node started in the dead one's place does not bring its users back");
                assertEquals(STORM + 2, presence().getInteger("uniqueUsers"));
                probe.close();
            } finally {
                again.process().destroyForcibly();
            }
            moved.forEach(BridgeClient::close);
            twoTabs.close();
        } finally {
            doomed.process().destroyForcibly();
            onDoomed.forEach(BridgeClient::close);
        }
        assertTrue(onDoomed.size() > STORM);
    }
}
