package io.herald.stats;

import io.herald.Addresses;
import io.herald.CloseReason;
import io.herald.ErrorCode;
import io.herald.testing.Eventually;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What clients and scrapers see, pinned: the same counts give the same {@code /api/stats} JSON (a node's snapshot and the
 * cluster view with a live and a departed node) and the same {@code herald_*} lines of {@code /metrics} (names, HELP, TYPE,
 * labels, values) as the files under {@code src/test/resources/stats/}, which were written by the code before the stats
 * table. A missing file is written and the test fails: commit it.
 */
class StatsOutputTest {
    static final Path GOLDEN = Path.of("src/test/resources/stats");

    /** One node's counts after a fixed script that touches every stat. */
    static NodeStats scripted(String nodeId, int scale) {
        NodeStats stats = new NodeStats(nodeId);
        stats.presenceSource(() -> 2 * scale, () -> Map.of("dashboard", 2 * scale, "chat:c-1", 1));
        stats.replaySource(() -> 4096L * scale, () -> scale);
        stats.identitySource(() -> 3L * scale, () -> scale, () -> 2);
        for (int i = 0; i < scale; i++) {
            stats.connectionOpened("staff", false, "websocket");
            stats.connectionOpened("staff", false, "websocket");
            stats.connectionOpened("guest", true, "sockjs-websocket");
            stats.connectionOpened("customer", false, "websocket");
            stats.connectionClosed("customer", false, "websocket");
            stats.connectionRoleChanged("staff", "admin");
            stats.subscribed("order:created", "orders", 1);
            stats.subscribed("order:created", "orders", 1);
            stats.subscribed("product:updated", "products", 1);
            stats.subscribed("order:created", "orders", -1);
            stats.namespaceReaders("orders", 1);
            stats.namespaceReaders("products", 1);
            stats.namespaceReaders("products", -1);
            stats.frameIn(100);
            stats.frameIn(50);
            stats.framesOut(3, 300);
            stats.framesOut(0, 0);
            stats.published("order:created", 3);
            stats.published("customer:online", 1);
            stats.appended(3);
            stats.appended(1);
            stats.busBatch(4);
            stats.deliveryLatency(7);
            stats.deliveryLatency(120);
            stats.rawEventRejected();
            stats.recovered(true);
            stats.recovered(false);
            stats.recovered(true);
            stats.gapFilled(2);
            stats.routeRepaired();
            stats.gapLost(1);
            stats.delivered(5);
            stats.delivered(0);
            stats.closed(CloseReason.SLOW_CONSUMER);
            stats.refused(ErrorCode.ACCESS_DENIED);
            stats.refused(ErrorCode.ACCESS_DENIED);
            stats.refused(ErrorCode.RATE_LIMITED);
            stats.webhookDelivered("erp");
            stats.webhookDelivered("erp");
            stats.webhookFailed("erp");
            stats.webhookRetried("erp");
            stats.webhookEventsLost("erp", 3);
            stats.webhookEventsLost("erp", 0);
            stats.proxyCalled("connect");
            stats.proxyCalled("connect");
            stats.proxyCalled("publish");
            stats.proxyFailed("connect");
            stats.proxyTimedOut("publish");
            stats.proxyRejected("connect");
            stats.proxyBreaker("connect", 2);
            stats.inboxFiled("order:status_changed", "filed", 2);
            stats.sourceConsumed("kafka:orders", 5);
            stats.sourceAppended("kafka:orders", 3);
            stats.sourceDeadLettered("kafka:orders", 1);
            stats.sourceLag("kafka:orders", 7);
            stats.sourceConnected("kafka:orders", true);
            stats.sourceConsumed("outbox", 5);
            stats.sourceAppended("outbox", 4);
            stats.sourceDeadLettered("outbox", 1);
            stats.sourceLag("outbox", 7, 3);
            stats.sourceConnected("outbox", true);
        }
        return stats;
    }

    /** The snapshot without its start time (the only value that depends on when the test ran). */
    static JsonObject snapshot(NodeStats stats) {
        JsonObject snapshot = stats.snapshot();
        snapshot.remove("startedAt");
        return snapshot;
    }

    /**
     * Herald's lines of the scrape, sorted; the zero series of refusals and closes left out, so that new codes and
     * reasons change nothing, and the decaying maxima too.
     */
    static String heraldMetrics(NodeStats stats) {
        return stats.registry().scrape().lines()
                .filter(line -> line.startsWith("herald_") || line.startsWith("# HELP herald_") || line.startsWith("# TYPE herald_"))
                .filter(line -> !line.matches("herald_(refusals|closes)_total\\{.*} 0\\.0"))
                .filter(line -> !line.startsWith("herald_delivery_latency_seconds_max") && !line.startsWith("herald_history_append_events_max"))
                .sorted()
                .collect(Collectors.joining("\n", "", "\n"));
    }

    static void assertGolden(String name, String actual) throws IOException {
        Path file = GOLDEN.resolve(name);
        if (!Files.exists(file)) {
            Files.createDirectories(GOLDEN);
            Files.writeString(file, actual, StandardCharsets.UTF_8);
            fail(file + " was missing and is now written: check and commit it");
        }
        assertEquals(Files.readString(file, StandardCharsets.UTF_8), actual, name);
    }

    @Test
    void aNodesSnapshotIsWhatItWas() throws IOException {
        assertGolden("snapshot.json", snapshot(scripted("node-1", 1)).encodePrettily() + "\n");
    }

    @Test
    void theMetricsAreWhatTheyWere() throws IOException {
        assertGolden("metrics.txt", heraldMetrics(scripted("node-1", 1)));
    }

    @Test
    void theClusterViewWithALiveAndADepartedNodeIsWhatItWas() throws IOException {
        Vertx vertx = Vertx.vertx();
        try {
            NodeStats self = scripted("node-1", 1);
            JsonObject live = scripted("node-2", 2).snapshot().put(StatsVerticle.MEMBER, "member-2");
            JsonObject leaving = scripted("node-3", 3).snapshot().put(StatsVerticle.MEMBER, "member-3");
            vertx.eventBus().<JsonObject>localConsumer(Addresses.PRESENCE_QUERY, request -> request.reply(new JsonObject()
                    .put("uniqueUsers", 4L).put("rooms", new JsonObject().put("dashboard", 3L))));
            vertx.deployVerticle(new StatsVerticle(self, 100, null, new io.herald.cluster.ClusterWire(io.herald.WireVersion.CURRENT))).await();
            vertx.eventBus().publish(Addresses.STATS_NODE, leaving);
            vertx.setPeriodic(0, 50, id -> vertx.eventBus().publish(Addresses.STATS_NODE, live));
            Eventually.assertEventually("node-3 seen", () -> view(vertx).getJsonObject("totals").getInteger("nodes") == 3);
            // node-3 sends no more: after three intervals it has left, its counters kept in the totals; node-2 stays
            Eventually.assertEventually("node-3 departed", () -> view(vertx).getJsonObject("totals").getInteger("nodes") == 2);
            JsonObject view = view(vertx);
            view.getJsonArray("nodes").forEach(node -> ((JsonObject) node).remove("startedAt"));
            // the totals' keys may come in another order (JSON objects are unordered): compared as JSON
            Path file = GOLDEN.resolve("cluster-view.json");
            assertEquals(new JsonObject(Files.readString(file, StandardCharsets.UTF_8)), view, "cluster-view.json");
        } finally {
            vertx.close().await();
        }
    }

    static JsonObject view(Vertx vertx) {
        return vertx.eventBus().<JsonObject>request(Addresses.STATS_CLUSTER, null).await().body();
    }
}
