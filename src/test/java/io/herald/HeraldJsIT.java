package io.herald;

import io.herald.node.HeraldNode;

import io.herald.testing.NodeScripts;
import io.herald.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
        // two nodes, one of them killed: by default the survivor would be 1 of 2 voting members, no majority, and stop
        // (docs/cluster.md); this test is about the client, so both run with the explicit override
        nodeB = TestNodes.startClustered(cluster, hazelcastB, List.of(hazelcastA, hazelcastB), json -> json.getJsonObject("cluster").put("minMembers", 1));
        portA = TestNodes.freePort();
        nodeA = NodeProcessIT.joinCluster(cluster, List.of(hazelcastB), portA, hazelcastA, Map.of("HERALD_CLUSTER_MIN_MEMBERS", "1"));
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
        // the last event was only for the room 'dashboard', which the page joined on node A: it is in it on B too
        JsonArray events = seen.getJsonArray("events");
        JsonObject targeted = observed.getJsonArray("published").getJsonObject(observed.getJsonArray("published").size() - 1);
        assertEquals("dashboard", targeted.getString("room"));
        assertEquals(targeted.getLong("seq"), events.getJsonObject(events.size() - 1).getLong("seq"), output);

        // the status indicator went from open through reconnecting back to open
        List<String> indicator = new ArrayList<>();
        seen.getJsonArray("indicator").forEach(text -> indicator.add((String) text));
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

    @Test
    void roomsAndPresenceInChromium() throws Exception {
        JsonObject args = new JsonObject()
                .put("url", url(nodeB.port()))
                .put("user", "staff-21")
                .put("token", TestNodes.token(nodeB, "staff-21", "staff", "s-1", List.of(), 3600))
                .put("apiKey", nodeB.config().apiKey());
        JsonObject observed = NodeScripts.run("herald-browser.mjs", "rooms", args.encode());
        String output = observed.encode();
        assertEquals(new JsonObject().put("room", "store:s-1").put("joined", true), observed.getJsonObject("joined"), output);
        assertEquals(new JsonObject().put("code", "access_denied").put("status", 403), observed.getJsonObject("refused"), output);
        assertEquals("store:s-1", observed.getJsonObject("presence").getString("room"), output);
        assertEquals(new JsonObject().put("room", "store:s-1").put("joined", false), observed.getJsonObject("left"), output);
    }

    @Test
    void reactBindingsWithReactTestingLibraryAndTheTokenRules() throws Exception {
        JsonObject args = new JsonObject()
                .put("url", url(nodeB.port()))
                .put("apiKey", nodeB.config().apiKey())
                .put("jwtSecret", nodeB.config().auth().jwtSecret())
                .put("java", JAVA)
                .put("jar", NodeProcessIT.JAR.toAbsolutePath().toString())
                .put("root", Path.of("").toAbsolutePath().toString());
        JsonObject observed = NodeScripts.run("herald-node.mjs", args.encode());

        // useEvent: the handler is a new closure each render, the latest one runs, and the type was subscribed once
        JsonObject useEvent = observed.getJsonObject("react").getJsonObject("useEvent");
        assertEquals(new JsonArray().add("first:1").add("second:2"), useEvent.getJsonArray("items"), useEvent.encode());
        assertEquals(1, useEvent.getInteger("onCalls"), useEvent.encode());
        assertTrue(useEvent.getInteger("renders") >= 3, useEvent.encode());
        assertEquals(new JsonArray().add("Live").add("Disconnected"), useEvent.getJsonArray("statusTexts"));
        assertEquals("true", useEvent.getString("connected"));
        assertEquals("false", useEvent.getString("connectedAfterClose"));
        JsonObject useEvents = observed.getJsonObject("react").getJsonObject("useEvents");
        assertEquals(new JsonArray().add("created A-1").add("updated A-1"), useEvents.getJsonArray("lines"));
        assertEquals("closed", useEvents.getString("statusAfterUnmount"), "the provider closes the client it made");
        // usePresence: nobody in the room at first, then the user who joined (presence:joined asks again)
        JsonObject usePresence = observed.getJsonObject("react").getJsonObject("usePresence");
        assertEquals("nobody", usePresence.getString("before"));
        assertEquals("staff-12", usePresence.getString("after"));
        // useTyping: another member's typing shows until it expires or stops, never the hook's own; a later join's
        // reply carries the current signals (handed to onSignal too)
        JsonObject useTyping = observed.getJsonObject("react").getJsonObject("useTyping");
        assertEquals("staff-21:{\"typing\":true}", useTyping.getString("heardByWriter"), useTyping.encode());
        assertEquals("staff-22", useTyping.getString("during"), useTyping.encode());
        assertEquals("quiet", useTyping.getString("afterExpiry"));
        assertTrue(useTyping.getBoolean("expiredInTime"), "gone at its expiresAt, not before: " + useTyping.encode());
        assertTrue(useTyping.getBoolean("joinReplyHasWriter"), useTyping.encode());
        assertTrue(useTyping.getBoolean("lateHeardWriter"), useTyping.encode());
        assertEquals("quiet", useTyping.getString("afterStop"));
        assertTrue(useTyping.getBoolean("stoppedBeforeExpiry"), useTyping.encode());

        // a fixed token the hub refuses: closed with the hub's reason, no reconnect
        JsonObject refused = observed.getJsonObject("refused");
        assertEquals(new JsonObject().put("reason", "token_invalid").put("code", 4102)
                .put("message", "token rejected: bad signature, algorithm, format or claims").put("reconnect", false), refused.getJsonObject("closeInfo"));
        assertEquals(List.of("open", "closed"), statuses(refused.getJsonObject("seen")));
        // a token function is asked again after a refusal, and its new token connects
        JsonObject recovers = observed.getJsonObject("recovers");
        assertEquals(2, recovers.getInteger("calls"));
        assertEquals(List.of("open", "reconnecting", "open", "closed"), statuses(recovers.getJsonObject("seen")));
        // 4-second tokens, refreshed over the open connection: it outlives two of them
        JsonObject refresh = observed.getJsonObject("refresh");
        assertTrue(refresh.getInteger("calls") >= 3, refresh.encode());
        assertEquals(List.of("open", "closed"), statuses(refresh.getJsonObject("seen")), refresh.encode());
        assertEquals(new JsonArray().add(1), refresh.getJsonObject("seen").getJsonArray("events"));

        // a restarted unclustered node: shutdown close, then recovery incomplete, then the new stream from seq 1
        JsonObject restart = observed.getJsonObject("restart");
        assertEquals("shutdown", restart.getJsonArray("statuses").getJsonObject(1).getString("reason"), restart.encode());
        assertEquals(new JsonArray().add(new JsonObject().put("type", "order:updated").put("code", "recovery_incomplete")),
                restart.getJsonArray("recoveryIncomplete"));
        JsonArray events = restart.getJsonArray("events");
        assertEquals(2, events.size(), restart.encode());
        assertEquals(1, events.getJsonObject(1).getLong("seq"));
        assertTrue(events.getJsonObject(1).getString("epoch").compareTo(events.getJsonObject(0).getString("epoch")) > 0);
    }

    /**
     * Refused at connect over each SockJS transport (herald-refusals.mjs, plain Node): over WebSocket the client decides
     * from the close code's range, over the fallback transports (closed with 3000) from the err frame before the close;
     * the outcome is the same on all three. Over the fallback transports a revoked token used to look like a lost
     * connection (retried forever), and over xhr-polling the err frame was dropped by the session's close.
     */
    @Test
    void refusalsEndAlikeOnEverySockJsTransport() throws Exception {
        List<String> transports = List.of("websocket", "xhr-streaming", "xhr-polling");
        JsonObject args = new JsonObject()
                .put("url", url(nodeB.port()))
                .put("apiKey", nodeB.config().apiKey())
                .put("jwtSecret", nodeB.config().auth().jwtSecret())
                .put("transports", new JsonArray(transports));
        JsonObject observed = NodeScripts.run("herald-refusals.mjs", args.encode());
        for (String transport : transports) {
            JsonObject result = observed.getJsonObject(transport);
            String output = transport + ": " + result.encode();
            JsonObject fixed = result.getJsonObject("fixed");
            assertEquals(new JsonObject().put("reason", "token_invalid").put("code", 4102)
                    .put("message", "token rejected: bad signature, algorithm, format or claims").put("reconnect", false), fixed.getJsonObject("closeInfo"), output);
            assertEquals(List.of("open", "closed"), statuses(fixed.getJsonObject("seen")), output);
            JsonObject fn = result.getJsonObject("fn");
            assertEquals(transport, fn.getString("transport").replace("xhr_streaming", "xhr-streaming"), output);
            assertEquals(2, fn.getInteger("calls"), output);
            assertEquals(List.of("open", "reconnecting", "open", "closed"), statuses(fn.getJsonObject("seen")), output);
            JsonObject revoked = result.getJsonObject("revoked");
            assertEquals("revoked", revoked.getJsonObject("closeInfo").getString("reason"), output);
            assertEquals(4103, revoked.getJsonObject("closeInfo").getInteger("code"), output);
            assertEquals(false, revoked.getJsonObject("closeInfo").getBoolean("reconnect"), output);
            assertEquals(List.of("open", "closed"), statuses(revoked.getJsonObject("seen")), output);
            assertEquals(List.of("token_revoked"), revoked.getJsonObject("seen").getJsonArray("errors").getList(), output);
        }
    }

    /**
     * The statuses a client went through, less any connection lost and opened again on the way: under load a SockJS
     * polling transport may lose its first attempt before the server's close reaches it (CI, xhr-polling: open,
     * reconnecting connection_lost, open, closed token_invalid); what is asserted is how each refusal ends.
     */
    static List<String> statuses(JsonObject seen) {
        List<String> list = new ArrayList<>();
        JsonArray all = seen.getJsonArray("statuses");
        for (int i = 0; i < all.size(); i++) {
            JsonObject status = all.getJsonObject(i);
            if ("reconnecting".equals(status.getString("status")) && "connection_lost".equals(status.getString("reason"))
                    && i + 1 < all.size() && "open".equals(all.getJsonObject(i + 1).getString("status"))) {
                i++; // and the open that followed
                continue;
            }
            list.add(status.getString("status"));
        }
        return list;
    }

    @Test
    void everyNodeServesTheClientAndTheCatalogsTypings() throws Exception {
        TestNodes.Response script = TestNodes.http("GET", nodeB.port(), "/client/herald.js", null, null);
        assertEquals(200, script.status());
        assertTrue(script.body().contains("export{") || script.body().contains("export {"), "an ES module");
        TestNodes.Response react = TestNodes.http("GET", portA, "/client/react.js", null, null);
        assertEquals(200, react.status());
        assertTrue(react.body().contains("from\"./herald.js\"") || react.body().contains("from \"./herald.js\""), "shares herald.js");

        TestNodes.Response served = TestNodes.http("GET", nodeB.port(), "/client/herald.d.ts", null, null);
        assertEquals(200, served.status());
        Path written = Files.createTempDirectory("herald-types").resolve("herald.d.ts");
        NodeProcessIT.Running types = NodeProcessIT.run(Map.of(), "types", written.toString());
        assertTrue(types.process().waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, types.process().exitValue(), String.join("\n", types.seen()));
        assertEquals(served.body(), Files.readString(written), "the types command writes what nodes serve");
        assertTrue(served.body().contains("export type OrdersEventType =\n  | 'order:created'"), served.body());

        // tsc: the typed example compiles; a wrong event name does not, in plain TypeScript and in a React hook
        JsonObject checked = NodeScripts.run("herald-types.mjs", written.toString());
        JsonObject generated = checked.getJsonObject("generated");
        assertEquals(new JsonArray(), generated.getJsonArray("app.tsx"), checked.encode());
        assertEquals(new JsonArray().add("Argument of type '\"order:craeted\"' is not assignable to parameter of type 'EventType'."),
                generated.getJsonArray("wrong-event.ts"));
        assertEquals(new JsonArray().add("Argument of type '\"payment:recieved\"' is not assignable to parameter of type 'EventType'."),
                generated.getJsonArray("wrong-event-react.tsx"));
        // the package's own typings (without a catalog) take any event name
        assertEquals(new JsonArray(), checked.getJsonObject("package").getJsonArray("wrong-event.ts"), checked.encode());
        assertEquals(new JsonArray(), checked.getJsonObject("package").getJsonArray("wrong-event-react.tsx"), checked.encode());
    }
}
