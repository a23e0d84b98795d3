package io.herald;

import io.herald.node.HeraldNode;

import io.herald.testing.BridgeClient;
import io.herald.testing.Eventually;
import io.herald.testing.RawBusPublisher;
import io.herald.testing.TestNodes;
import io.herald.testing.OnTwoNodes;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bus-native publishing: what a Vert.x developer does, {@code eventBus().publish(type, json)} or
 * {@code request(type, json)}, from a verticle of a Herald node or of another JVM in the cluster,
 * becomes exactly one envelope with a seq, delivered and kept in history.
 */
class BusPublishIT extends OnTwoNodes {
    static final String JAVA = ProcessHandle.current().info().command().orElse("java");

    @BeforeAll
    static void startCluster() {
        startNodes(json -> { });
    }

    static BridgeClient subscriber(HeraldNode node, String type) {
        BridgeClient client = BridgeClient.connect(clients, node.port(), TestNodes.token(node, "m-1", "manager"));
        client.register(type).sync();
        ClusterIT.awaitRoute(node == nodeA ? nodeB : nodeA, client, type);
        return client;
    }

    static void assertNothingMore(BridgeClient client, String type) {
        client.sync();
        client.drain().forEach(frame -> assertFalse(type.equals(frame.getString("address")), "unexpected " + frame.encode()));
    }

    @Test
    void aRawPublishOnEitherNodeBecomesExactlyOneEnvelope() {
        String type = "product:created";
        try (BridgeClient client = subscriber(nodeA, type)) {
            long tail = TestNodes.history(nodeA, type, "limit=1").getLong("tail");
            nodeB.vertx().eventBus().publish(type, new JsonObject().put("sku", "from-b"));
            nodeA.vertx().eventBus().publish(type, new JsonObject().put("sku", "from-a"));
            List<JsonObject> events = client.events(type, 2);
            assertEquals(tail + 1, events.get(0).getLong("seq"));
            assertEquals(tail + 2, events.get(1).getLong("seq"));
            assertEquals(List.of("from-a", "from-b"), events.stream().map(e -> e.getJsonObject("data").getString("sku")).sorted().toList());
            assertNothingMore(client, type);
            assertEquals(tail + 2, TestNodes.history(nodeB, type, "limit=1").getLong("tail"), "kept once each");
        }
    }

    @Test
    void aRawRequestIsAnsweredWithItsIdSeqAndEpoch() {
        String type = "product:price_changed";
        try (BridgeClient client = subscriber(nodeB, type)) {
            JsonObject reply = nodeA.vertx().eventBus().<JsonObject>request(type, new JsonObject().put("price", 9.5)).await().body();
            JsonObject envelope = client.events(type, 1).get(0);
            assertEquals(reply.getString("id"), envelope.getString("id"));
            assertEquals(reply.getLong("seq"), envelope.getLong("seq"));
            assertEquals(reply.getString("epoch"), envelope.getString("epoch"));
            assertNothingMore(client, type);
        }
    }

    @Test
    void aBodyThatIsNotAnObjectIsCountedAndNeverDelivered() {
        String type = "product:deleted";
        try (BridgeClient client = subscriber(nodeA, type)) {
            ReplyException refused = assertThrows(ReplyException.class,
                    () -> nodeB.vertx().eventBus().request(type, "not an object").await());
            assertTrue(refused.getMessage().startsWith("invalid_event:"), refused.getMessage());
            nodeB.vertx().eventBus().publish(type, 42);
            assertNothingMore(client, type);
            Eventually.assertEventually("the node that took each one in counted it", () -> rawRejected(nodeA) + rawRejected(nodeB) == 2);
        }
    }

    static double rawRejected(HeraldNode node) {
        String metrics = TestNodes.http("GET", node.port(), "/metrics", null, null).body();
        return metrics.lines().filter(line -> line.startsWith("herald_raw_events_rejected_total "))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.indexOf(' ') + 1))).sum();
    }

    @Test
    void aVerticleInAnotherClusteredJvmPublishesRawEvents() throws Exception {
        String type = "inventory:out_of_stock";
        int ownPort = TestNodes.freePort();
        try (BridgeClient client = subscriber(nodeB, type)) {
            long tail = TestNodes.history(nodeA, type, "limit=1").getLong("tail");
            Process service = new ProcessBuilder(JAVA, "-cp", System.getProperty("java.class.path"), RawBusPublisher.class.getName(),
                    hub.cluster, String.valueOf(ownPort), hub.hazelcastA + "," + hub.hazelcastB + "," + ownPort, type, "20")
                    .redirectErrorStream(true).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(service.getInputStream(), StandardCharsets.UTF_8));
                List<String> seen = new ArrayList<>();
                JsonObject reply = null;
                boolean published = false;
                while (!published) {
                    String line = CompletableFuture.supplyAsync(() -> {
                        try {
                            return out.readLine();
                        } catch (java.io.IOException e) {
                            return null;
                        }
                    }).get(90, TimeUnit.SECONDS);
                    if (line == null) {
                        throw new AssertionError("the service ended early:\n" + String.join("\n", seen));
                    }
                    seen.add(line);
                    if (line.startsWith("reply ")) {
                        reply = new JsonObject(line.substring("reply ".length()));
                    }
                    published = line.startsWith("published ");
                }
                assertEquals(tail + 1, reply.getLong("seq"));
                List<JsonObject> events = client.events(type, 21);
                for (int i = 0; i < events.size(); i++) {
                    assertEquals(tail + 1 + i, events.get(i).getLong("seq"));
                    assertEquals(i, events.get(i).getJsonObject("data").getInteger("n"));
                }
                assertNothingMore(client, type);
                JsonObject kept = TestNodes.history(nodeA, type, "since=" + tail);
                assertEquals(21, kept.getJsonArray("events").size());
                assertTrue(kept.getBoolean("complete"));
            } finally {
                service.getOutputStream().close(); // asks it to leave the cluster
                if (!service.waitFor(60, TimeUnit.SECONDS)) {
                    service.destroyForcibly();
                }
            }
        }
    }
}
