package io.herald;

import io.herald.testing.FollowingClient;
import io.herald.testing.Followers;
import io.herald.testing.HttpPublisher;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rolling restart while events flow: three nodes from the jar, each in its own JVM, restarted one after the
 * other (SIGTERM, then the jar started again on the same ports), as docs/cluster.md's procedure ("Rolling restart") says: publishers
 * leave a node before it stops (as a load balancer does once its /ready says 503), and the next node stops only
 * once the restarted one is ready and the cluster is safe (every partition's backup in sync). Clients are told
 * {@code shutdown} (1001) and move to another node with {@code since}/{@code epoch}. Every client ends with every
 * event once, in seq order, in the same epoch; every publish is answered 202; history holds them all.
 */
class RollingRestartIT {
    /** Types whose history (10,000 events) holds everything the test publishes. */
    static final List<String> TYPES = List.of("order:created", "order:updated", "payment:received");
    static final int CLIENTS_PER_NODE = 4;

    @Test
    void restartingEveryNodeInTurnLosesNoEvent() throws Exception {
        try (JarCluster cluster = new JarCluster(3, Map.of()).startAll(); Followers followers = new Followers()) {
            List<FollowingClient> clients = followers.start("r", CLIENTS_PER_NODE * cluster.size(), "admin", TYPES,
                    i -> cluster.httpPorts, i -> i % cluster.size(), 30);
            JarCluster.awaitUpTo(60, "the cluster safe", cluster::readyAndSafe);

            boolean[] up = {true, true, true};
            List<HttpPublisher> publishers = cluster.publishersToUpNodes(up, TYPES, 10);
            Thread.sleep(2000);

            List<String> report = new ArrayList<>();
            for (int i = 0; i < cluster.size(); i++) {
                int node = i;
                List<FollowingClient> moving = clients.stream().filter(c -> c.port() == cluster.http(node)).toList();
                // the load balancer takes the node out: publishers finish what is in flight and go elsewhere
                publishers.forEach(HttpPublisher::pause);
                up[node] = false;
                publishers.forEach(HttpPublisher::resume);

                long stopping = System.nanoTime();
                List<String> lastWords = cluster.terminate(node);
                long exitedMs = (System.nanoTime() - stopping) / 1_000_000;
                JarCluster.awaitUpTo(30, "node " + node + "'s clients moved and recovered",
                        () -> moving.stream().allMatch(c -> c.resumedAt() > stopping));
                long movedMs = (moving.stream().mapToLong(FollowingClient::resumedAt).max().orElse(stopping) - stopping) / 1_000_000;
                for (FollowingClient client : moving) {
                    assertTrue(client.closes().contains("1001 shutdown"), client.name() + " was told shutdown: " + client.closes());
                }
                String closed = lastWords.stream().filter(l -> l.contains("stopped in")).findFirst().orElse("no shutdown line");

                long starting = System.nanoTime();
                cluster.restart(node);
                JarCluster.awaitUpTo(120, "every node ready and the cluster safe", cluster::readyAndSafe);
                long safeMs = (System.nanoTime() - starting) / 1_000_000;
                up[node] = true;
                report.add(String.format("node %d: SIGTERM -> exit %d ms (%s), its %d clients recovered elsewhere %d ms after SIGTERM; "
                        + "restarted, ready and cluster safe after %d ms", node, exitedMs, closed.trim(), moving.size(), movedMs, safeMs));
            }
            Thread.sleep(2000);
            for (HttpPublisher publisher : publishers) {
                publisher.close();
            }

            for (HttpPublisher publisher : publishers) {
                assertEquals(List.of(), publisher.failures(), "every publish is a 202");
                assertEquals(List.of(), publisher.unanswered(), "every publish is answered");
            }
            int published = cluster.assertEveryClientHasEveryEvent(0, TYPES, publishers, clients);
            clients.forEach(FollowingClient::close);
            System.out.println("rolling restart: " + published + " events published over " + TYPES.size() + " types, none lost or twice\n  "
                    + String.join("\n  ", report));
        }
    }
}
