package io.herald;

import io.herald.node.HeraldNode;

import io.herald.testing.BridgeClient;
import io.herald.testing.Eventually;
import io.herald.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.herald.testing.BridgeClient.rec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /api/stats} with a known set of connections on two nodes, node A in this JVM and node P the jar in
 * its own process: every number of the cluster totals, then again after P is killed with SIGKILL.
 */
class StatsIT {
    static final String INTERVAL_MS = "200";

    static JsonObject totals(HeraldNode node) {
        TestNodes.Response response = TestNodes.http("GET", node.port(), "/api/stats", "Bearer " + node.config().apiKey(), null);
        assertEquals(200, response.status(), response.body());
        return response.json().getJsonObject("totals");
    }


    /** Waits until the stats (shared every interval) show what is expected; fails showing both. */
    static void awaitEqual(JsonObject expected, java.util.function.Supplier<JsonObject> actual) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (!actual.get().equals(expected) && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        assertEquals(expected, actual.get());
    }

    static JsonObject counts(Object... pairs) {
        JsonObject json = new JsonObject();
        for (int i = 0; i < pairs.length; i += 2) {
            json.put((String) pairs[i], ((Number) pairs[i + 1]).longValue());
        }
        return json;
    }

    static long sum(List<BridgeClient> clients, java.util.function.Function<BridgeClient, java.util.concurrent.atomic.AtomicLong> counter) {
        return clients.stream().mapToLong(c -> counter.apply(c).get()).sum();
    }

    /** The numbers that only depend on who is connected and what they registered and joined. */
    static JsonObject who(JsonObject totals) {
        JsonObject who = new JsonObject();
        for (String field : List.of("totalConnections", "authenticated", "anonymous", "uniqueUsers", "subscriptions", "connectionsByRole",
                "connectionsByTransport", "connectionsByNamespace", "subscriptionsByType", "subscriptionsByNamespace", "rooms")) {
            who.put(field, totals.getValue(field));
        }
        return who;
    }

    /** The counters: what went through, which the clients counted too. */
    static JsonObject traffic(JsonObject totals) {
        JsonObject traffic = new JsonObject();
        for (String field : List.of("framesIn", "bytesIn", "framesOut", "bytesOut", "eventsPublished", "eventsPublishedByType", "messagesDelivered")) {
            traffic.put(field, totals.getValue(field));
        }
        return traffic;
    }

    @Test
    void metricsHaveJvmDeliveryAndConnectionSeriesAndNoUserOrRoomNames() {
        HeraldNode node = TestNodes.start(TestNodes.config(json -> { }));
        Vertx vertx = Vertx.vertx();
        try (BridgeClient client = BridgeClient.connect(vertx, node.port(), TestNodes.token(node, "u-secret-id", "staff"))) {
            client.register("order:created");
            PresenceIT.join(client, "chat:private-room-name");
            client.sync();
            TestNodes.publish(node, "order:created", new JsonObject().put("customerId", "c-9"));
            client.next(rec("order:created"));
            String metrics = TestNodes.http("GET", node.port(), "/metrics", null, null).body();
            for (String series : List.of("jvm_memory_used_bytes", "jvm_gc_", "jvm_threads_live_threads", "process_cpu_usage",
                    "process_files_open_files", "herald_delivery_latency_seconds_bucket{le=", "herald_delivery_latency_seconds_count 1",
                    "herald_connections_by_role{role=\"staff\"} 1.0", "herald_connections_by_transport{transport=\"websocket\"} 1.0",
                    "herald_subscriptions_by_type{type=\"order:created\"} 1.0", "herald_events_published_by_type_total{type=\"order:created\"} 1.0",
                    "herald_bus_batches_received_total", "herald_frames_in_total", "herald_frames_out_bytes_total", "herald_users 1.0",
                    "herald_refusals_total{code=\"unknown_event_type\"}", "herald_closes_total{reason=\"slow_consumer\"}")) {
                assertTrue(metrics.contains(series), "no " + series + " in /metrics");
            }
            assertTrue(!metrics.contains("u-secret-id") && !metrics.contains("private-room-name"), "no user id or room name in a label");
        } finally {
            vertx.close().await();
            node.close().await();
        }
    }

