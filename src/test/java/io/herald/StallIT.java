package io.herald;

import io.herald.testing.FollowingClient;
import io.herald.testing.HttpPublisher;
import io.herald.testing.Followers;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node frozen past the heartbeat timeout (issue 22): three jar nodes on the <b>default</b> configuration (no
 * {@code cluster.minMembers}), clients following three types on all of them and moving with {@code since}/{@code epoch},
 * a backend publishing to each node, its requests to the frozen node left hanging. Node 1 is frozen with SIGSTOP for
 * 15 s (the cluster drops it after 10 s), then resumed; node 2 is frozen for 3 s. Every publish answered 202 is in
 * history exactly once (seq 1..N, one epoch, as the majority kept it) and every client received exactly history, once,
 * in order, without an epoch change or an err. Publishes the frozen node answers otherwise (503: not in a confirmed
 * majority) may or may not be kept.
 */
class StallIT {
    static final List<String> TYPES = List.of("order:created", "inventory:updated", "payment:received");
    static final int CLIENTS_PER_NODE = 2;
    static final int FROZEN = 1;
    static final int PAUSED = 2;

    static void signal(JarCluster cluster, int node, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(cluster.node(node).process().pid())).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + signal);
    }

    @Test
    void aNodeFrozenPastTheHeartbeatTimeoutAcknowledgesNothingItLosesAndNoClientStops() throws Exception {
        try (JarCluster cluster = new JarCluster(3, Map.of()).startAll(); Followers followers = new Followers()) {
            List<FollowingClient> clients = followers.start("f", CLIENTS_PER_NODE * cluster.size(), "admin", TYPES,
                    i -> cluster.httpPorts, i -> i % cluster.size(), 60);
            List<HttpPublisher> publishers = new ArrayList<>();
            for (int i = 0; i < cluster.size(); i++) {
                int node = i;
                publishers.add(new HttpPublisher("p" + i, () -> cluster.http(node), TYPES, 20).start());
            }
            Thread.sleep(3000);

            signal(cluster, FROZEN, "STOP");
            Thread.sleep(15_000);
            signal(cluster, FROZEN, "CONT");
            Thread.sleep(2000);
            signal(cluster, PAUSED, "STOP");
            Thread.sleep(3000);
            signal(cluster, PAUSED, "CONT");
            JarCluster.awaitUpTo(120, "the frozen node merged back: every node ready",
                    () -> LongStream.range(0, cluster.size()).allMatch(i -> cluster.get((int) i, "/ready").status() == 200));
            Thread.sleep(5000);
            for (HttpPublisher publisher : publishers) {
                publisher.close();
            }

            int survivor = 0;
            List<String> refused = new ArrayList<>();
            for (HttpPublisher publisher : publishers) {
                for (String failure : publisher.failures()) {
                    assertTrue(failure.contains(" 503 "), "a publish is answered 202 or 503: " + failure);
                    refused.add(failure);
                }
            }
            int total = 0;
            for (String type : TYPES) {
                List<JsonObject> kept = cluster.history(survivor, type);
                total += kept.size();
                List<Long> seqs = kept.stream().map(e -> e.getLong("seq")).toList();
                JarCluster.assertSame(LongStream.rangeClosed(1, kept.size()).boxed().toList(), seqs, type + ": history holds seq 1.." + kept.size());
                assertEquals(1, kept.stream().map(e -> e.getString("epoch")).distinct().count(), type + ": one epoch");
                List<String> ids = kept.stream().map(e -> e.getString("id")).toList();
                assertEquals(ids.size(), new HashSet<>(ids).size(), type + ": no event twice in history");
                Set<String> keptIds = new HashSet<>(ids);
                for (HttpPublisher publisher : publishers) {
                    List<String> lost = publisher.accepted().get(type).stream().filter(id -> !keptIds.contains(id)).toList();
                    assertEquals(List.of(), lost, type + ": acknowledged by " + publisher + " but not in history");
                }
                JarCluster.awaitUpTo(60, type + ": every client has every event",
                        () -> clients.stream().allMatch(c -> c.lastSeq(type) >= kept.size()));
                for (FollowingClient client : clients) {
                    JarCluster.assertSame(seqs, client.seqs(type), client.name() + " " + type + ": every event once, in order");
                    JarCluster.assertSame(ids, client.ids(type), client.name() + " " + type + ": the events history holds");
                }
            }
            for (FollowingClient client : clients) {
                assertEquals(List.of(), client.problems(), "no err, no seq out of order or twice, no epoch change");
            }
            clients.forEach(FollowingClient::close);
            for (int i = 0; i < cluster.size(); i++) {
                for (String line : cluster.node(i).lines()) {
                    if (line.matches(".*(stalled for|not acknowledging|voting members|restarted \\(epoch|no majority|Merging|merge).*")) {
                        System.out.println("node " + i + ": " + line);
                    }
                }
            }
            System.out.printf("stall: %d events kept over %d types; %d publishes refused with 503 around the stall; closes seen %s%n",
                    total, TYPES.size(), refused.size(), clients.stream().map(FollowingClient::closes).toList());
        }
    }
}
