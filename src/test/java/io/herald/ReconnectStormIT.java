package io.herald;

import io.herald.config.HeraldConfig;
import io.herald.testing.FollowingClient;
import io.herald.testing.Followers;
import io.herald.testing.HttpPublisher;
import io.herald.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reconnect storm, small enough for CI (the bench's {@code storm} scenario is the 5,000-client one, with the
 * figures): three nodes from the jar; {@value #CLIENTS} clients on node 0 follow one type; node 0 gets SIGKILL; while
 * they are away {@value #BEHIND} events are published on a survivor, then every client reconnects at once (half to
 * each survivor) with {@code since}/{@code epoch}, while events keep coming. Every client ends with every event once,
 * in order, in one epoch, with no {@code err} frame, and none is closed (as a slow consumer or otherwise) on the
 * survivors: replays of the same gap by hundreds of clients at once are served whole.
 */
class ReconnectStormIT {
    static final String TYPE = "order:created";
    static final int CLIENTS = 200;
    static final int BEHIND = 50;

    @Test
    void everyClientOfAKilledNodeReconnectingAtOnceGetsEveryEventOnceInOrderAndNoneIsCut() throws Exception {
        try (JarCluster cluster = new JarCluster(3, Map.of()).startAll(); Followers followers = new Followers()) {
            int victim = 0;
            // all on node 0; each client's next node is one survivor or the other: the storm splits over both
            List<FollowingClient> clients = followers.start("s", CLIENTS, "staff", List.of(TYPE),
                    i -> i % 2 == 0 ? List.of(cluster.http(0), cluster.http(1), cluster.http(2))
                            : List.of(cluster.http(0), cluster.http(2), cluster.http(1)), i -> 0, 60);
            long before = publishBatch(cluster.http(1), 20);
            JarCluster.awaitUpTo(30, "every client has the first events live", () -> clients.stream().allMatch(c -> c.lastSeq(TYPE) == before));

            clients.forEach(FollowingClient::holdReconnects);
            cluster.kill(victim);
            JarCluster.awaitUpTo(30, "every client saw node 0 go", () -> clients.stream().allMatch(c -> c.port() == -1));
            long behind = publishBatch(cluster.http(1), BEHIND);
            assertEquals(before + BEHIND, behind, "every client is " + BEHIND + " events behind");

            HttpPublisher live = new HttpPublisher("live", () -> cluster.http(2), List.of(TYPE), 20).start();
            for (FollowingClient client : clients) {
                client.releaseReconnects(); // all within a few ms: the storm
            }
            JarCluster.awaitUpTo(60, "every client caught up with the gap", () -> clients.stream().allMatch(c -> c.lastSeq(TYPE) >= behind));
            Thread.sleep(1000);
            live.close();
            assertEquals(List.of(), live.failures(), "every answered publish is a 202");
            assertEquals(List.of(), live.unanswered(), "publishing on a survivor never fails");

            List<JsonObject> history = cluster.history(1, TYPE);
            long last = history.size();
            JarCluster.assertSame(java.util.stream.LongStream.rangeClosed(1, last).boxed().toList(),
                    history.stream().map(e -> e.getLong("seq")).toList(), "history holds seq 1.." + last);
            assertTrue(last > behind, "events were published during the storm too: " + last);
            JarCluster.awaitUpTo(60, "every client has every event", () -> clients.stream().allMatch(c -> c.lastSeq(TYPE) >= last));
            List<Long> seqs = history.stream().map(e -> e.getLong("seq")).toList();
            List<String> ids = history.stream().map(e -> e.getString("id")).toList();
            for (FollowingClient client : clients) {
                JarCluster.assertSame(seqs, client.seqs(TYPE), client.name() + ": every event once, in order");
                JarCluster.assertSame(ids, client.ids(TYPE), client.name() + ": the events history holds");
                assertEquals(List.of(), client.problems(), client.name() + ": no err, no seq out of order or twice, no epoch change");
                assertEquals(2, client.connects(), client.name() + ": one reconnect, never cut on the survivors " + client.closes());
                assertTrue(client.port() == cluster.http(1) || client.port() == cluster.http(2), client.name() + " is on a survivor");
            }
            assertEquals(CLIENTS / 2, clients.stream().filter(c -> c.port() == cluster.http(1)).count(), "half the storm on each survivor");
            clients.forEach(FollowingClient::close);
        }
    }

    /** Publishes {@code count} events of {@link #TYPE} in one batch (retried while the cluster settles after a kill); answers the last seq. */
    static long publishBatch(int port, int count) throws InterruptedException {
        JsonArray events = new JsonArray();
        for (int i = 0; i < count; i++) {
            events.add(new JsonObject().put("type", TYPE).put("data", new JsonObject().put("orderId", "o-" + i).put("customerId", "c-1")
                    .put("total", 42.5).put("note", "x".repeat(100))));
        }
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (true) {
            TestNodes.Response response = TestNodes.http("POST", port, "/api/events/batch", "Bearer " + HeraldConfig.DEV_API_KEY,
                    new JsonObject().put("events", events).encode());
            if (response.status() == 202) {
                JsonArray results = response.json().getJsonArray("results");
                return results.getJsonObject(results.size() - 1).getLong("seq");
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("the batch was not accepted: " + response.status() + " " + response.body());
            }
            Thread.sleep(100);
        }
    }
}