    @Test
    void everyNumberAcrossTwoNodesAndAfterOneIsKilled() throws Exception {
        String cluster = TestNodes.uniqueClusterName();
        int hazelcastA = TestNodes.freePort();
        // two nodes, one of them killed: the survivor keeps serving only with the explicit override (1 of 2 voting
        // members is no majority by default, docs/cluster.md); this test is about the stats
        HeraldNode nodeA = TestNodes.startClustered(cluster, hazelcastA, List.of(hazelcastA), json -> {
            json.getJsonObject("stats").put("intervalMs", Integer.parseInt(INTERVAL_MS));
            json.getJsonObject("cluster").put("minMembers", 1);
        });
        int portP = TestNodes.freePort();
        NodeProcessIT.Running nodeP = NodeProcessIT.joinCluster(cluster, List.of(hazelcastA), portP, TestNodes.freePort(),
                Map.of("HERALD_STATS_INTERVAL_MS", INTERVAL_MS, "HERALD_CLUSTER_MIN_MEMBERS", "1"));
        Vertx vertx = Vertx.vertx();
        List<BridgeClient> onA = new ArrayList<>();
        List<BridgeClient> onP = new ArrayList<>();
        try {
            BridgeClient staff = BridgeClient.connect(vertx, nodeA.port(), TestNodes.token(nodeA, "s-1", "staff"));
            BridgeClient customerTab1 = BridgeClient.connect(vertx, nodeA.port(), TestNodes.token(nodeA, "c-1", "customer"));
            BridgeClient guest = BridgeClient.connect(vertx, nodeA.port(), null, BridgeClient.Transport.SOCKJS);
            BridgeClient customerTab2 = BridgeClient.connect(vertx, portP, TestNodes.token(nodeA, "c-1", "customer"));
            BridgeClient admin = BridgeClient.connect(vertx, portP, TestNodes.token(nodeA, "a-1", "admin"));
            onA.addAll(List.of(staff, customerTab1, guest));
            onP.addAll(List.of(customerTab2, admin));
            staff.register("order:created").register("inventory:low_stock");
            PresenceIT.join(staff, "dashboard");
            customerTab1.register("order:created");
            guest.register("product:updated");
            customerTab2.register("order:updated");
            admin.register("system:alert");
            PresenceIT.join(admin, "dashboard");
            List<BridgeClient> all = new ArrayList<>(onA);
            all.addAll(onP);
            all.forEach(BridgeClient::sync);

            JsonObject expected = new JsonObject()
                    .put("totalConnections", 5L).put("authenticated", 4L).put("anonymous", 1L).put("uniqueUsers", 3L).put("subscriptions", 6L)
                    .put("connectionsByRole", counts("admin", 1, "customer", 2, "guest", 1, "staff", 1))
                    .put("connectionsByTransport", counts("sockjs-websocket", 1, "websocket", 4))
                    .put("connectionsByNamespace", counts("inventory", 1, "orders", 3, "products", 1, "system", 1))
                    .put("subscriptionsByType", counts("inventory:low_stock", 1, "order:created", 2, "order:updated", 1,
                            "product:updated", 1, "system:alert", 1))
                    .put("subscriptionsByNamespace", counts("inventory", 1, "orders", 3, "products", 1, "system", 1))
                    .put("rooms", counts("dashboard", 2));
            awaitEqual(expected, () -> who(totals(nodeA)));

            TestNodes.publish(nodeA, "order:created", new JsonObject().put("customerId", "c-1"));
            TestNodes.publish(nodeA, "order:created", new JsonObject().put("customerId", "c-2"));
            TestNodes.Response alert = TestNodes.http("POST", portP, "/api/events", "Bearer " + nodeA.config().apiKey(),
                    "{\"type\":\"system:alert\",\"data\":{\"level\":\"high\"}}");
            assertEquals(202, alert.status());
            staff.next(rec("order:created"));
            staff.next(rec("order:created"));
            customerTab1.next(rec("order:created")); // c-2's order is not theirs
            admin.next(rec("system:alert"));
            all.forEach(BridgeClient::sync);
            JsonObject traffic = new JsonObject()
                    .put("framesIn", sum(all, c -> c.framesSent)).put("bytesIn", sum(all, c -> c.bytesSent))
                    .put("framesOut", sum(all, c -> c.framesReceived)).put("bytesOut", sum(all, c -> c.bytesReceived))
                    // and presence's own events: c-1 came online, two users joined the dashboard
                    .put("eventsPublished", 6L).put("eventsPublishedByType", counts("customer:online", 1, "order:created", 2,
                            "presence:joined", 2, "system:alert", 1))
                    .put("messagesDelivered", 4L);
            awaitEqual(traffic, () -> traffic(totals(nodeA)));
            JsonObject before = totals(nodeA);
            assertEquals(expected, who(before));
            assertTrue(before.getJsonObject("refusals").getLong("unknown_event_type") >= all.size(), "each sync marker is refused");

            long killed = System.nanoTime();
            nodeP.process().destroyForcibly();
            JsonObject afterKill = new JsonObject()
                    .put("totalConnections", 3L).put("authenticated", 2L).put("anonymous", 1L).put("uniqueUsers", 2L).put("subscriptions", 4L)
                    .put("connectionsByRole", counts("customer", 1, "guest", 1, "staff", 1))
                    .put("connectionsByTransport", counts("sockjs-websocket", 1, "websocket", 2))
                    .put("connectionsByNamespace", counts("inventory", 1, "orders", 2, "products", 1))
                    .put("subscriptionsByType", counts("inventory:low_stock", 1, "order:created", 2, "product:updated", 1))
                    .put("subscriptionsByNamespace", counts("inventory", 1, "orders", 2, "products", 1))
                    .put("rooms", counts("dashboard", 1));
            Eventually.assertWithin(30, "the killed node's connections gone", () -> who(totals(nodeA)).equals(afterKill));
            System.out.printf("stats: a SIGKILLed node's connections left the cluster totals %d ms after the kill%n",
                    (System.nanoTime() - killed) / 1_000_000);
            // the counters keep what the dead node counted (they never go backwards); the admin's leaving the dashboard is one more event
            JsonObject trafficAfter = traffic.copy().put("eventsPublished", 7L);
            trafficAfter.getJsonObject("eventsPublishedByType").put("presence:left", 1L);
            awaitEqual(trafficAfter, () -> traffic(totals(nodeA)));
            assertEquals(1, totals(nodeA).getInteger("nodes"));
        } finally {
            nodeP.process().destroyForcibly();
            onA.forEach(BridgeClient::close);
            onP.forEach(BridgeClient::close);
            vertx.close().await();
            nodeA.close().await();
        }
    }
}
