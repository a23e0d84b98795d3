package io.herald;

import io.herald.auth.TokenMinter;
import io.herald.config.HeraldConfig;
import io.herald.testing.FollowingClient;
import io.herald.testing.HttpPublisher;
import io.herald.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Herald jars as one cluster on loopback, each node in its own JVM on its own HTTP and Hazelcast ports (from the OS),
 * for the failover, rolling-restart and partition ITs: start, SIGKILL, SIGTERM, start again on the same ports,
 * and the ops APIs read over HTTP.
 */
final class JarCluster implements AutoCloseable {
    final String name = TestNodes.uniqueClusterName();
    final List<Integer> httpPorts = new ArrayList<>();
    final List<Integer> hazelcastPorts = new ArrayList<>();
    private final NodeProcessIT.Running[] nodes;
    private final Map<String, String> env;
    /** Per node, on top of {@link #env} (the mixed-version test starts some nodes on the previous wire version). */
    private final Map<Integer, Map<String, String>> nodeEnv = new HashMap<>();

    JarCluster(int size, Map<String, String> env) {
        this.nodes = new NodeProcessIT.Running[size];
        this.env = env;
        for (int i = 0; i < size; i++) {
            httpPorts.add(TestNodes.freePort());
            hazelcastPorts.add(TestNodes.freePort());
        }
    }

