package io.herald.limits;

import io.herald.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The node's rate limiting, one per node: shares this node's per-IP connection counts with the others
 * on {@link Addresses#LIMITS_CONNECTIONS} and keeps theirs ({@link ConnectionCounts}), and drops idle
 * state every interval. The limits themselves are the plain classes the bridge's policies and the
 * publish API call.
 */
public final class RateLimitVerticle extends VerticleBase {
    /** How often a node tells the others its counts for IPs near the cap, and sweeps idle state. */
    public static final long REPORT_INTERVAL_MS = 1000;

    private final String nodeId;
    private final ConnectionCounts counts;
    private final LongSupplier clock;

    private final io.herald.cluster.ClusterWire wire;

    public RateLimitVerticle(String nodeId, ConnectionCounts counts, LongSupplier clock, io.herald.cluster.ClusterWire wire) {
        this.wire = wire;
        this.nodeId = nodeId;
        this.counts = counts;
        this.clock = clock;
    }

    @Override
    public Future<?> start() {
        return vertx.eventBus().<JsonObject>consumer(Addresses.LIMITS_CONNECTIONS, message -> {
            JsonObject body = message.body();
            if (!wire.accepts(body, "connection report")) {
                return;
            }
            String node = body.getString("node");
            if (node != null && !node.equals(nodeId) && body.getValue("ips") instanceof JsonObject ips) {
                Map<String, Integer> reported = new HashMap<>();
                ips.forEach(entry -> {
                    if (entry.getValue() instanceof Number n) {
                        reported.put(entry.getKey(), n.intValue());
                    }
                });
                counts.received(node, reported, clock.getAsLong());
            }
        }).completion().onSuccess(v -> vertx.setPeriodic(REPORT_INTERVAL_MS, id -> {
            counts.sweep(clock.getAsLong());
            Map<String, Integer> report = counts.report();
            if (report != null) {
                vertx.eventBus().publish(Addresses.LIMITS_CONNECTIONS,
                        wire.mark(new JsonObject().put("node", nodeId).put("ips", new JsonObject(new HashMap<String, Object>(report)))));
            }
        }));
    }
}
