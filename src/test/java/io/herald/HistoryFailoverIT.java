package io.herald;

import io.herald.node.HeraldNode;

import com.hazelcast.partition.PartitionService;
import io.herald.history.HazelcastEventLog;
import io.herald.testing.BridgeClient;
import io.herald.testing.Eventually;
import io.herald.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static io.herald.testing.BridgeClient.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * History outlives the member that held it; a stream that was lost (here: the whole cluster restarted)
 * has a new epoch, and a client with a position of the old one is told to reload.
 */
class HistoryFailoverIT {
    static Vertx clients;

    @BeforeAll
    static void setUp() {
        clients = Vertx.vertx();
    }

    @AfterAll
    static void tearDown() {
        clients.close().await();
    }

    /** A catalog type whose history (and epoch) the given member owns, once partitions have moved to it after it joined. */
    static String typeOwnedBy(HeraldNode owner) {
        String[] found = new String[1];
        Eventually.assertEventually("a partition of a sample type migrated to the new member",
                () -> owner.hazelcast().getPartitionService().isClusterSafe() && (found[0] = sampleTypeOwnedBy(owner)) != null);
        return found[0];
    }

    static String sampleTypeOwnedBy(HeraldNode owner) {
        PartitionService partitions = owner.hazelcast().getPartitionService();
        UUID member = owner.hazelcast().getCluster().getLocalMember().getUuid();
        for (String type : List.of("order:created", "order:updated", "order:deleted", "payment:received", "payment:failed",
                "customer:created", "product:updated", "inventory:updated", "system:status", "system:alert")) {
            String ring = HazelcastEventLog.RING_PREFIX + type;
            assertEquals(partitions.getPartition(ring).getPartitionId(),
                    partitions.getPartition(HazelcastEventLog.epochKey(type)).getPartitionId(), "the epoch lives with its ring buffer");
            if (member.equals(partitions.getPartition(ring).getOwner().getUuid())) {
                return type;
            }
        }
        return null;
    }

    @Test
    void historySurvivesItsOwnerAndACompleteClusterRestartChangesTheEpoch() {
        String cluster = TestNodes.uniqueClusterName();
        int portA = TestNodes.freePort();
        int portB = TestNodes.freePort();
        HeraldNode nodeA = TestNodes.startClustered(cluster, portA, List.of(portA, portB));
        HeraldNode nodeB = TestNodes.startClustered(cluster, portB, List.of(portA, portB));
        String type;
        JsonObject first;
        try {
            type = typeOwnedBy(nodeB);
            first = TestNodes.publish(nodeA, type, new JsonObject().put("n", 1));
            for (int n = 2; n <= 30; n++) {
                TestNodes.publish(n % 2 == 0 ? nodeB : nodeA, type, new JsonObject().put("n", n));
            }
            nodeB.close().await();

            JsonObject kept = TestNodes.history(nodeA, type, "since=0");
            assertEquals(30, kept.getJsonArray("events").size());
            assertEquals(first.getString("epoch"), kept.getString("epoch"));
            JsonObject next = TestNodes.publish(nodeA, type, new JsonObject().put("n", 31));
            assertEquals(first.getLong("seq") + 30, next.getLong("seq"));
            assertEquals(first.getString("epoch"), next.getString("epoch"));

            try (BridgeClient client = BridgeClient.connect(clients, nodeA.port(), TestNodes.token(nodeA, "a-1", "admin"))) {
                client.register(type, first.getLong("seq"), first.getString("epoch"));
                List<JsonObject> recovered = client.events(type, 30);
                for (int i = 0; i < 30; i++) {
                    assertEquals(i + 2, recovered.get(i).getJsonObject("data").getInteger("n"));
                }
            }
        } finally {
            nodeA.close().await();
        }

        int portC = TestNodes.freePort();
        HeraldNode restarted = TestNodes.startClustered(cluster, portC, List.of(portC));
        try {
            JsonObject again = TestNodes.publish(restarted, type, new JsonObject().put("n", 1));
            assertEquals(1, again.getLong("seq"));
            assertNotNull(again.getString("epoch"));
            assertNotEquals(first.getString("epoch"), again.getString("epoch"));
            assertTrue(again.getString("epoch").compareTo(first.getString("epoch")) > 0, "a newer epoch sorts after the old one");
            try (BridgeClient client = BridgeClient.connect(clients, restarted.port(), TestNodes.token(restarted, "a-1", "admin"))) {
                client.register(type, first.getLong("seq"), first.getString("epoch"));
                assertEquals("recovery_incomplete", client.next(err(type)).getString("failureType"));
            }
        } finally {
            restarted.close().await();
        }
    }
}
