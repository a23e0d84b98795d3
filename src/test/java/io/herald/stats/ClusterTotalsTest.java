package io.herald.stats;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The aggregation rules of the stats table, one by one, on plain snapshots. */
class ClusterTotalsTest {
    static JsonObject node(String id, long connections, long opened, JsonObject byRole, JsonObject refusals) {
        return new JsonObject().put("node", id).put("startedAt", 1L).put("connections", connections).put("totalConnections", connections)
                .put("connectionsOpened", opened).put("connectionsByRole", byRole).put("refusals", refusals).put("replayBytesInFlight", 7L)
                .put("uniqueUsers", connections).put("rooms", new JsonObject().put("dashboard", 1L));
    }

    static final JsonObject A = node("a", 3, 10, new JsonObject().put("staff", 2L).put("guest", 1L), new JsonObject().put("rate_limited", 4L));
    static final JsonObject B = node("b", 2, 5, new JsonObject().put("staff", 2L), new JsonObject().put("access_denied", 1L));
    static final JsonObject GONE = node("c", 9, 100, new JsonObject().put("admin", 9L), new JsonObject().put("rate_limited", 50L));

    @Test
    void sumAddsTheNodesInTheViewKeyByKeyAndForgetsANodeThatLeft() {
        JsonObject totals = ClusterTotals.of(List.of(A, B), List.of(GONE), new JsonObject(), null);
        assertEquals(Stat.Rule.SUM, Stat.CONNECTIONS.rule());
        assertEquals(5L, totals.getLong("connections"));
        assertEquals(new JsonObject().put("staff", 4L).put("guest", 1L), totals.getJsonObject("connectionsByRole"), "keyed: key by key");
        assertEquals(2, totals.getInteger("nodes"));
    }

    @Test
    void keptAddsWhatDepartedNodesCountedSoTheTotalsNeverGoBackwards() {
        assertEquals(Stat.Rule.KEPT, Stat.CONNECTIONS_OPENED.rule());
        JsonObject longAgo = new JsonObject();
        ClusterTotals.keep(longAgo, node("old", 1, 1000, new JsonObject(), new JsonObject().put("rate_limited", 500L)));
        assertEquals(1000L, longAgo.getLong("connectionsOpened"));
        assertFalse(longAgo.containsKey("connections"), "only what is kept after a node leaves");
        JsonObject totals = ClusterTotals.of(List.of(A, B), List.of(GONE), longAgo, null);
        assertEquals(10 + 5 + 100 + 1000L, totals.getLong("connectionsOpened"));
        assertEquals(new JsonObject().put("rate_limited", 554L).put("access_denied", 1L), totals.getJsonObject("refusals"));
    }

    @Test
    void maxTakesTheLargestKeyByKey() {
        assertEquals(7L, ClusterTotals.combine(Stat.Rule.MAX, 3L, 7L));
        assertEquals(7L, ClusterTotals.combine(Stat.Rule.MAX, 7L, 3L));
        assertEquals(new JsonObject().put("x", 5L).put("y", 1L).put("z", 2L), ClusterTotals.combine(Stat.Rule.MAX,
                new JsonObject().put("x", 5L).put("y", 1L), new JsonObject().put("x", 4L).put("z", 2L)));
        assertEquals(10L, ClusterTotals.combine(Stat.Rule.SUM, 3L, 7L));
    }

    @Test
    void perNodeStaysOutOfTheTotals() {
        assertEquals(Stat.Rule.PER_NODE, Stat.REPLAY_BYTES_IN_FLIGHT.rule());
        JsonObject totals = ClusterTotals.of(List.of(A, B), List.of(), new JsonObject(), null);
        for (Stat stat : Stat.values()) {
            if (stat.rule() == Stat.Rule.PER_NODE && stat.field() != null) {
                assertFalse(totals.containsKey(stat.field()), stat.field());
            }
        }
    }

    @Test
    void distinctComesFromPresenceNotFromTheNodes() {
        // a user with tabs on both nodes: each node counts them, presence counts them once
        JsonObject presence = new JsonObject().put("uniqueUsers", 4L).put("rooms", new JsonObject().put("dashboard", 1L));
        JsonObject totals = ClusterTotals.of(List.of(A, B), List.of(), new JsonObject(), presence);
        assertEquals(4L, totals.getLong("uniqueUsers"));
        assertEquals(new JsonObject().put("dashboard", 1L), totals.getJsonObject("rooms"));
        JsonObject off = ClusterTotals.of(List.of(A, B), List.of(), new JsonObject(), null);
        assertNull(off.getValue("uniqueUsers"), "presence off: no count rather than a wrong one");
        assertEquals(new JsonObject(), off.getJsonObject("rooms"));
    }

    @Test
    void everyRuleOfTheTableIsOneOfThese() {
        for (Stat stat : Stat.values()) {
            if (stat.field() == null) {
                assertEquals(Stat.Rule.PER_NODE, stat.rule(), stat + ": only in /metrics, so per node");
            }
            if (stat.rule() == Stat.Rule.KEPT) {
                assertEquals(Stat.Kind.COUNTER, stat.kind(), stat + ": only what only grows is kept after a node leaves");
            }
        }
    }
}
