package io.herald;

import io.herald.node.HeraldNode;
import io.herald.testing.Eventually;
import io.herald.testing.TestNodes;
import io.herald.testing.TwoNodes;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Webhooks against a real HTTP receiver written here: every event of the webhook's types arrives POSTed as its envelope,
 * signed (checked with the JDK's HMAC, not Herald's code) and in seq order per type; a receiver answering 500 gets the
 * same event again with backoff until it takes it, nothing lost and the order kept, while {@code GET /api/webhooks}
 * shows the lag and the last error and never the secret; in a two-node cluster the oldest node sends, and when it goes
 * the other takes over from the position kept in Hazelcast: every event arrives, duplicates only around the takeover.
 */
class WebhooksIT {
    static final String SECRET = "webhook-test-secret-0123456789abcdef";
    static Vertx vertx;

    @BeforeAll
    static void setUp() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void tearDown() {
        vertx.close().await();
    }

    /** One POST the receiver got. */
    record Received(String eventId, String signature, String webhookId, String body) {
        JsonObject json() {
            return new JsonObject(body);
        }
    }

    /** A real HTTP server: records each POST, answers 500 while {@code failing} is positive (counting down), else 200. */
    static final class Receiver implements AutoCloseable {
        final List<Received> received = new CopyOnWriteArrayList<>();
        final AtomicInteger failing = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();
        final HttpServer server;

