package io.herald;

import io.herald.config.HeraldConfig;
import io.herald.testing.NodeScripts;
import io.herald.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Herald's own browser client, herald.js as a node serves it, in a real Chromium (src/test/js/herald-browser.mjs,
 * playwright-core driving Debian's /usr/bin/chromium): two clustered nodes, A a separate JVM (the jar) that is
 * killed with SIGKILL under the page, B in this JVM. Needs {@code npm ci} in src/test/js and chromium.
 */
class HeraldJsIT {
    static final String JAVA = ProcessHandle.current().info().command().orElse("java");
    static HeraldNode nodeB;
    static NodeProcessIT.Running nodeA;
    static int portA;

    @BeforeAll
    static void startNodes() throws Exception {
        NodeScripts.requireInstalled();
        assertTrue(Files.isDirectory(NodeScripts.DIR.resolve("node_modules/playwright-core")), "run `npm ci --prefix src/test/js` first");
        assertTrue(Files.isExecutable(Path.of("/usr/bin/chromium")), "install chromium (.ci/run does)");
        String cluster = TestNodes.uniqueClusterName();
        int hazelcastA = TestNodes.freePort();
        int hazelcastB = TestNodes.freePort();
        nodeB = TestNodes.startClustered(cluster, hazelcastB, List.of(hazelcastA, hazelcastB));
        portA = TestNodes.freePort();
        nodeA = NodeProcessIT.run(Map.of(HeraldConfig.ENV_HTTP_PORT, String.valueOf(portA), HeraldConfig.ENV_DEMO, "false",
                HeraldConfig.ENV_CLUSTER_CONFIG, clusterXml(cluster, hazelcastA, List.of(hazelcastA, hazelcastB)).toString()));
        nodeA.awaitLine("up on port " + portA + " (cluster of 2)");
    }

    @AfterAll
    static void stopNodes() {
        if (nodeA != null) {
            nodeA.process().destroyForcibly();
        }
        if (nodeB != null) {
            nodeB.close().await();
        }
    }

    /** cluster.xml for a jar node of the test's cluster: its own name, the member's port, the members' ports. */
    static Path clusterXml(String cluster, int port, List<Integer> members) throws IOException {
        StringBuilder list = new StringBuilder();
        members.forEach(p -> list.append("<member>127.0.0.1:").append(p).append("</member>"));
        String xml = Files.readString(TestNodes.CLUSTER_XML)
                .replace("<cluster-name>herald</cluster-name>", "<cluster-name>" + cluster + "</cluster-name>")
                .replace("<port auto-increment=\"true\" port-count=\"20\">5701</port>", "<port auto-increment=\"false\">" + port + "</port>")
                .replace("<member>127.0.0.1</member>", list);
        Path file = Files.createTempFile("herald-cluster", ".xml");
        Files.writeString(file, xml);
        file.toFile().deleteOnExit();
        return file;
    }

    static String url(int port) {
        return "http://127.0.0.1:" + port;
    }

    @Test
    void thePageOfAKilledNodeGetsEveryEventOnceAndInOrder() throws Exception {
        String type = "inventory:updated";
        JsonObject args = new JsonObject()
                .put("urls", new JsonArray().add(url(portA)).add(url(nodeB.port())))
                .put("token", TestNodes.token(nodeB, "staff-1", "staff"))
                .put("apiKey", nodeB.config().apiKey())
                .put("publishUrl", url(nodeB.port()))
                .put("type", type)
                .put("pid", nodeA.process().pid());
        JsonObject observed = NodeScripts.run("herald-browser.mjs", "kill", args.encode());
        assertTrue(nodeA.process().waitFor(10, TimeUnit.SECONDS), "node A is dead");
        JsonObject seen = observed.getJsonObject("seen");
        String output = seen.encode();

        // every event in seq order, none twice, none missing: from the first the page got to the last published
        List<Long> seqs = new ArrayList<>();
        seen.getJsonArray("events").forEach(e -> seqs.add(((JsonObject) e).getLong("seq")));
        for (int i = 1; i < seqs.size(); i++) {
            assertEquals(seqs.get(i - 1) + 1, seqs.get(i), "events in order, once, without gaps: " + seqs);
        }
        Set<Long> got = new HashSet<>(seqs);
        long published = 0;
        for (Object p : observed.getJsonArray("published")) {
            Long seq = ((JsonObject) p).getLong("seq");
            if (seq != null) {
                published++;
                assertTrue(got.contains(seq), "published seq " + seq + " reached the page: " + seqs);
            }
        }
        assertTrue(published >= 60, "events were published before, during and after the kill: " + published);
        assertTrue(seen.getJsonArray("recoveryIncomplete").isEmpty(), output);

        // the status indicator went from open through reconnecting back to open
        List<String> indicator = seen.getJsonArray("indicator").getList();
        int reconnecting = indicator.indexOf("reconnecting");
        assertTrue(indicator.indexOf("open") >= 0 && reconnecting > indicator.indexOf("open"), "indicator: " + indicator);
        assertEquals("open", indicator.get(indicator.size() - 1), "indicator: " + indicator);
        assertEquals("connection_lost", seen.getJsonArray("statuses").stream().map(s -> (JsonObject) s)
                .filter(s -> "reconnecting".equals(s.getString("status"))).findFirst().orElseThrow().getString("reason"));
        assertNotNull(observed.getLong("recoveryMs"));
        System.out.println("HeraldJsIT: page back with every missed event " + observed.getLong("recoveryMs") + " ms after SIGKILL ("
                + (observed.getLong("backAt") - observed.getLong("killAt")) + " ms to reconnect)");
    }

    @Test
    void everySockJsTransportWorksInChromium() throws Exception {
        List<String> transports = List.of("websocket", "xhr-streaming", "xhr-polling");
        JsonObject args = new JsonObject()
                .put("url", url(nodeB.port()))
                .put("token", TestNodes.token(nodeB, "c-4001", "customer"))
                .put("apiKey", nodeB.config().apiKey())
                .put("transports", new JsonArray(transports));
        JsonObject observed = NodeScripts.run("herald-browser.mjs", "transports", args.encode());
        for (String transport : transports) {
            JsonObject result = observed.getJsonObject(transport);
            String output = result.encode();
            assertEquals(transport, result.getString("transport"), output);
            JsonArray events = result.getJsonObject("seen").getJsonArray("events");
            assertEquals(3, events.size(), output);
            for (int i = 0; i < 3; i++) {
                assertEquals(result.getJsonArray("published").getJsonObject(i).getLong("seq"), events.getJsonObject(i).getLong("seq"), output);
                assertEquals(i + 1, events.getJsonObject(i).getInteger("n"), output);
            }
            JsonObject refusedRegister = result.getJsonObject("seen").getJsonArray("errors").getJsonObject(0);
            assertEquals("access_denied", refusedRegister.getString("code"), output);
            assertEquals("payment:received", refusedRegister.getString("address"), output);
            assertFalse(result.getJsonObject("reply").getString("id", "").isEmpty(), output);
            assertEquals(new JsonObject().put("code", "access_denied").put("status", 403), result.getJsonObject("refusedPublish"), output);
            assertEquals("closed", result.getString("statusAfterClose"), output);
        }
    }
}
