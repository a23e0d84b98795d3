package io.herald.stats;

import io.vertx.core.json.JsonObject;

import java.util.Collection;

/**
 * The cluster's totals of {@code /api/stats}, from the nodes' snapshots, by each {@link Stat}'s {@link Stat.Rule}:
 * summed over the nodes in the view; the largest; not in the totals (per node); from presence (distinct across the
 * cluster); summed and kept after a node leaves (what departed nodes counted, so the totals never go backwards).
 * A keyed stat (a JSON object of counts) adds up key by key. Plain: no Vert.x, no clock.
 */
public final class ClusterTotals {
    private ClusterTotals() {
    }

    /**
     * The totals of the nodes in the view ({@code live}), the last snapshots of the nodes that left ({@code departed})
     * and the summed kept counts of those that left long ago ({@code departedLongAgo}); {@code presence}: presence's
     * summary ({@code uniqueUsers}, {@code rooms}), or null with presence off.
     */
    public static JsonObject of(Collection<JsonObject> live, Collection<JsonObject> departed, JsonObject departedLongAgo, JsonObject presence) {
        JsonObject totals = new JsonObject();
        for (Stat stat : Stat.values()) {
            String field = stat.field();
            if (field == null) {
                continue;
            }
            switch (stat.rule()) {
                case PER_NODE -> {
                }
                case DISTINCT -> totals.put(field, presence == null ? (stat.keyed() ? new JsonObject() : null)
                        : stat.keyed() ? presence.getJsonObject(field, new JsonObject())
                        : presence.getValue(field) instanceof Number n ? (Object) n.longValue() : null);
                case SUM, KEPT, MAX -> {
                    Object total = stat.keyed() ? new JsonObject() : (Object) 0L;
                    for (JsonObject node : live) {
                        total = combine(stat.rule(), total, node.getValue(field));
                    }
                    if (stat.rule() == Stat.Rule.KEPT) {
                        total = combine(stat.rule(), total, departedLongAgo.getValue(field));
                        for (JsonObject gone : departed) {
                            total = combine(stat.rule(), total, gone.getValue(field));
                        }
                    }
                    totals.put(field, total);
                }
            }
        }
        totals.put("nodes", live.size());
        return totals;
    }

    /** Adds a departed node's kept counts ({@link Stat.Rule#KEPT}) into {@code into}. */
    public static void keep(JsonObject into, JsonObject gone) {
        for (Stat stat : Stat.values()) {
            if (stat.field() != null && stat.rule() == Stat.Rule.KEPT) {
                Object sum = combine(Stat.Rule.KEPT, into.getValue(stat.field(), stat.keyed() ? new JsonObject() : (Object) 0L), gone.getValue(stat.field()));
                into.put(stat.field(), sum);
            }
        }
    }

    /** {@code total} combined with {@code value} by {@code rule} (sum or max); a number, or an object of numbers key by key. */
    static Object combine(Stat.Rule rule, Object total, Object value) {
        if (total instanceof Number a && value instanceof Number b) {
            return rule == Stat.Rule.MAX ? Math.max(a.longValue(), b.longValue()) : a.longValue() + b.longValue();
        }
        if (total instanceof JsonObject sums && value instanceof JsonObject counts) {
            JsonObject result = sums.copy();
            for (String key : counts.fieldNames()) {
                if (counts.getValue(key) instanceof Number n) {
                    Object before = result.getValue(key);
                    result.put(key, before instanceof Number b ? combine(rule, b, n) : n.longValue());
                }
            }
            return result;
        }
        return total;
    }
}