        Receiver() {
            server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
                if (failing.get() > 0) {
                    failing.decrementAndGet();
                    refused.incrementAndGet();
                    request.response().setStatusCode(500).end("down for maintenance");
                    return;
                }
                received.add(new Received(request.getHeader("Herald-Event-Id"), request.getHeader("Herald-Signature"),
                        request.getHeader("Herald-Webhook-Id"), body.toString()));
                request.response().setStatusCode(204).end();
            })).listen(0, "127.0.0.1").await();
        }

        String url() {
            return "http://127.0.0.1:" + server.actualPort() + "/hooks/herald";
        }

        /** The seqs received of {@code type}, in arrival order. */
        List<Long> seqs(String type) {
            List<Long> seqs = new ArrayList<>();
            for (Received r : received) {
                if (r.json().getString("type").equals(type)) {
                    seqs.add(r.json().getLong("seq"));
                }
            }
            return seqs;
        }

        Set<String> ids() {
            Set<String> ids = new LinkedHashSet<>();
            received.forEach(r -> ids.add(r.eventId()));
            return ids;
        }

        @Override
        public void close() {
            server.close().await();
        }
    }

    static Consumer<JsonObject> webhook(String url, String... types) {
        return json -> json.put("webhooks", new JsonArray().add(new JsonObject().put("id", "erp").put("url", url)
                .put("types", new JsonArray(List.of(types))).put("secret", SECRET).put("timeoutMs", 2000)));
    }

    /** Checks the signature as a receiver would, with the JDK alone: HMAC-SHA256 of "t.body", hex. */
    static void assertSigned(Received r) throws Exception {
        assertNotNull(r.signature(), "Herald-Signature");
        String[] parts = r.signature().split(",");
        assertTrue(parts[0].startsWith("t=") && parts[1].startsWith("v1="), r.signature());
        long t = Long.parseLong(parts[0].substring(2));
        assertTrue(Math.abs(System.currentTimeMillis() / 1000 - t) < 300, "a fresh timestamp");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = HexFormat.of().formatHex(mac.doFinal((t + "." + r.body()).getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, parts[1].substring(3));
        assertEquals(r.json().getString("id"), r.eventId(), "Herald-Event-Id is the envelope's id");
        assertEquals("erp", r.webhookId());
    }

    static JsonObject webhooksApi(HeraldNode node) {
        TestNodes.Response response = TestNodes.http("GET", node.port(), "/api/webhooks", "Bearer " + node.config().apiKey(), null);
        assertEquals(200, response.status(), response.body());
        assertFalse(response.body().contains(SECRET), "the API never shows the secret");
        return response.json().getJsonArray("webhooks").getJsonObject(0);
    }

    static JsonObject stats(HeraldNode node) {
        return TestNodes.http("GET", node.port(), "/api/stats", "Bearer " + node.config().apiKey(), null).json();
    }

    @Test
    void eventsArriveSignedInOrderAndAFailingReceiverIsRetriedUntilItTakesThemAll() throws Exception {
        try (Receiver receiver = new Receiver()) {
            HeraldNode node = TestNodes.start(TestNodes.config(webhook(receiver.url(), "order:*")));
            try {
                assertEquals(401, TestNodes.http("GET", node.port(), "/api/webhooks", null, null).status());
                List<String> published = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    published.add(TestNodes.publish(node, i % 2 == 0 ? "order:created" : "order:updated",
                            new JsonObject().put("orderId", "o-" + i).put("customerId", "c-1")).getString("id"));
                }
                TestNodes.publish(node, "payment:received", new JsonObject().put("paymentId", "p-1")); // not the webhook's
                Eventually.assertWithin(60, "the receiver got the ten order events", () -> receiver.ids().containsAll(published));
                for (Received r : receiver.received) {
                    assertSigned(r);
                    assertTrue(r.json().getString("type").startsWith("order:"), r.body());
                    assertTrue(r.json().containsKey("data") && r.json().containsKey("ts") && r.json().containsKey("epoch"), r.body());
                }
                assertEquals(List.of(1L, 2L, 3L, 4L, 5L), receiver.seqs("order:created"));
                assertEquals(List.of(1L, 2L, 3L, 4L, 5L), receiver.seqs("order:updated"));

                // the receiver fails: the next events wait, retried with backoff, then all arrive in order
                receiver.failing.set(4);
                for (int i = 0; i < 5; i++) {
                    published.add(TestNodes.publish(node, "order:created", new JsonObject().put("orderId", "o-f" + i)).getString("id"));
                }
                Eventually.assertWithin(60, "the API shows the failure", () -> {
                    JsonObject hook = webhooksApi(node);
                    return hook.getJsonObject("lastError") != null && hook.getJsonObject("lastError").getString("message").equals("HTTP 500");
                });
                JsonObject failing = webhooksApi(node);
                assertEquals("erp", failing.getString("id"));
                assertEquals(receiver.url(), failing.getString("url"));
                assertEquals("order:created", failing.getJsonObject("lastError").getString("type"));
                Eventually.assertWithin(120, "every event arrived after the receiver recovered", () -> receiver.ids().containsAll(published));
                assertEquals(4, receiver.refused.get());
                assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L), receiver.seqs("order:created"), "nothing lost, nothing doubled, in order");
                Eventually.assertWithin(30, "the API shows the positions caught up", () -> webhooksApi(node).getLong("lag") == 0);
                JsonObject caughtUp = webhooksApi(node);
                JsonObject created = caughtUp.getJsonObject("positions").getJsonObject("order:created");
                assertEquals(10L, created.getLong("seq"));
                assertEquals(10L, created.getLong("tail"));
                assertEquals(0, created.getInteger("failures"));
                assertEquals(5L, caughtUp.getJsonObject("positions").getJsonObject("order:updated").getLong("seq"));
                assertEquals(0L, caughtUp.getLong("gapCount"));
                assertFalse(caughtUp.getJsonObject("positions").containsKey("payment:received"));

                Eventually.assertWithin(30, "stats count deliveries, failures and retries", () -> {
                    JsonObject totals = stats(node).getJsonObject("totals");
                    return totals.getJsonObject("webhookDeliveries").getLong("erp", 0L) == 15
                            && totals.getJsonObject("webhookFailures").getLong("erp", 0L) == 4
                            && totals.getJsonObject("webhookRetries").getLong("erp", 0L) == 4;
                });
                String metrics = TestNodes.http("GET", node.port(), "/metrics", null, null).body();
                assertTrue(metrics.contains("herald_webhook_deliveries_total{webhook=\"erp\"} 15.0"), "metrics");
                assertTrue(metrics.contains("herald_webhook_failures_total{webhook=\"erp\"} 4.0"), "metrics");
            } finally {
                node.close().await();
            }
        }
    }

    @Test
    void whenTheSendingNodeDiesTheOtherTakesOverFromTheKeptPositionAndNothingIsLost() throws Exception {
        try (Receiver receiver = new Receiver()) {
            HeraldNode[] nodes = TwoNodes.startPair(webhook(receiver.url(), "order:created", "payment:*"));
            HeraldNode a = nodes[0];
            HeraldNode b = nodes[1];
            boolean aClosed = false;
            try {
                Eventually.assertWithin(60, "two members", () -> a.clusterSize() == 2 && b.clusterSize() == 2);
                List<String> published = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    published.add(TestNodes.publish(b, "order:created", new JsonObject().put("orderId", "o-" + i)).getString("id"));
                    published.add(TestNodes.publish(b, "payment:received", new JsonObject().put("paymentId", "p-" + i)).getString("id"));
                }
                Eventually.assertWithin(60, "the receiver got the first twenty", () -> receiver.ids().containsAll(published));
                assertEquals(a.nodeId(), webhooksApi(b).getString("sender"), "the oldest node sends");
                // each node reads the types' tails itself: one may show a type's tail a moment before the other
                Eventually.assertWithin(30, "any node tells the same", () -> webhooksApi(a).getJsonObject("positions")
                        .equals(webhooksApi(b).getJsonObject("positions")));

                // events keep coming while the sender goes
                Thread publisher = new Thread(() -> {
                    for (int i = 10; i < 40; i++) {
                        synchronized (published) {
                            // a publish while the sender leaves may answer 503 (its history append in doubt): repeated with its key
                            published.add(TestNodes.publishUntilAccepted(b, "order:created", new JsonObject().put("orderId", "o-" + i), "o-" + i).getString("id"));
                        }
                        try {
                            Thread.sleep(50);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                publisher.start();
                Thread.sleep(300);
                a.close().await();
                aClosed = true;
                publisher.join();
                TestNodes.publish(b, "payment:received", new JsonObject().put("paymentId", "p-after"));
                Eventually.assertWithin(90, "every event arrived, sent by the survivor after the takeover", () -> {
                    synchronized (published) {
                        return receiver.ids().containsAll(published) && receiver.seqs("payment:received").contains(11L);
                    }
                });
                assertEquals(b.nodeId(), webhooksApi(b).getString("sender"));
                for (String type : List.of("order:created", "payment:received")) {
                    List<Long> seqs = receiver.seqs(type);
                    TreeSet<Long> distinct = new TreeSet<>(seqs);
                    assertEquals(distinct.last() - distinct.first() + 1, distinct.size(), type + ": no seq missing " + seqs);
                    assertEquals(1L, distinct.first());
                    // at least once: a seq may come twice around the takeover, but first arrivals are in seq order
                    List<Long> firsts = new ArrayList<>(new LinkedHashSet<>(seqs));
                    assertEquals(new ArrayList<>(distinct), firsts, type + ": first arrivals in seq order " + seqs);
                    System.out.printf("webhooks takeover: %s received %d requests for %d events (%d duplicates)%n",
                            type, seqs.size(), distinct.size(), seqs.size() - distinct.size());
                }
                Eventually.assertWithin(30, "the survivor's API shows it caught up", () -> webhooksApi(b).getLong("lag") == 0);
                assertEquals(40L, webhooksApi(b).getJsonObject("positions").getJsonObject("order:created").getLong("seq"));
            } finally {
                if (!aClosed) {
                    a.close().await();
                }
                b.close().await();
            }
        }
    }

    @Test
    void aReceiverDownLongerThanHistoryCoversGetsAGapRecordedAndResumesAtTheOldestKeptEvent() throws Exception {
        try (Receiver receiver = new Receiver()) {
            HeraldNode node = TestNodes.start(TestNodes.config(webhook(receiver.url(), "order:created").andThen(json ->
                    json.getJsonObject("history").getJsonObject("namespaces").put("orders", new JsonObject().put("maxEvents", 5)))));
            try {
                TestNodes.publish(node, "order:created", new JsonObject().put("orderId", "o-1"));
                TestNodes.publish(node, "order:created", new JsonObject().put("orderId", "o-2"));
                Eventually.assertWithin(60, "the first two arrived", () -> receiver.seqs("order:created").equals(List.of(1L, 2L)));
                receiver.failing.set(1_000_000);
                for (int i = 3; i <= 15; i++) {
                    TestNodes.publish(node, "order:created", new JsonObject().put("orderId", "o-" + i));
                }
                // history now holds 11..15 only; the receiver has refused seq 3 at least once
                Eventually.assertWithin(60, "the receiver refused", () -> receiver.refused.get() >= 1);
                receiver.failing.set(0);
                Eventually.assertWithin(120, "sending resumed at the oldest kept event",
                        () -> receiver.seqs("order:created").equals(List.of(1L, 2L, 11L, 12L, 13L, 14L, 15L)));
                JsonObject hook = webhooksApi(node);
                assertEquals(1L, hook.getLong("gapCount"));
                assertEquals(8L, hook.getLong("lostEvents"));
                JsonObject gap = hook.getJsonArray("gaps").getJsonObject(0);
                assertEquals("trimmed", gap.getString("reason"));
                assertEquals("order:created", gap.getString("type"));
                assertEquals(3L, gap.getLong("fromSeq"));
                assertEquals(10L, gap.getLong("toSeq"));
                assertEquals(8L, gap.getLong("lost"));
                Eventually.assertWithin(30, "stats count the lost events",
                        () -> stats(node).getJsonObject("totals").getJsonObject("webhookEventsLost").getLong("erp", 0L) == 8);
            } finally {
                node.close().await();
            }
        }
    }

    /**
     * A node death: three jars, each its own JVM (two would leave the survivor without a majority); the oldest, which
     * sends, is SIGKILLed while events are published on another. The next oldest takes over from the kept positions.
     */
    @Test
    void whenTheSendingProcessIsKilledTheNextOldestTakesOverAndNothingIsLost() throws Exception {
        try (Receiver receiver = new Receiver()) {
            String hooks = new JsonArray().add(new JsonObject().put("id", "erp").put("url", receiver.url())
                    .put("types", new JsonArray().add("order:created")).put("secret", SECRET).put("timeoutMs", 2000)).encode();
            try (JarCluster cluster = new JarCluster(3, Map.of("HERALD_WEBHOOKS", hooks)).startAll()) {
                String first = cluster.nodeId(0);
                List<String> published = new CopyOnWriteArrayList<>();
                for (int i = 0; i < 10; i++) {
                    published.add(publishOver(cluster.http(2), i));
                }
                Eventually.assertWithin(60, "the first ten arrived", () -> receiver.ids().containsAll(published));
                assertEquals(first, webhooksOver(cluster.http(2)).getString("sender"), "the oldest node sends");
                Thread publisher = new Thread(() -> {
                    for (int i = 10; i < 40; i++) {
                        // a publish refused while the cluster drops the dead member is published again (its seq then is the next)
                        for (int attempt = 0; ; attempt++) {
                            try {
                                published.add(publishOver(cluster.http(2), i));
                                break;
                            } catch (AssertionError | RuntimeException refused) {
                                if (attempt > 100) {
                                    throw refused;
                                }
                            }
                            try {
                                Thread.sleep(200);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                        try {
                            Thread.sleep(50);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                publisher.start();
                Thread.sleep(300);
                cluster.kill(0);
                publisher.join();
                Eventually.assertWithin(120, "every event arrived, the survivors sending", () -> receiver.ids().containsAll(published));
                Eventually.assertWithin(30, "another node sends", () -> !first.equals(webhooksOver(cluster.http(2)).getString("sender")));
                List<Long> seqs = receiver.seqs("order:created");
                TreeSet<Long> distinct = new TreeSet<>(seqs);
                assertEquals(List.of(1L, 40L, 40L), List.of(distinct.first(), distinct.last(), (long) distinct.size()), "no seq missing " + seqs);
                assertEquals(new ArrayList<>(distinct), new ArrayList<>(new LinkedHashSet<>(seqs)), "first arrivals in seq order " + seqs);
                for (Received r : receiver.received) {
                    assertSigned(r);
                }
                System.out.printf("webhooks SIGKILL takeover: %d requests for %d events (%d duplicates)%n",
                        seqs.size(), distinct.size(), seqs.size() - distinct.size());
            }
        }
    }

    static String publishOver(int port, int i) {
        TestNodes.Response response = TestNodes.http("POST", port, "/api/events", "Bearer " + io.herald.config.HeraldConfig.DEV_API_KEY,
                new JsonObject().put("type", "order:created").put("data", new JsonObject().put("orderId", "o-" + i)).encode());
        assertEquals(202, response.status(), response.body());
        return response.json().getString("id");
    }

    static JsonObject webhooksOver(int port) {
        TestNodes.Response response = TestNodes.http("GET", port, "/api/webhooks", "Bearer " + io.herald.config.HeraldConfig.DEV_API_KEY, null);
        assertEquals(200, response.status(), response.body());
        assertFalse(response.body().contains(SECRET));
        return response.json().getJsonArray("webhooks").getJsonObject(0);
    }
}
