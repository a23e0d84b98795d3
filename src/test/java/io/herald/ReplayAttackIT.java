package io.herald;

import io.herald.node.HeraldNode;

import io.herald.testing.BridgeClient;
import io.herald.testing.Eventually;
import io.herald.testing.NodeScripts;
import io.herald.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17 item 4 on a real clustered node (Hazelcast history): 1,000 events of 32 KiB in history, the most one
 * recovery replays. A client that reads normally and registers with {@code since: 0} must get all of them, in
 * order, then the live events published meanwhile, and stay connected (it was cut after 444 when the replay was
 * decoded whole and written at once). 40 anonymous clients that register the same way and then read nothing must
 * not make the node hold their replays (each was 32 MB decoded at once): the replay bytes in flight stay under
 * {@code delivery.maxReplayBytesInFlight} (the others wait their turn) and the heap does not grow by their
 * replays. The figures are printed on lines starting with {@code REPLAY ATTACK:}.
 */
class ReplayAttackIT {
    static final String TYPE = "product:updated"; // guests may read it: anonymous clients are enough
    static final int EVENTS = 1000;
    static final int EVENT_BYTES = 32 * 1024;
    static final int STALLED = 40;
    static final long IN_FLIGHT_BOUND = 4L << 20;

    static HeraldNode node;
    static Vertx clients;
    static String filler = "y".repeat(EVENT_BYTES);

    @BeforeAll
    static void setUp() {
        int hz = TestNodes.freePort();
        node = TestNodes.startClustered(TestNodes.uniqueClusterName(), hz, List.of(hz), json -> {
            json.getJsonObject("http").put("maxBodyBytes", 4 << 20);
            json.getJsonObject("delivery").put("maxReplayBytesInFlight", IN_FLIGHT_BOUND);
            json.getJsonObject("bridge").put("idleTimeoutSeconds", 0);
            // room for the live events published while a replay runs: they must not push its first events out of history
            json.getJsonObject("history").getJsonObject("namespaces").put("products", new JsonObject().put("maxEvents", 5000));
        });
        clients = Vertx.vertx();
        publish(0, EVENTS);
    }

    @AfterAll
    static void tearDown() {
        clients.close().await();
        node.close().await();
    }

    /** Events n = first .. first+count-1, in batches of 50 (~1.6 MB a request). */
    static void publish(int first, int count) {
        for (int n = first; n < first + count; n += 50) {
            JsonArray events = new JsonArray();
            for (int i = n; i < Math.min(first + count, n + 50); i++) {
                events.add(new JsonObject().put("type", TYPE).put("data", new JsonObject().put("n", i).put("filler", filler)));
            }
            TestNodes.Response response = TestNodes.http("POST", node.port(), "/api/events/batch", "Bearer " + node.config().apiKey(),
                    new JsonObject().put("events", events).encode());
            assertEquals(202, response.status(), response.body());
        }
    }

