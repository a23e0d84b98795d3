package io.herald;

import io.herald.node.HeraldNode;
import io.herald.testing.BridgeClient;
import io.herald.testing.NodeScripts;
import io.herald.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bridge.writeDelayMs} on a real node, with real clients: a raw WebSocket client, a SockJS-over-WebSocket
 * client that sees the SockJS framing, and the official client (sockjs-client). Every event arrives once and in
 * order, and with the window on several arrive in one SockJS frame; a node with the window off (the default) is
 * the control: one message per frame there.
 */
class WriteCoalescingIT {
    static final String TYPE = "order:created";
    static final int EVENTS = 200;
    static Vertx clients;

    @BeforeAll
    static void setUp() {
        NodeScripts.requireInstalled();
        clients = Vertx.vertx();
    }

    @AfterAll
    static void tearDown() {
        clients.close().await();
    }

    @Test
    void withAWindowEveryEventArrivesOnceInOrderAndSeveralShareASockJsFrame() throws Exception {
        HeraldNode node = TestNodes.start(TestNodes.config(json -> json.getJsonObject("bridge").put("writeDelayMs", 200)));
        try {
            assertEquals(200, node.config().bridge().writeDelayMs());
            int most = deliverAndCheck(node);
            assertTrue(most > 1, "several events in one a[…] frame with the window on; at most " + most);

            // the official client parses the batched frames as any SockJS frame: each event once, in order
            JsonObject observed = NodeScripts.run("official-coalesced.js", "http://127.0.0.1:" + node.port(),
                    TestNodes.token(node, "s-official", "staff"), node.config().apiKey(), "order:updated", String.valueOf(EVENTS));
            assertEquals(IntStream.range(0, EVENTS).boxed().toList(), observed.getJsonArray("received").getList(), observed.encode());
            assertConsecutive(observed.getJsonArray("seqs").getList().stream().map(s -> ((Number) s).longValue()).toList());
        } finally {
            node.close().await();
        }
    }

    @Test
    void withoutAWindowEachSockJsFrameCarriesOneEvent() {
        HeraldNode node = TestNodes.start(TestNodes.config(json -> { }));
        try {
            assertEquals(0, node.config().bridge().writeDelayMs());
            assertEquals(1, deliverAndCheck(node), "the default sends one a[…] frame per event");
        } finally {
            node.close().await();
        }
    }

    @Test
    void withAWindowAReaderThatStopsIsCutAsASlowConsumerWhileAGoodReaderGetsEverything() {
        HeraldNode node = TestNodes.start(TestNodes.config(json -> json.getJsonObject("bridge").put("writeDelayMs", 200).put("maxOutboundBytes", 65536)));
        String filler = "x".repeat(4096);
        try (BridgeClient good = BridgeClient.connect(clients, node.port(), TestNodes.token(node, "s-good", "staff"), BridgeClient.Transport.SOCKJS);
             BridgeClient stalled = BridgeClient.connect(clients, node.port(), TestNodes.token(node, "s-stalled", "staff"), BridgeClient.Transport.SOCKJS)) {
            good.register(TYPE).sync();
            stalled.register(TYPE).sync();
            stalled.stopReading();
            int published = 0;
            List<Integer> received = new ArrayList<>();
            // at most 12 events (~50 KB) out for the good reader at a time: under its 64 KB bound even if one window holds them all
            while (slowConsumerCloses(node) == 0 && published < 20_000) {
                JsonArray events = new JsonArray();
                for (int i = 0; i < 12; i++) {
                    events.add(new JsonObject().put("type", TYPE).put("data", new JsonObject().put("n", published++).put("filler", filler)));
                }
                TestNodes.Response response = TestNodes.http("POST", node.port(), "/api/events/batch", "Bearer " + node.config().apiKey(),
                        new JsonObject().put("events", events).encode());
                assertEquals(202, response.status(), response.body());
                good.events(TYPE, 12).forEach(e -> received.add(e.getJsonObject("data").getInteger("n")));
            }
            assertEquals(1, slowConsumerCloses(node), "the reader that stopped was cut (after " + published + " events)");
            assertEquals(IntStream.range(0, published).boxed().toList(), received, "the good reader got every event once, in order");
        } finally {
            node.close().await();
        }
    }

    static long slowConsumerCloses(HeraldNode node) {
        String prefix = "herald_closes_total{reason=\"slow_consumer\"}";
        return TestNodes.http("GET", node.port(), "/metrics", null, null).body().lines()
                .filter(line -> line.startsWith(prefix))
                .findFirst().map(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .orElse(0L);
    }

    /** Publishes {@link #EVENTS} events in batches; a raw and a SockJS client each get all, once, in order. Answers the most events one SockJS frame carried. */
    static int deliverAndCheck(HeraldNode node) {
        try (BridgeClient raw = BridgeClient.connect(clients, node.port(), TestNodes.token(node, "s-raw", "staff"), BridgeClient.Transport.RAW);
             BridgeClient sockJs = BridgeClient.connect(clients, node.port(), TestNodes.token(node, "s-sockjs", "staff"), BridgeClient.Transport.SOCKJS)) {
            raw.register(TYPE).sync();
            sockJs.register(TYPE).sync();
            for (int start = 0; start < EVENTS; start += 50) {
                JsonArray events = new JsonArray();
                for (int n = start; n < start + 50; n++) {
                    events.add(new JsonObject().put("type", TYPE).put("data", new JsonObject().put("n", n)));
                }
                TestNodes.Response response = TestNodes.http("POST", node.port(), "/api/events/batch", "Bearer " + node.config().apiKey(),
                        new JsonObject().put("events", events).encode());
                assertEquals(202, response.status(), response.body());
            }
            for (BridgeClient client : List.of(raw, sockJs)) {
                List<JsonObject> received = client.events(TYPE, EVENTS);
                assertEquals(IntStream.range(0, EVENTS).boxed().toList(), received.stream().map(e -> e.getJsonObject("data").getInteger("n")).toList());
                assertConsecutive(received.stream().map(e -> e.getLong("seq")).toList());
                // nothing twice: a marker after them comes next
                client.sync();
                assertTrue(client.drain().stream().noneMatch(f -> TYPE.equals(f.getString("address"))), "no event twice");
            }
            return sockJs.mostMessagesInOneFrame.get();
        }
    }

    static void assertConsecutive(List<Long> seqs) {
        List<Long> expected = new ArrayList<>();
        for (int i = 0; i < seqs.size(); i++) {
            expected.add(seqs.get(0) + i);
        }
        assertEquals(expected, seqs, "seq rises by one, in order");
    }
}
