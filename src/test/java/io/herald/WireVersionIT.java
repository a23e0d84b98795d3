package io.herald;

import io.herald.testing.FollowingClient;
import io.herald.testing.HttpPublisher;
import io.herald.testing.Followers;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two wire versions in one cluster (issue 18, item 8): three nodes from the jar, each in its own JVM, started on the
 * previous wire version ({@code HERALD_CLUSTER_WIRE_VERSION=1}: the formats of the release before the versioning; such
 * a node advertises nothing and reads only version 1, as that release does) and replaced one by one by current nodes
 * (SIGTERM, the jar again without the flag), then one of them put back on version 1 (a rollback). Throughout, events
 * are published over HTTP on every node and followed by bridge clients on every node (moving with since/epoch when
 * theirs goes: recovery from history), presence and stats are checked on every node, and no node refuses a message.
 * Each node writes version 1 while any node reads only 1, version 2 once all read it. At the end every client has
 * every event once, in seq order, and history holds them all.
 *
 * <p>With {@code -Dherald.previousJar=<jar of the release before>} the version-1 nodes are that release itself (it
 * advertises nothing, reads only version 1 and shows no {@code wire} in {@code /ready}) instead of current nodes forced
 * to version 1.
 */
class WireVersionIT {
    static final List<String> TYPES = List.of("order:created", "payment:received");
    static final String PREVIOUS_JAR = System.getProperty("herald.previousJar", "");
    static final Map<String, String> PREVIOUS = PREVIOUS_JAR.isEmpty()
            ? Map.of("HERALD_CLUSTER_WIRE_VERSION", "1")
            : Map.of(NodeProcessIT.OTHER_JAR, PREVIOUS_JAR);
    static final int CLIENTS_PER_NODE = 3;

    @Test
    void aRollingUpgradeBetweenWireVersionsLosesNothing() throws Exception {
        try (JarCluster cluster = new JarCluster(3, Map.of()); Followers followers = new Followers()) {
            for (int i = 0; i < cluster.size(); i++) {
                cluster.env(i, PREVIOUS);
            }
            cluster.startAll();
            JarCluster.awaitUpTo(120, "the cluster ready and safe", cluster::readyAndSafe);
            int[] reads = {1, 1, 1};
            assertWire(cluster, reads, 1);

            Set<String> users = new TreeSet<>();
            for (int i = 0; i < CLIENTS_PER_NODE * cluster.size(); i++) {
                users.add("u-" + i);
            }
            List<FollowingClient> clients = followers.start("w", CLIENTS_PER_NODE * cluster.size(), "admin", TYPES,
                    i -> cluster.httpPorts, i -> i % cluster.size(), 30);

            boolean[] up = {true, true, true};
            List<HttpPublisher> publishers = cluster.publishersToUpNodes(up, TYPES, 10);
            awaitPresenceAndStats(cluster, users, clients.size(), "all on version 1");

            List<String> report = new ArrayList<>();
            // the upgrade: each node in turn replaced by a current one; then node 0 back to the previous version
            int[][] steps = {{0, 2}, {1, 2}, {2, 2}, {0, 1}};
            for (int[] step : steps) {
                int node = step[0];
                long stopping = replace(cluster, node, step[1], up, publishers, clients);
                reads[node] = step[1];
                int writes = reads[0] == 2 && reads[1] == 2 && reads[2] == 2 ? 2 : 1;
                JarCluster.awaitUpTo(30, "every node writing version " + writes, () -> writesEverywhere(cluster, writes));
                assertWire(cluster, reads, writes);
                awaitPresenceAndStats(cluster, users, clients.size(), "node " + node + " on version " + step[1]);
                report.add("node " + node + " -> reads " + step[1] + ": the cluster writes " + writes + "; its clients moved and recovered in "
                        + (clients.stream().mapToLong(FollowingClient::resumedAt).max().orElse(stopping) - stopping) / 1_000_000 + " ms");
                Thread.sleep(2000); // events flow in this mix
            }
            for (HttpPublisher publisher : publishers) {
                publisher.close();
            }
            for (HttpPublisher publisher : publishers) {
                assertEquals(List.of(), publisher.failures(), "every publish is a 202");
                assertEquals(List.of(), publisher.unanswered(), "every publish is answered");
            }
            int published = cluster.assertEveryClientHasEveryEvent(1, TYPES, publishers, clients);
            List<JsonObject> wires = new ArrayList<>();
            for (int i = 0; i < cluster.size(); i++) {
                JsonObject wire = wire(cluster, i);
                wires.add(wire);
                assertEquals(0L, wire.getLong("refused"), "node " + i + " refused nothing: " + wire);
            }
            // nodes 1 and 2 lived through the all-version-2 stretch: they read version 2 from the others
            for (int i = 1; i < cluster.size(); i++) {
                assertTrue(wires.get(i).getJsonObject("read").getLong("2") > 0, "node " + i + " read version 2 messages: " + wires.get(i));
                assertTrue(wires.get(i).getJsonObject("read").getLong("1") > 0, "node " + i + " read version 1 messages: " + wires.get(i));
            }
            clients.forEach(FollowingClient::close);
            System.out.println("wire versions: " + published + " events over " + TYPES.size() + " types, none lost or twice\n  "
                    + String.join("\n  ", report) + "\n  wire at the end: " + wires);
        }
    }

