package io.herald;

import io.herald.node.HeraldNode;

import io.herald.event.HeraldClient;
import io.herald.event.Published;
import io.herald.testing.BridgeClient;
import io.herald.testing.Eventually;
import io.herald.testing.TestNodes;
import io.herald.testing.OnTwoNodes;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.herald.testing.BridgeClient.rec;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Two real Herald nodes clustered over Hazelcast on loopback, in one JVM. */
class ClusterIT extends OnTwoNodes {
    @BeforeAll
    static void startCluster() {
        startNodes(json -> { });
    }

    /**
     * A new subscription reaches the other node's view of the cluster a moment later; publish
     * probes of the type until one arrives, so that what follows is not a race with that.
     */
    static void awaitRoute(HeraldNode publisher, BridgeClient subscriber, String type) {
        JsonObject probe = new JsonObject().put("probe", true);
        while (true) {
            TestNodes.publish(publisher, type, probe);
            JsonObject frame = subscriber.poll(Duration.ofMillis(300));
            if (frame != null) {
                assertEquals(type, frame.getString("address"), frame.encode());
                subscriber.sync().drain();
                return;
            }
        }
    }

    @Test
    void bothNodesSeeOneCluster() {
        assertEquals(2, nodeA.clusterSize());
        assertEquals(2, nodeB.clusterSize());
        Eventually.assertEventually("stats of both nodes on A", () ->
                TestNodes.http("GET", nodeA.port(), "/api/stats", "Bearer " + nodeA.config().apiKey(), null).json().getJsonObject("totals").getInteger("nodes") == 2);
    }

    @Test
    void eventPublishedOverHttpOnAReachesASubscriberOnB() {
        try (BridgeClient onB = BridgeClient.connect(clients, nodeB.port(), TestNodes.token(nodeB, "s-b", "staff"))) {
            onB.register("order:created").sync();
            awaitRoute(nodeA, onB, "order:created");

            JsonObject data = new JsonObject().put("orderId", "o-77").put("customerId", "c-5").put("total", 12.5);
            JsonObject published = TestNodes.publish(nodeA, "order:created", data);
            JsonObject envelope = onB.next(rec("order:created")).getJsonObject("body");
            assertEquals(new JsonObject().put("id", published.getString("id")).put("type", "order:created")
                    .put("ts", envelope.getLong("ts")).put("seq", published.getLong("seq"))
                    .put("epoch", published.getString("epoch")).put("data", data), envelope);
        }
    }

    @Test
    void seqRisesByOneAcrossNodes() {
        long onA = TestNodes.publish(nodeA, "inventory:updated", new JsonObject()).getLong("seq");
        long onB = TestNodes.publish(nodeB, "inventory:updated", new JsonObject()).getLong("seq");
        long onAAgain = TestNodes.publish(nodeA, "inventory:updated", new JsonObject()).getLong("seq");
        assertEquals(onA + 1, onB);
        assertEquals(onB + 1, onAAgain);
    }

    @Test
    void jvmServicesPublishThroughHeraldClient() {
        try (BridgeClient onA = BridgeClient.connect(clients, nodeA.port(), TestNodes.token(nodeA, "m-a", "manager"))) {
            onA.register("payment:received").sync();
            awaitRoute(nodeB, onA, "payment:received");
            Published published = HeraldClient.create(nodeB.vertx())
                    .publish("payment:received", new JsonObject().put("amount", 10)).await();
            JsonObject envelope = onA.next(rec("payment:received")).getJsonObject("body");
            assertEquals(published.id(), envelope.getString("id"));
            assertEquals(published.seq(), envelope.getLong("seq"));

            HeraldException refused = org.junit.jupiter.api.Assertions.assertThrows(HeraldException.class,
                    () -> HeraldClient.create(nodeB.vertx()).publish("payment:stolen", new JsonObject()).await());
            assertEquals(ErrorCode.UNKNOWN_EVENT_TYPE, refused.code());
        }
    }
}
