package io.herald.stats;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.herald.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The cluster view of the stats: every node publishes its snapshot each interval on
 * {@link Addresses#STATS_NODE}; every node keeps the latest of each and answers {@link Addresses#STATS_CLUSTER}
 * with the per-node list and the totals. A node leaves the view when Hazelcast drops its member (or, failing
 * that, after three intervals without a snapshot); what it counted so far (events published, deliveries, …)
 * stays in the totals, which therefore never go backwards, while its connections, subscriptions and users
 * leave with it. Unique users and rooms come from presence, which knows a user on two nodes is one. Which stat
 * adds up how is each {@link Stat}'s rule, applied by {@link ClusterTotals}.
 */
public final class StatsVerticle extends VerticleBase {
    static final int MAX_DEPARTED = 1000;
    /** The snapshot's field naming the Hazelcast member that sent it. */
    static final String MEMBER = "member";

    private final NodeStats stats;
    private final long intervalMs;
    private final HazelcastInstance hazelcast;
    private final Map<String, JsonObject> latest = new HashMap<>();
    private final Map<String, Long> heardAt = new HashMap<>();
    /**
     * The last snapshot of each node that left, for its cumulative counts; a node that comes back (cut off by a
     * partition, then merged) leaves this map again, since its own snapshots carry those counts.
     */
    private final Map<String, JsonObject> departed = new LinkedHashMap<>();
    /** The cumulative counts of nodes that left long ago (past {@link #MAX_DEPARTED}), summed. */
    private final JsonObject departedLongAgo = new JsonObject();
    /**
     * Hazelcast members dropped from the cluster: a late snapshot of one is not taken. A node merged back after a
     * partition is a new member (Hazelcast gives it a new member id), so its snapshots are taken again.
     */
    private final Set<String> departedMembers = new LinkedHashSet<>();
    private UUID membershipListener;

    /** {@code hazelcast} null: a node without a cluster. */
    private final io.herald.cluster.ClusterWire wire;

    public StatsVerticle(NodeStats stats, long intervalMs, HazelcastInstance hazelcast, io.herald.cluster.ClusterWire wire) {
        this.wire = wire;
        this.stats = stats;
        this.intervalMs = intervalMs;
        this.hazelcast = hazelcast;
    }

    @Override
    public Future<?> start() {
        vertx.eventBus().<JsonObject>localConsumer(Addresses.STATS_CLUSTER, request -> clusterView().onComplete(view -> request.reply(view.result())));
        if (hazelcast != null) {
            membershipListener = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
                @Override
                public void memberAdded(MembershipEvent event) {
                }

                @Override
                public void memberRemoved(MembershipEvent event) {
                    String member = event.getMember().getUuid().toString();
                    context.runOnContext(v -> memberLeft(member));
                }
            });
        }
        return vertx.eventBus().<JsonObject>consumer(Addresses.STATS_NODE, message -> {
            if (!wire.accepts(message.body(), "stats snapshot")) {
                return;
            }
            message.body().remove(io.herald.WireVersion.FIELD);
            String node = message.body().getString("node");
            if (!node.equals(stats.nodeId()) && !departedMembers.contains(message.body().getString(MEMBER))) {
                latest.put(node, message.body());
                heardAt.put(node, System.currentTimeMillis());
                departed.remove(node);
            }
        }).completion().onSuccess(v ->
                vertx.setPeriodic(0, intervalMs, id -> vertx.eventBus().publish(Addresses.STATS_NODE, wire.mark(stats.snapshot().put(MEMBER, member())))));
    }

    @Override
    public Future<?> stop() {
        if (membershipListener != null) {
            hazelcast.getCluster().removeMembershipListener(membershipListener);
        }
        return Future.succeededFuture();
    }

    /** The member this node is now (Hazelcast changes it when a node merges back after a partition). */
    private String member() {
        return hazelcast == null ? stats.nodeId() : hazelcast.getCluster().getLocalMember().getUuid().toString();
    }

    private void memberLeft(String member) {
        departedMembers.add(member);
        if (departedMembers.size() > MAX_DEPARTED) {
            departedMembers.remove(departedMembers.iterator().next());
        }
        latest.entrySet().stream().filter(e -> member.equals(e.getValue().getString(MEMBER))).map(Map.Entry::getKey).toList()
                .forEach(this::depart);
    }

    /** A node left: its connections leave the view, its counts stay in the totals. */
    private void depart(String node) {
        JsonObject last = latest.remove(node);
        heardAt.remove(node);
        if (last == null) {
            return;
        }
        departed.put(node, last);
        if (departed.size() > MAX_DEPARTED) {
            String oldest = departed.keySet().iterator().next();
            ClusterTotals.keep(departedLongAgo, departed.remove(oldest));
        }
    }

    private Future<JsonObject> clusterView() {
        long now = System.currentTimeMillis();
        heardAt.entrySet().stream().filter(e -> now - e.getValue() > 3 * intervalMs).map(Map.Entry::getKey).toList().forEach(this::depart);
        Map<String, JsonObject> nodes = new HashMap<>(latest);
        nodes.put(stats.nodeId(), stats.snapshot());

        List<JsonObject> sorted = nodes.values().stream().sorted((a, b) -> a.getString("node").compareTo(b.getString("node"))).toList();
        List<JsonObject> departedNodes = List.copyOf(departed.values());
        JsonObject longAgo = departedLongAgo.copy();
        return vertx.eventBus().<JsonObject>request(Addresses.PRESENCE_QUERY, new JsonObject().put("summary", true))
                .map(reply -> reply.body())
                .otherwise(presenceOff -> null)
                .map(presence -> new JsonObject()
                        .put("nodes", new JsonArray(sorted.stream().map(node -> {
                            JsonObject shown = node.copy();
                            shown.remove(MEMBER);
                            return shown;
                        }).toList()))
                        .put("totals", ClusterTotals.of(sorted, departedNodes, longAgo, presence)));
    }
}
