package io.herald;

import io.herald.testing.FollowingClient;
import io.herald.testing.HttpPublisher;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;

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
    static final List<String> TYPES = List.of("order:created", "payment:received", "inventory:updated");
    static final int CLIENTS_PER_NODE = 4;
    static final int VICTIM = 0;
    /** The bound the README states for a dead process: Hazelcast drops it at once (its sockets reset), stats share every 2 s. */
    static final long DROP_BOUND_SECONDS = 15;
    static Vertx vertx;

    @BeforeAll
    static void setUp() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void tearDown() {
        vertx.close().await();
    }

    @Test
    void aNodeKilledMidStreamLosesNoEventAndItsClientsRecoverOnTheOthers() throws Exception {
        try (JarCluster cluster = new JarCluster(3, Map.of()).startAll()) {
            String victimId = cluster.nodeId(VICTIM);
            List<FollowingClient> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS_PER_NODE * cluster.size(); i++) {
                clients.add(new FollowingClient(vertx, "f" + i, cluster.httpPorts, i % cluster.size(),
                        JarCluster.token(vertx, "u-" + i, "admin"), TYPES).start());
            }
            JarCluster.awaitUpTo(30, "every client registered", () -> clients.stream().allMatch(FollowingClient::registered));
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

            boolean[] victimDead = {false};
            List<HttpPublisher> publishers = new ArrayList<>();
            for (int i = 0; i < cluster.size(); i++) {
                int node = i;
                publishers.add(new HttpPublisher("p" + i, () -> node == VICTIM && victimDead[0] ? -1 : cluster.http(node), TYPES, 10).start());
            }
            Thread.sleep(3000);

            long killed = System.nanoTime();
            cluster.kill(VICTIM);
            victimDead[0] = true;
            JarCluster.awaitUpTo(30, "the dead node's clients recovered on the others",
                    () -> onVictim.stream().allMatch(c -> c.resumedAt() != 0));
            long failoverMs = (onVictim.stream().mapToLong(FollowingClient::resumedAt).max().orElseThrow() - killed) / 1_000_000;
            int survivor = 1;
            JarCluster.awaitUpTo(DROP_BOUND_SECONDS, "stats without the dead node", () -> {
                JsonObject stats = cluster.get(survivor, "/api/stats").json();
                return stats.getJsonArray("nodes").size() == 2 && stats.getJsonObject("totals").getLong("connections") == clients.size();
            });
            long statsMs = (System.nanoTime() - killed) / 1_000_000;
            JarCluster.awaitUpTo(DROP_BOUND_SECONDS, "presence without the dead node", () -> {
                JsonObject presence = cluster.get(survivor, "/api/presence").json();
                return presence.getInteger("connections") == clients.size() && !presence.encode().contains(victimId);
            });
            long presenceMs = (System.nanoTime() - killed) / 1_000_000;
            Thread.sleep(3000);
            for (HttpPublisher publisher : publishers) {
                publisher.close();
            }

            Map<String, List<JsonObject>> history = new java.util.HashMap<>();
            for (String type : TYPES) {
                history.put(type, cluster.history(survivor, type));
            }
            JarCluster.awaitUpTo(30, "every client has every event", () -> clients.stream().allMatch(c ->
                    TYPES.stream().allMatch(type -> c.lastSeq(type) >= history.get(type).size())));

            int published = 0;
            for (HttpPublisher publisher : publishers) {
                boolean onSurvivor = publishers.indexOf(publisher) != VICTIM;
                assertEquals(List.of(), publisher.failures(), "every answered publish is a 202");
                if (onSurvivor) {
                    assertEquals(List.of(), publisher.unanswered(), "publishing on the survivors never fails");
                }
                published += publisher.sent();
            }
            for (String type : TYPES) {
                List<JsonObject> kept = history.get(type);
                List<Long> seqs = kept.stream().map(e -> e.getLong("seq")).toList();
                assertEquals(LongStream.rangeClosed(1, kept.size()).boxed().toList(), seqs, type + ": history holds seq 1.." + kept.size());
                Set<String> keptIds = new HashSet<>(kept.stream().map(e -> e.getString("id")).toList());
                for (HttpPublisher publisher : publishers) {
                    List<String> accepted = publisher.accepted().get(type);
                    assertTrue(keptIds.containsAll(accepted), type + ": history holds every event answered 202");
                }
                List<String> ids = kept.stream().map(e -> e.getString("id")).toList();
                for (FollowingClient client : clients) {
                    assertEquals(seqs, client.seqs(type), client.name() + " " + type + ": every event once, in order");
                    assertEquals(ids, client.ids(type), client.name() + " " + type + ": the events history holds");
                }
            }
            for (FollowingClient client : clients) {
                assertEquals(List.of(), client.problems());
                client.close();
            }
            for (FollowingClient client : onVictim) {
                assertTrue(client.connects() >= 2, client.name() + " reconnected");
            }
            System.out.printf("failover: %d events published over %d types; SIGKILL of the oldest node -> its %d clients recovered on the others "
                            + "in %d ms; stats without it after %d ms, presence after %d ms%n",
                    published, TYPES.size(), onVictim.size(), failoverMs, statsMs, presenceMs);
        }
    }
}
