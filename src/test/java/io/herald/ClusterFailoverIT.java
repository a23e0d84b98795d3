package io.herald;

import io.herald.testing.FollowingClient;
import io.herald.testing.Followers;
import io.herald.testing.HttpPublisher;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failover without loss: three nodes from the jar, each in its own JVM; clients spread over them, each following
 * three types and reconnecting to another node with {@code since}/{@code epoch} when its connection goes; events
 * published over HTTP on all three nodes at once. The oldest node (the Hazelcast master) is killed with SIGKILL
 * while events flow. Every client ends with every event, once, in seq order; every publish to a survivor is
 * answered 202; history holds every accepted event; presence and stats drop the dead node's connections.
 */
class ClusterFailoverIT {
    /** Types whose history (10,000 events) holds everything the test publishes. */
    static final List<String> TYPES = List.of("order:created", "order:updated", "payment:received");
    static final int CLIENTS_PER_NODE = 4;
    static final int VICTIM = Integer.getInteger("failover.victim", 0);
    /** The bound docs/cluster.md ("What a cluster guarantees") states for a dead process: Hazelcast drops it at once (its sockets reset), stats share every 2 s. */
    static final long DROP_BOUND_SECONDS = 15;

    @Test
    void aNodeKilledMidStreamLosesNoEventAndItsClientsRecoverOnTheOthers() throws Exception {
        try (JarCluster cluster = new JarCluster(3, Map.of()).startAll(); Followers followers = new Followers()) {
            String victimId = cluster.nodeId(VICTIM);
            List<FollowingClient> clients = followers.start("f", CLIENTS_PER_NODE * cluster.size(), "admin", TYPES,
                    i -> cluster.httpPorts, i -> i % cluster.size(), 30);
            JarCluster.awaitUpTo(30, "presence lists every client on every node", () -> {
                for (int i = 0; i < cluster.size(); i++) {
                    if (cluster.get(i, "/api/presence").json().getInteger("connections") != clients.size()) {
                        return false;
                    }
                }
                return true;
            });
            List<FollowingClient> onVictim = clients.stream().filter(c -> c.port() == cluster.http(VICTIM)).toList();
            assertEquals(CLIENTS_PER_NODE, onVictim.size());

            java.util.concurrent.atomic.AtomicBoolean victimDead = new java.util.concurrent.atomic.AtomicBoolean();
            List<HttpPublisher> publishers = new ArrayList<>();
            for (int i = 0; i < cluster.size(); i++) {
                int node = i;
                publishers.add(new HttpPublisher("p" + i, () -> node == VICTIM && victimDead.get() ? -1 : cluster.http(node), TYPES, 10).start());
            }
            Thread.sleep(3000);

            long killed = System.nanoTime();
            cluster.kill(VICTIM);
            victimDead.set(true);
            JarCluster.awaitUpTo(30, "the dead node's clients recovered on the others",
                    () -> onVictim.stream().allMatch(c -> c.resumedAt() != 0));
            long failoverMs = (onVictim.stream().mapToLong(FollowingClient::resumedAt).max().orElseThrow() - killed) / 1_000_000;
            int survivor = (VICTIM + 1) % cluster.size();
            JarCluster.awaitUpTo(DROP_BOUND_SECONDS, "Hazelcast drops the dead member", () -> cluster.readyCluster(survivor).getInteger("members") == 2);
            long droppedMs = (System.nanoTime() - killed) / 1_000_000;
            long[] statsMs = {0};
            long[] statsNodesMs = {0};
            long[] presenceMs = {0};
            JarCluster.awaitUpTo(DROP_BOUND_SECONDS, "stats and presence without the dead node's connections", () -> {
                long now = (System.nanoTime() - killed) / 1_000_000;
                JsonObject stats = cluster.get(survivor, "/api/stats").json();
                if (statsNodesMs[0] == 0 && stats.getJsonArray("nodes").size() == 2) {
                    statsNodesMs[0] = now;
                }
                if (statsMs[0] == 0 && stats.getJsonArray("nodes").size() == 2
                        && stats.getJsonObject("totals").getLong("connections") == clients.size()) {
                    statsMs[0] = now;
                }
                JsonObject presence = cluster.get(survivor, "/api/presence").json();
                if (presenceMs[0] == 0 && presence.getInteger("connections") == clients.size() && !presence.encode().contains(victimId)) {
                    presenceMs[0] = now;
                }
                return statsMs[0] > 0 && presenceMs[0] > 0;
            });
            Thread.sleep(3000);
            for (HttpPublisher publisher : publishers) {
                publisher.close();
            }

            for (int i = 0; i < publishers.size(); i++) {
                assertEquals(List.of(), publishers.get(i).failures(), "every answered publish is a 202");
                if (i != VICTIM) {
                    assertEquals(List.of(), publishers.get(i).unanswered(), "publishing on the survivors never fails");
                }
            }
            int published = cluster.assertEveryClientHasEveryEvent(survivor, TYPES, publishers, clients);
            clients.forEach(FollowingClient::close);
            for (FollowingClient client : onVictim) {
                assertTrue(client.connects() >= 2, client.name() + " reconnected");
            }
            System.out.printf("failover: %d events published over %d types; SIGKILL of node %d -> its %d clients recovered on the others "
                            + "in %d ms; member dropped after %d ms, stats without the node after %d ms and counting its moved clients "
                            + "after %d ms, presence after %d ms%n",
                    published, TYPES.size(), VICTIM, onVictim.size(), failoverMs, droppedMs, statsNodesMs[0], statsMs[0], presenceMs[0]);
        }
    }
}
