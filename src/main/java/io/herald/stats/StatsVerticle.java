package io.herald.stats;

import io.herald.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;

/**
 * The cluster view of the stats: every node publishes its snapshot each interval on
 * {@link Addresses#STATS_NODE}; every node keeps the latest of each and answers
 * {@link Addresses#STATS_CLUSTER} with the per-node list and the totals. A node not heard from for
 * three intervals has left.
 */
public final class StatsVerticle extends VerticleBase {
    private static final String[] SUMMED = {"connections", "subscriptions", "connectionsOpened", "eventsPublished", "messagesDelivered", "recoveries", "recoveriesIncomplete"};

    private final NodeStats stats;
    private final long intervalMs;
    private final Map<String, JsonObject> latest = new HashMap<>();
    private final Map<String, Long> heardAt = new HashMap<>();

    public StatsVerticle(NodeStats stats, long intervalMs) {
        this.stats = stats;
        this.intervalMs = intervalMs;
    }

    @Override
    public Future<?> start() {
        vertx.eventBus().<JsonObject>localConsumer(Addresses.STATS_CLUSTER, request -> request.reply(clusterView()));
        return vertx.eventBus().<JsonObject>consumer(Addresses.STATS_NODE, message -> {
            String node = message.body().getString("node");
            latest.put(node, message.body());
            heardAt.put(node, System.currentTimeMillis());
        }).completion().onSuccess(v ->
                vertx.setPeriodic(0, intervalMs, id -> vertx.eventBus().publish(Addresses.STATS_NODE, stats.snapshot())));
    }

    private JsonObject clusterView() {
        long now = System.currentTimeMillis();
        heardAt.entrySet().removeIf(e -> now - e.getValue() > 3 * intervalMs && !e.getKey().equals(stats.nodeId()));
        latest.keySet().retainAll(heardAt.keySet());
        latest.put(stats.nodeId(), stats.snapshot());
        heardAt.put(stats.nodeId(), now);

        JsonObject totals = new JsonObject();
        for (String field : SUMMED) {
            totals.put(field, latest.values().stream().mapToLong(n -> n.getLong(field, 0L)).sum());
        }
        return new JsonObject()
                .put("nodes", new JsonArray(latest.values().stream().map(JsonObject::copy).toList()))
                .put("totals", totals.put("nodes", latest.size()));
    }
}