    /** Starts the nodes one after the other, each joining those before it. */
    JarCluster startAll() throws Exception {
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = NodeProcessIT.joinCluster(name, hazelcastPorts.subList(0, i), httpPorts.get(i), hazelcastPorts.get(i), envOf(i));
        }
        return this;
    }

    /** Starts node {@code i} again on its ports, joining every other node (which must be running). */
    void restart(int i) throws Exception {
        List<Integer> others = new ArrayList<>(hazelcastPorts);
        others.remove(i);
        nodes[i] = NodeProcessIT.joinCluster(name, others, httpPorts.get(i), hazelcastPorts.get(i), envOf(i));
    }

    /** Node {@code i} starts and restarts with {@code extra} on top of the cluster's environment, from now on. */
    JarCluster env(int i, Map<String, String> extra) {
        nodeEnv.put(i, extra);
        return this;
    }

    private Map<String, String> envOf(int i) {
        Map<String, String> all = new HashMap<>(env);
        all.putAll(nodeEnv.getOrDefault(i, Map.of()));
        return all;
    }

    int size() {
        return nodes.length;
    }

    int http(int i) {
        return httpPorts.get(i);
    }

    NodeProcessIT.Running node(int i) {
        return nodes[i];
    }

    /** SIGKILL: the process dies at once, its sockets reset by the OS. */
    void kill(int i) throws InterruptedException {
        nodes[i].process().destroyForcibly();
        nodes[i].process().waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM and wait for the exit; answers the node's last words (its shutdown lines). */
    List<String> terminate(int i) throws InterruptedException {
        nodes[i].process().toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of its output
        if (!nodes[i].process().waitFor(60, TimeUnit.SECONDS)) {
            throw new AssertionError("node " + i + " did not exit within 60 s of SIGTERM");
        }
        List<String> last = new ArrayList<>();
        for (String line; (line = nodes[i].lines().poll(1, TimeUnit.SECONDS)) != null; ) {
            last.add(line); // what the output reader had not taken yet when the process ended
        }
        return last;
    }

    boolean alive(int i) {
        return nodes[i] != null && nodes[i].process().isAlive();
    }

    TestNodes.Response get(int i, String path) {
        return TestNodes.http("GET", http(i), path, "Bearer " + HeraldConfig.DEV_API_KEY, null);
    }

    /** The node's Hazelcast member id, as its /health says. */
    String nodeId(int i) {
        return get(i, "/health").json().getString("node");
    }

    JsonObject readyCluster(int i) {
        return HealthIT.check(get(i, "/ready").json(), "cluster").getJsonObject("data");
    }

    /**
     * One started publisher a node ({@code p0}, {@code p1}, …), each to its own node or, while that one is out of the
     * load balancer ({@code up} false), to the next node that is in (-1 while none is).
     */
    List<HttpPublisher> publishersToUpNodes(boolean[] up, List<String> types, long pauseMs) {
        List<HttpPublisher> publishers = new ArrayList<>();
        for (int i = 0; i < size(); i++) {
            int home = i;
            publishers.add(new HttpPublisher("p" + i, () -> {
                for (int k = 0; k < up.length; k++) {
                    int node = (home + k) % up.length;
                    if (up[node]) {
                        return http(node);
                    }
                }
                return -1;
            }, types, pauseMs).start());
        }
        return publishers;
    }

    /** Every running node ready and the cluster safe: every partition's backup in sync, nothing migrating. */
    boolean readyAndSafe() {
        for (int i = 0; i < nodes.length; i++) {
            if (alive(i)) {
                TestNodes.Response ready = get(i, "/ready");
                if (ready.status() != 200 || !HealthIT.check(ready.json(), "cluster").getJsonObject("data").getBoolean("safe")) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Every event of {@code type} history holds, read through node {@code i}, oldest first. */
    List<JsonObject> history(int i, String type) {
        List<JsonObject> all = new ArrayList<>();
        long since = 0;
        while (true) {
            TestNodes.Response page = get(i, "/api/history/" + type + "?since=" + since + "&limit=1000");
            if (page.status() != 200) {
                throw new AssertionError("history answered " + page.status() + " " + page.body());
            }
            JsonArray events = page.json().getJsonArray("events");
            events.forEach(e -> all.add((JsonObject) e));
            if (!page.json().getBoolean("more", false) || events.isEmpty()) {
                return all;
            }
            since = page.json().getLong("next");
        }
    }

    /**
     * What the failover and rolling-restart tests assert once publishing stopped: history (read through {@code node})
     * holds seq 1..N of each type, in one epoch, every event a publisher had answered 202 and, unless a publisher's
     * node died under a request, nothing else; every client received exactly those events, once, in order, with
     * no problem. Answers how many events history holds.
     */
    int assertEveryClientHasEveryEvent(int node, List<String> types, List<HttpPublisher> publishers, List<FollowingClient> clients)
            throws InterruptedException {
        Map<String, List<JsonObject>> history = new HashMap<>();
        for (String type : types) {
            history.put(type, history(node, type));
        }
        awaitUpTo(30, "every client has every event", () -> clients.stream().allMatch(c ->
                types.stream().allMatch(type -> c.lastSeq(type) >= history.get(type).size())));
        boolean ambiguous = publishers.stream().anyMatch(p -> !p.unanswered().isEmpty());
        int total = 0;
        for (String type : types) {
            List<JsonObject> kept = history.get(type);
            total += kept.size();
            List<Long> seqs = kept.stream().map(e -> e.getLong("seq")).toList();
            assertSame(LongStream.rangeClosed(1, kept.size()).boxed().toList(), seqs, type + ": history holds seq 1.." + kept.size());
            assertEquals(1, kept.stream().map(e -> e.getString("epoch")).distinct().count(), type + ": one epoch");
            Set<String> keptIds = new HashSet<>(kept.stream().map(e -> e.getString("id")).toList());
            int accepted = 0;
            for (HttpPublisher publisher : publishers) {
                List<String> ids = publisher.accepted().get(type);
                assertTrue(keptIds.containsAll(ids), type + ": history holds every event answered 202");
                accepted += ids.size();
            }
            if (!ambiguous) {
                assertEquals(accepted, kept.size(), type + ": history holds nothing but the accepted events");
            }
            List<String> ids = kept.stream().map(e -> e.getString("id")).toList();
            for (FollowingClient client : clients) {
                assertSame(seqs, client.seqs(type), client.name() + " " + type + ": every event once, in order");
                assertSame(ids, client.ids(type), client.name() + " " + type + ": the events history holds");
            }
        }
        for (FollowingClient client : clients) {
            assertEquals(List.of(), client.problems(), "no err, no seq out of order or twice, no epoch change");
        }
        return total;
    }

    /** Equal lists, or a failure naming the first difference (not thousands of numbers). */
    static <T> void assertSame(List<T> expected, List<T> actual, String what) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                throw new AssertionError(what + ": at " + i + " expected " + expected.get(i) + ", got " + actual.get(i)
                        + " (" + actual.subList(Math.max(0, i - 3), Math.min(actual.size(), i + 4)) + ")");
            }
        }
        if (expected.size() != actual.size()) {
            throw new AssertionError(what + ": expected " + expected.size() + " items, got " + actual.size());
        }
    }

    static String token(Vertx vertx, String userId, String role) {
        return new TokenMinter(vertx, TestNodes.config(json -> { }).auth()).mint(userId, role, null, List.of(), 3600);
    }

    static void awaitUpTo(long seconds, String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + seconds + " s: " + what);
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() {
        for (NodeProcessIT.Running node : nodes) {
            if (node != null) {
                node.process().destroyForcibly();
            }
        }
    }
}