    static long metric(String name) {
        return TestNodes.http("GET", node.port(), "/metrics", null, null).body().lines()
                .filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .findFirst().map(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .orElse(-1L);
    }

    /** The seq of the first of the last 1,000 events: a register with since just before it replays the most one recovery may. */
    static long seqOfFirst() {
        return TestNodes.history(node, TYPE, "since=0&limit=1").getLong("tail") - EVENTS + 1;
    }

    @Test
    void aReaderRecoversAThousandEventsOf32KibInOrderThenTheLiveOnesAndIsNotCut() {
        long head = seqOfFirst();
        assertTrue(TestNodes.history(node, TYPE, "since=0&limit=1").getLong("head") <= head, "history holds the last 1,000 events");
        List<BridgeClient> readers = List.of(
                BridgeClient.connect(clients, node.port(), null),
                BridgeClient.connect(clients, node.port(), null, BridgeClient.Transport.SOCKJS));
        try {
            for (BridgeClient reader : readers) {
                reader.register(TYPE, head - 1, null).sync(); // its stream has started: the live events below come after its position
            }
            publish(EVENTS, 20); // live events while the replays run: held for them, delivered after, none doubled
            for (BridgeClient reader : readers) {
                String disorder = null;
                long expected = head;
                int received = 0;
                while (received < EVENTS + 20) {
                    JsonObject frame = reader.poll(Duration.ofSeconds(60));
                    if (frame == null) {
                        break;
                    }
                    if (!"rec".equals(frame.getString("type")) || !TYPE.equals(frame.getString("address"))) {
                        disorder = "unexpected frame " + frame.encode().substring(0, Math.min(300, frame.encode().length()));
                        break;
                    }
                    long seq = frame.getJsonObject("body").getLong("seq");
                    if (seq != expected && disorder == null) {
                        disorder = "seq " + seq + " where " + expected + " was due";
                    }
                    expected = seq + 1;
                    received++;
                }
                System.out.printf("REPLAY ATTACK: a reading client (%s) got %d of %d events (%d replayed + 20 live)%s, closed: %s%n",
                        readers.indexOf(reader) == 0 ? "raw WebSocket" : "SockJS WebSocket", received, EVENTS + 20, EVENTS,
                        disorder == null ? " in order" : "; " + disorder, reader.closeCode());
                assertNull(disorder);
                assertEquals(EVENTS + 20, received, "every replayed event, then every live one");
                assertNull(reader.closeCode(), "the reader is not cut");
                assertNull(reader.poll(Duration.ofMillis(200)), "nothing doubled");
            }
        } finally {
            readers.forEach(BridgeClient::close);
        }
    }

    /** The SockJS fallback transports drain differently (vertx-web's write futures): the same replay over xhr-streaming. */
    @Test
    void aReaderOnTheXhrStreamingFallbackRecoversAThousandEventsOf32Kib() throws Exception {
        long head = seqOfFirst();
        JsonObject observed = NodeScripts.run("official-replay.js", "http://127.0.0.1:" + node.port(), "", node.config().apiKey(),
                "xhr-streaming", TYPE, String.valueOf(head - 1), String.valueOf(EVENTS));
        System.out.println("REPLAY ATTACK: a reading client (official client, xhr-streaming): " + observed.encode());
        assertEquals(EVENTS, observed.getInteger("received"), observed.encode());
        assertEquals(head, observed.getLong("first"));
        assertNull(observed.getValue("disorder"));
        assertTrue(observed.getJsonArray("errors").isEmpty(), observed.encode());
        assertNull(observed.getValue("closed"), "not cut");
    }

    @Test
    void fortyRegistersThatReadNothingDoNotMakeTheNodeHoldTheirReplays() throws Exception {
        long head = seqOfFirst();
        var memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long heapBefore = memory.getHeapMemoryUsage().getUsed();
        AtomicLong heapPeak = new AtomicLong(heapBefore);
        AtomicLong inFlightPeak = new AtomicLong();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                heapPeak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                inFlightPeak.accumulateAndGet(metric("herald_replay_bytes_in_flight_bytes"), Math::max);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "replay-attack-sampler");
        sampler.setDaemon(true);
        sampler.start();
        List<Socket> stalled = new ArrayList<>();
        long framesBefore = metric("herald_frames_in_total");
        try {
            String register = new JsonObject().put("type", "register").put("address", TYPE)
                    .put("headers", new JsonObject().put("since", String.valueOf(head - 1))).encode();
            for (int i = 0; i < STALLED; i++) {
                Socket socket = OutboundBoundsAttackIT.stalled(node.port(), null);
                socket.getOutputStream().write(SlowConsumerAttackIT.maskedText(register));
                socket.getOutputStream().flush();
                stalled.add(socket);
            }
            Eventually.assertWithin(60, "the node has handled all 40 registers (their replays running or waiting their turn)",
                    () -> metric("herald_frames_in_total") >= framesBefore + STALLED);
            Thread.sleep(3000); // let whatever the replays would hold pile up, if it does
            System.gc();
            long heapAfterGc = memory.getHeapMemoryUsage().getUsed();
            long waiting = metric("herald_replays_waiting");
            sampling.set(false);
            sampler.join();
            System.out.printf("REPLAY ATTACK: %d registers that read nothing: heap before %d MB, peak %d MB (%+d MB), after GC %d MB; "
                            + "replay bytes in flight peak %d KB (bound %d KB), %d replays waiting their turn%n",
                    STALLED, heapBefore >> 20, heapPeak.get() >> 20, (heapPeak.get() - heapBefore) >> 20, heapAfterGc >> 20,
                    inFlightPeak.get() >> 10, IN_FLIGHT_BOUND >> 10, waiting);
            assertTrue(inFlightPeak.get() >= 0, "the node reports its replay bytes in flight (herald_replay_bytes_in_flight_bytes)");
            assertTrue(inFlightPeak.get() <= IN_FLIGHT_BOUND + (1 << 20),
                    "replay bytes in flight stay within delivery.maxReplayBytesInFlight (+ one page): " + (inFlightPeak.get() >> 10) + " KB");
            assertTrue(heapAfterGc - heapBefore < 256L << 20,
                    "the replays of 40 clients that read nothing are not held in the heap: " + ((heapAfterGc - heapBefore) >> 20) + " MB more after GC");
            assertTrue(heapPeak.get() - heapBefore < 1024L << 20,
                    "the heap never held their 40 x 32 MB: peak " + ((heapPeak.get() - heapBefore) >> 20) + " MB above the start");
        } finally {
            sampling.set(false);
            for (Socket socket : stalled) {
                socket.close();
            }
        }
        Eventually.assertWithin(60, "the closed clients' replays give back their budget",
                () -> metric("herald_replay_bytes_in_flight_bytes") == 0 && metric("herald_replays_waiting") == 0);
        // and a reader after them recovers as usual
        BridgeClient reader = BridgeClient.connect(clients, node.port(), null);
        try {
            reader.register(TYPE, head - 1, null);
            List<JsonObject> events = reader.events(TYPE, EVENTS);
            assertEquals(head, events.get(0).getLong("seq"));
        } finally {
            reader.close();
        }
    }
}
