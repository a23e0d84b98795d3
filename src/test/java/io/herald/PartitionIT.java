package io.herald;

import io.herald.config.HeraldConfig;
import io.herald.testing.FollowingClient;
import io.herald.testing.TestNodes;
import io.herald.testing.Followers;
import io.herald.testing.NetNamespaces;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A network partition: three nodes from the jar, each in its own network namespace on one bridge (made and removed
 * by the test; it needs root, and is skipped otherwise), {@code cluster.minMembers} 2. Node 2 is cut off from the
 * others (routes that drop what goes between them; the test's clients still reach every node). The majority keeps
 * serving; node 2 is not ready, answers publishes with 503 {@code unavailable} and sends its clients away with
 * {@code unavailable} (1013, reconnect). Once the network heals and Hazelcast merges the sides, node 2 serves again
 * with the majority's {@code seq} and history, and every client has every event once, in order.
 */
class PartitionIT {
    static final String TYPE = "order:created";
    static final int NODES = 3;
    static final int HTTP_PORT = 8080;
    static final int HAZELCAST_PORT = 5701;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    /** Whether this process may make network namespaces (root with CAP_NET_ADMIN): tried, then removed. */
    static boolean canMakeNamespaces() {
        return NetNamespaces.possible("h");
    }

    static NodeProcessIT.Running startIn(NetNamespaces net, int i, Path clusterXml) throws Exception {
        List<String> command = List.of("ip", "netns", "exec", net.ns(i), NodeProcessIT.JAVA, "-jar", NodeProcessIT.JAR.toAbsolutePath().toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("HERALD_"));
        builder.environment().putAll(Map.of(HeraldConfig.ENV_HTTP_PORT, String.valueOf(HTTP_PORT), HeraldConfig.ENV_DEMO, "false",
                HeraldConfig.ENV_CLUSTER_CONFIG, clusterXml.toString(), "HERALD_HTTP_HOST", net.ip(i), "HERALD_CLUSTER_HOST", net.ip(i),
                "HERALD_CLUSTER_MIN_MEMBERS", "2"));
        NodeProcessIT.Running node = NodeProcessIT.Running.follow(builder.start());
        node.awaitLine("up on port " + HTTP_PORT + " (cluster of " + (i + 1) + ")");
        return node;
    }

    static Path clusterXml(NetNamespaces net) throws IOException {
        StringBuilder members = new StringBuilder();
        for (int i = 0; i < NODES; i++) {
            members.append("<member>").append(net.ip(i)).append(':').append(HAZELCAST_PORT).append("</member>");
        }
        String xml = Files.readString(TestNodes.CLUSTER_XML)
                .replace("<cluster-name>herald</cluster-name>", "<cluster-name>" + TestNodes.uniqueClusterName() + "</cluster-name>")
                .replace("<port auto-increment=\"true\" port-count=\"20\">5701</port>", "<port auto-increment=\"false\">" + HAZELCAST_PORT + "</port>")
                .replace("<member>127.0.0.1</member>", members.toString())
                .replace("<interface>127.0.0.1</interface>", "<interface>" + net.subnet + ".*</interface>");
        Path file = Files.createTempFile("herald-partition", ".xml");
        Files.writeString(file, xml);
        file.toFile().deleteOnExit();
        return file;
    }

    static TestNodes.Response http(NetNamespaces net, int i, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + net.ip(i) + ":" + HTTP_PORT + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + HeraldConfig.DEV_API_KEY)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new TestNodes.Response(response.statusCode(), response.body());
    }

    static TestNodes.Response publish(NetNamespaces net, int i, int n) throws Exception {
        return http(net, i, "POST", "/api/events", new JsonObject().put("type", TYPE)
                .put("data", new JsonObject().put("orderId", "o-" + n).put("customerId", "c-1")).encode());
    }

    static JsonObject ready(NetNamespaces net, int i) throws Exception {
        TestNodes.Response ready = http(net, i, "GET", "/ready", null);
        return ready.json().put("httpStatus", ready.status());
    }

    /** Members as the node's /ready says, or -1 while its check does not answer in time. */
    static int members(NetNamespaces net, int i) throws Exception {
        JsonObject data = HealthIT.check(ready(net, i), "cluster").getJsonObject("data");
        return data == null ? -1 : data.getInteger("members", -1);
    }

    static JsonArray history(NetNamespaces net, int i) throws Exception {
        TestNodes.Response page = http(net, i, "GET", "/api/history/" + TYPE + "?since=0&limit=1000", null);
        assertEquals(200, page.status(), page.body());
        return page.json().getJsonArray("events");
    }

    interface Check {
        boolean holds() throws Exception;
    }

    static void awaitUpTo(long seconds, String what, Check check) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            try {
                if (check.holds()) {
                    return;
                }
            } catch (IOException notNow) {
                // a node not answering yet
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + seconds + " s: " + what);
            }
            Thread.sleep(100);
        }
    }

    @Test
    void theMajorityKeepsServingTheCutOffNodeSendsItsClientsAwayAndRejoinsWithTheMajoritysHistory() throws Exception {
        Assumptions.assumeTrue(canMakeNamespaces(), "skipped: PartitionIT makes network namespaces (ip netns), which needs root "
                + "with CAP_NET_ADMIN; this process may not");
        try (NetNamespaces net = new NetNamespaces("h", 231, NODES).create(); Followers followers = new Followers()) {
            partition(net, followers);
        }
    }

    private void partition(NetNamespaces net, Followers followers) throws Exception {
        List<NodeProcessIT.Running> nodes = new ArrayList<>();
        List<FollowingClient> clients = new ArrayList<>();
        try {
            Path xml = clusterXml(net);
            for (int i = 0; i < NODES; i++) {
                nodes.add(startIn(net, i, xml));
            }
            List<String> hosts = new ArrayList<>();
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < NODES; i++) {
                hosts.add(net.ip(i));
                ports.add(HTTP_PORT);
            }
            awaitUpTo(60, "every node ready", () -> ready(net, 0).getInteger("httpStatus") == 200
                    && ready(net, 1).getInteger("httpStatus") == 200 && ready(net, 2).getInteger("httpStatus") == 200);
            clients.addAll(followers.start("n", 2 * NODES, "admin", List.of(TYPE), i -> hosts, i -> ports, i -> i % NODES, 30));
            List<FollowingClient> onCut = clients.stream().filter(c -> c.node() == 2).toList();
            int n = 0;
            for (int i = 0; i < 10; i++) {
                assertEquals(202, publish(net, i % NODES, ++n).status());
            }

            long cutAt = System.nanoTime();
            net.cut(2, "add");
            awaitUpTo(30, "node 2 alone, the others two", () -> members(net, 2) == 1 && members(net, 0) == 2 && members(net, 1) == 2);
            long splitMs = (System.nanoTime() - cutAt) / 1_000_000;
            JsonObject cutReady = ready(net, 2);
            assertEquals(503, cutReady.getInteger("httpStatus"), "the cut-off node is not ready");
            assertEquals(200, ready(net, 0).getInteger("httpStatus"), "the majority is");
            TestNodes.Response refused = publish(net, 2, 0);
            assertEquals(503, refused.status(), refused.body());
            assertEquals("unavailable", refused.json().getString("error"));
            awaitUpTo(30, "node 2's clients sent to the majority", () -> onCut.stream().allMatch(c -> c.node() == 0 || c.node() == 1));
            for (FollowingClient client : onCut) {
                assertTrue(client.closes().contains("1013 unavailable"), client.name() + " told to go elsewhere: " + client.closes());
            }
            for (int i = 0; i < 20; i++) {
                assertEquals(202, publish(net, i % 2, ++n).status(), "the majority keeps publishing");
            }
            int beforeHeal = n;
            awaitUpTo(30, "every client has the majority's events", () -> clients.stream().allMatch(c -> c.lastSeq(TYPE) == beforeHeal));

            long healAt = System.nanoTime();
            net.cut(2, "del");
            awaitUpTo(90, "the sides merged and node 2 ready again", () -> members(net, 2) == 3 && ready(net, 2).getInteger("httpStatus") == 200);
            long mergeMs = (System.nanoTime() - healAt) / 1_000_000;
            for (int i = 0; i < 9; i++) {
                TestNodes.Response after = publish(net, i % NODES, ++n);
                assertEquals(202, after.status(), after.body());
            }
            int total = n;
            awaitUpTo(30, "every client has every event", () -> clients.stream().allMatch(c -> c.lastSeq(TYPE) == total));
            List<Long> expected = LongStream.rangeClosed(1, total).boxed().toList();
            JsonArray kept = history(net, 0);
            assertEquals(kept, history(net, 2), "the rejoined node serves the majority's history");
            JarCluster.assertSame(expected, kept.stream().map(e -> ((JsonObject) e).getLong("seq")).toList(), "history");
            assertEquals(1, kept.stream().map(e -> ((JsonObject) e).getString("epoch")).distinct().count(), "one epoch");
            for (FollowingClient client : clients) {
                JarCluster.assertSame(expected, client.seqs(TYPE), client.name() + ": every event once, in order");
                assertEquals(List.of(), client.problems());
            }

            FollowingClient back = new FollowingClient(followers.vertx(), "back", hosts, ports, 2, followers.token("u-back", "admin"), List.of(TYPE))
                    .start();
            clients.add(back);
            awaitUpTo(30, "a client of the rejoined node", () -> back.registered() && back.node() == 2);
            awaitUpTo(30, "presence and stats on the majority count the rejoined node's client", () -> {
                JsonObject presence = http(net, 0, "GET", "/api/presence", null).json();
                JsonObject stats = http(net, 0, "GET", "/api/stats", null).json();
                return presence.encode().contains("u-back") && stats.getJsonObject("totals").getLong("connections") == clients.size();
            });
            System.out.printf("partition: node 2 cut off -> alone after %d ms (503 to publishes, its %d clients sent to the majority); "
                    + "healed -> merged and ready after %d ms; %d events, seq and history the majority's%n", splitMs, onCut.size(), mergeMs, total);
        } finally {
            clients.forEach(FollowingClient::close);
            for (NodeProcessIT.Running node : nodes) {
                node.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
