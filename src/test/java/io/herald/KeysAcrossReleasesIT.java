package io.herald;

import io.herald.cluster.ClusterWire;
import io.herald.cluster.HeraldMembers;
import io.herald.history.HazelcastIdempotencyStore;
import io.herald.node.HeraldNode;
import io.herald.testing.TestNodes;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Idempotency keys while a node of the release before (which claims keys in the map {@code herald.idempotency} and
 * has no {@code herald.keyedAppend} attribute) is in the cluster, and after it left: two Herald nodes and a member
 * that stands for that node (marked a Herald node of wire version 2, without the capability). While it is in, keys
 * are claimed in the map and a repeat on either node is recognised; once it left, keys are checked in the append, and
 * a key first published through the map is still recognised (its record carries it).
 */
class KeysAcrossReleasesIT {

    private static void awaitClusterOf(HeraldNode node, int members) {
        long deadline = System.currentTimeMillis() + 30_000;
        while ((node.clusterSize() != members || !node.hazelcast().getPartitionService().isClusterSafe())
                && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        assertEquals(members, node.clusterSize());
    }

    @Test
    void keysAreRecognisedWhileANodeOfTheReleaseBeforeIsInAndAfterItLeft() {
        String cluster = TestNodes.uniqueClusterName();
        int portA = TestNodes.freePort();
        int portB = TestNodes.freePort();
        int portOld = TestNodes.freePort();
        List<Integer> ports = List.of(portA, portB, portOld);
        Config old = TestNodes.hazelcast(cluster, portOld, ports);
        HeraldMembers.mark(old);
        old.getMemberAttributeConfig().setAttribute(ClusterWire.ATTRIBUTE, Integer.toString(WireVersion.CURRENT));
        HazelcastInstance previousRelease = Hazelcast.newHazelcastInstance(old);
        HeraldNode nodeA = TestNodes.startClustered(cluster, portA, ports);
        HeraldNode nodeB = TestNodes.startClustered(cluster, portB, ports);
        try {
            String type = "order:created";
            String key = "mixed-" + UUID.randomUUID();
            String body = IdempotencyIT.event(type, 1);
            IdempotencyIT.Answer first = IdempotencyIT.post(nodeA, "/api/events", key, body);
            assertEquals(202, first.status(), first.body().encode());
            IdempotencyIT.Answer again = IdempotencyIT.post(nodeB, "/api/events", key, body);
            assertEquals("true", again.replayed(), "recognised through the map");
            assertEquals(first.body(), again.body());
            assertTrue(nodeA.hazelcast().getMap(HazelcastIdempotencyStore.MAP).size() > 0, "claimed in the map while that node is in");

            previousRelease.shutdown();
            awaitClusterOf(nodeA, 2);
            int claimed = nodeA.hazelcast().getMap(HazelcastIdempotencyStore.MAP).size();
            IdempotencyIT.Answer after = IdempotencyIT.post(nodeB, "/api/events", key, body);
            assertEquals("true", after.replayed(), "a key published through the map is found in history by the index");
            assertEquals(first.body(), after.body());
            String fresh = "after-" + UUID.randomUUID();
            IdempotencyIT.Answer newKey = IdempotencyIT.post(nodeA, "/api/events", fresh, IdempotencyIT.event(type, 2));
            assertNull(newKey.replayed());
            assertEquals(newKey.body(), IdempotencyIT.post(nodeB, "/api/events", fresh, IdempotencyIT.event(type, 2)).body());
            JsonObject history = TestNodes.history(nodeA, type, "limit=1000");
            long copies = history.getJsonArray("events").stream().map(JsonObject.class::cast)
                    .filter(e -> first.body().getString("id").equals(e.getString("id"))).count();
            assertEquals(1, copies, "the first event once");
            assertEquals(claimed, nodeA.hazelcast().getMap(HazelcastIdempotencyStore.MAP).size(), "nothing claimed in the map any more");
        } finally {
            nodeB.close().await();
            nodeA.close().await();
            if (previousRelease.getLifecycleService().isRunning()) {
                previousRelease.shutdown();
            }
        }
    }
}