    /** Takes node {@code node} out (publishers first, as a load balancer does), SIGTERM, and starts it reading {@code version}. */
    static long replace(JarCluster cluster, int node, int version, boolean[] up, List<HttpPublisher> publishers,
                        List<FollowingClient> clients) throws Exception {
        List<FollowingClient> moving = clients.stream().filter(c -> c.port() == cluster.http(node)).toList();
        publishers.forEach(HttpPublisher::pause);
        up[node] = false;
        publishers.forEach(HttpPublisher::resume);
        long stopping = System.nanoTime();
        cluster.terminate(node);
        JarCluster.awaitUpTo(60, "node " + node + "'s clients moved and recovered", () -> moving.stream().allMatch(c -> c.resumedAt() > stopping));
        cluster.env(node, version == 1 ? PREVIOUS : Map.of());
        cluster.restart(node);
        JarCluster.awaitUpTo(120, "every node ready and the cluster safe", cluster::readyAndSafe);
        up[node] = true;
        return stopping;
    }

    static boolean writesEverywhere(JarCluster cluster, int version) {
        for (int i = 0; i < cluster.size(); i++) {
            if (wire(cluster, i).getInteger("writes") != version) {
                return false;
            }
        }
        return true;
    }

    /** The node's wire versions from /ready; the release before the versioning shows none: it reads and writes 1. */
    static JsonObject wire(JarCluster cluster, int node) {
        JsonObject wire = cluster.readyCluster(node).getJsonObject("wire");
        if (wire == null) {
            assertTrue(!PREVIOUS_JAR.isEmpty(), "node " + node + " shows its wire versions in /ready");
            return new JsonObject().put("reads", 1).put("writes", 1).put("read", new JsonObject().put("1", 1L).put("2", 0L)).put("refused", 0L);
        }
        return wire;
    }

    static void assertWire(JarCluster cluster, int[] reads, int writes) {
        for (int i = 0; i < cluster.size(); i++) {
            JsonObject wire = wire(cluster, i);
            assertEquals(reads[i], wire.getInteger("reads"), "node " + i + ": " + wire);
            assertEquals(writes, wire.getInteger("writes"), "node " + i + ": " + wire);
            assertEquals(0L, wire.getLong("refused"), "node " + i + " refused nothing: " + wire);
        }
    }

    /** Every node sees every client's user online (presence from all nodes) and the cluster's stats count every node and connection. */
    static void awaitPresenceAndStats(JarCluster cluster, Set<String> users, int connections, String when) throws InterruptedException {
        for (int i = 0; i < cluster.size(); i++) {
            int node = i;
            JarCluster.awaitUpTo(60, when + ": node " + node + " sees every user online", () -> {
                JsonObject presence = cluster.get(node, "/api/presence").json();
                Set<String> online = new TreeSet<>();
                presence.getJsonArray("users").forEach(u -> online.add(((JsonObject) u).getString("userId")));
                return online.equals(users);
            });
            JarCluster.awaitUpTo(60, when + ": node " + node + "'s stats count 3 nodes and " + connections + " connections", () -> {
                JsonObject totals = cluster.get(node, "/api/stats").json().getJsonObject("totals");
                return totals.getInteger("nodes") == 3 && totals.getLong("connections") == connections;
            });
        }
    }
}
