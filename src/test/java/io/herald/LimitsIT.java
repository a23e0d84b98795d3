package io.herald;

import io.herald.node.HeraldNode;

import io.herald.testing.BridgeClient;
import io.herald.testing.Eventually;
import io.herald.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static io.herald.testing.BridgeClient.rec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The limits of issue 7, each against the attack it stops, on real nodes with small limits: a frame
 * flood from one connection, too many connections on a node, from one address across a two-node
 * cluster and too many connection attempts a second, and a backend publishing past its rate.
 */
class LimitsIT {
    static final String PROBE = "limits:probe";
    static Vertx clients;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void startClients() {
        clients = Vertx.vertx();
    }

    @AfterAll
    static void stopClients() {
        clients.close().await();
    }

    static HeraldNode start(Consumer<JsonObject> limits) {
        return TestNodes.start(TestNodes.config(json -> limits.accept(json.getJsonObject("limits"))));
    }

    static String staff(HeraldNode node, String user) {
        return TestNodes.token(node, user, "staff");
    }

    /**
     * The node's first answer to a new connection: a frame for an unknown type gets {@code unknown_event_type}
     * on an open connection; a refused one gets its refusal (and the frame, sent while the node was still
     * deciding, is never handled).
     */
    static JsonObject firstAnswer(BridgeClient client) {
        try {
            client.register(PROBE);
        } catch (RuntimeException closedAlready) {
            // the refusal may have closed the socket before the frame went out: the answer is queued anyway
        }
        return client.next();
    }

    static boolean accepted(JsonObject answer) {
        if (PROBE.equals(answer.getString("address")) && "unknown_event_type".equals(answer.getString("failureType"))) {
            return true;
        }
        assertEquals("too_many_connections", answer.getString("failureType"), answer.encode());
        assertEquals(429, answer.getInteger("failureCode"));
        return false;
    }

    static void assertClosedForTooManyConnections(BridgeClient client) {
        assertTrue(client.awaitClose(), "the refused socket is closed");
        assertEquals(4004, client.closeCode()); // 4429 before the renumbering
        assertEquals("too_many_connections", client.closeReason());
    }

    /**
     * A WebSocket to the node, or null when the node closed it before the client's connect completed: the
     * Vert.x client then drops the err frame, and {@link BridgeClient#connect} hands out the closed socket with
     * only its close (checked here to be the refusal's). The node closes a new connection only to refuse it.
     */
    static BridgeClient connect(HeraldNode node, String user) {
        BridgeClient client;
        try {
            client = BridgeClient.connect(clients, node.port(), staff(node, user));
        } catch (IllegalStateException closedAtOnce) {
            return null;
        }
        if (client.closedWithoutAFrame()) {
            assertClosedForTooManyConnections(client); // its err will never come: do not wait for it
            return null;
        }
        return client;
    }

    /** A connection on {@code node}, or null (closed) if the node refused it. */
    static BridgeClient tryOpen(HeraldNode node, String user) {
        BridgeClient client = connect(node, user);
        if (client == null) {
            return null;
        }
        if (accepted(firstAnswer(client))) {
            return client;
        }
        assertClosedForTooManyConnections(client);
        client.close();
        return null;
    }

    static BridgeClient open(HeraldNode node, String user) {
        BridgeClient client = tryOpen(node, user);
        assertNotNull(client, "the node accepts " + user);
        return client;
    }

    /** A Prometheus counter of the node's /metrics ({@code name{label="value"}}), 0 when absent. */
    static double metric(HeraldNode node, String series) {
        String text = TestNodes.http("GET", node.port(), "/metrics", "Bearer " + node.config().apiKey(), null).body();
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return 0;
    }

    @Test
    void aFrameFloodIsRefusedThenClosedWhileAnotherClientKeepsWorking() {
        HeraldNode node = start(limits -> limits.put("framesPerMinute", 6).put("framesBurst", 20)
                .put("framesPerMinuteByRole", new JsonObject()).put("floodCloseAfter", 50));
        try (BridgeClient good = BridgeClient.connect(clients, node.port(), staff(node, "s-good"));
             BridgeClient flooder = BridgeClient.connect(clients, node.port(), null)) {
            good.register("product:created").sync();

            String frame = new JsonObject().put("type", "register").put("address", "product:updated").encode();
            int sent = 0;
            try {
                for (; sent < 2000; sent++) {
                    flooder.sendRaw(frame);
                }
            } catch (RuntimeException closed) {
                // the node closed the flooding socket: the rest of the flood cannot be written
            }
            assertTrue(flooder.awaitClose(), "the flooding connection is closed");
            assertEquals(4003, flooder.closeCode()); // 4429 before the renumbering
            assertEquals("rate_limited", flooder.closeReason());
            List<JsonObject> frames = flooder.drain();
            // floodCloseAfter (50) refusals in a row: 49 rate_limited errs, then the 50th refusal closes the connection
            long refused = frames.stream().filter(f -> f.getValue("reconnect") == null).count();
            assertEquals(49, refused, "refused frames got rate_limited errs: " + frames);
            assertTrue(frames.stream().allMatch(f -> "err".equals(f.getString("type")) && "rate_limited".equals(f.getString("failureType"))),
                    "nothing but rate_limited errs and the closing err: " + frames);
            JsonObject closing = frames.get(frames.size() - 1);
            assertEquals(true, closing.getBoolean("reconnect"), "the closing err says why and that a client may reconnect: " + closing);

            JsonObject published = TestNodes.publish(node, "product:created", new JsonObject().put("productId", "p-1"));
            assertEquals(published.getLong("seq"), good.next(rec("product:created")).getJsonObject("body").getLong("seq"));
            good.sync();

            assertTrue(metric(node, "herald_refusals_total{code=\"rate_limited\"}") >= 50);
            Eventually.assertEventually("the close is counted", () -> metric(node, "herald_closes_total{reason=\"rate_limited\"}") == 1);
        } finally {
            node.close().await();
        }
    }

    @Test
    void pingsAreNotCountedAgainstTheFrameRate() {
        HeraldNode node = start(limits -> limits.put("framesPerMinute", 60).put("framesBurst", 5).put("floodCloseAfter", 3));
        try (BridgeClient client = BridgeClient.connect(clients, node.port(), null)) {
            for (int i = 0; i < 100; i++) {
                client.send(new JsonObject().put("type", "ping"));
            }
            client.register("product:created").sync();
            assertTrue(client.drain().isEmpty(), "no frame refused");
        } finally {
            node.close().await();
        }
    }

    @Test
    void aNodeTakesNoMoreThanItsConnectionCap() {
        HeraldNode node = start(limits -> limits.put("connectionsPerNode", 3));
        List<BridgeClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                open.add(open(node, "s-" + i));
            }
            Eventually.assertEventually("a fourth connection is refused with its reason", () -> {
                BridgeClient fourth = connect(node, "s-3");
                if (fourth == null) {
                    return false; // closed before the client could read why: try again
                }
                try (fourth) {
                    JsonObject answer = firstAnswer(fourth);
                    assertEquals("too_many_connections", answer.getString("failureType"), answer.encode());
                    assertTrue(answer.getString("message").contains("node"), answer.encode());
                    assertClosedForTooManyConnections(fourth);
                    return true;
                }
            });
            open.remove(0).close();
            Eventually.assertEventually("a closed connection frees its place", () -> {
                BridgeClient again = tryOpen(node, "s-4");
                if (again != null) {
                    open.add(again);
                }
                return again != null;
            });
            assertTrue(metric(node, "herald_refusals_total{code=\"too_many_connections\"}") >= 1);
            assertTrue(metric(node, "herald_closes_total{reason=\"too_many_connections\"}") >= 1);
        } finally {
            open.forEach(BridgeClient::close);
            node.close().await();
        }
    }

    @Test
    void connectionAttemptsFromOneAddressAreCappedPerSecond() {
        HeraldNode node = start(limits -> limits.put("connectAttemptsPerIpPerSecond", 3));
        List<BridgeClient> attempts = new ArrayList<>();
        try {
            int accepted = 0;
            int refused = 0;
            for (int i = 0; i < 30; i++) {
                BridgeClient attempt = connect(node, "s-" + i);
                if (attempt == null) {
                    refused++;
                } else {
                    attempts.add(attempt);
                }
            }
            for (BridgeClient attempt : attempts) {
                JsonObject answer = firstAnswer(attempt);
                if (accepted(answer)) {
                    accepted++;
                } else {
                    assertTrue(answer.getString("message").contains("attempts"), answer.encode());
                    assertClosedForTooManyConnections(attempt);
                    refused++;
                }
            }
            assertTrue(accepted >= 3, "the first attempts of the second go through: " + accepted);
            assertTrue(refused >= 1, "30 attempts at once pass 3 a second: " + refused + " refused");
            Eventually.assertEventually("attempts are accepted again a moment later", () -> {
                BridgeClient later = tryOpen(node, "s-later");
                if (later != null) {
                    later.close();
                }
                return later != null;
            });
        } finally {
            attempts.forEach(BridgeClient::close);
            node.close().await();
        }
    }

    @Test
    void connectionsFromOneAddressAreCappedAcrossTheCluster() {
        String cluster = TestNodes.uniqueClusterName();
        int hzA = TestNodes.freePort();
        int hzB = TestNodes.freePort();
        Consumer<JsonObject> smallCap = json -> json.getJsonObject("limits").put("connectionsPerIp", 4);
        HeraldNode nodeA = TestNodes.startClustered(cluster, hzA, List.of(hzA, hzB), smallCap);
        HeraldNode nodeB = TestNodes.startClustered(cluster, hzB, List.of(hzA, hzB), smallCap);
        List<BridgeClient> onA = new ArrayList<>();
        List<BridgeClient> onB = new ArrayList<>();
        try {
            onA.add(open(nodeA, "s-a1"));
            onA.add(open(nodeA, "s-a2"));
            onB.add(open(nodeB, "s-b1"));
            onB.add(open(nodeB, "s-b2"));
            // 2 + 2 from 127.0.0.1: each node refuses a fifth once it has the other's count (within a report interval)
            for (HeraldNode node : List.of(nodeA, nodeB)) {
                Eventually.assertEventually("node " + node.port() + " counts the other node's connections", () -> {
                    BridgeClient fifth = tryOpen(node, "s-5");
                    if (fifth != null) {
                        fifth.close();
                    }
                    return fifth == null;
                });
            }
            onB.forEach(BridgeClient::close);
            onB.clear();
            // each try may wait for the node's answer: on a loaded machine a few tries take longer than assertEventually's 10 s
            Eventually.assertWithin(30, "connections closed on B make room on A", () -> {
                BridgeClient third = tryOpen(nodeA, "s-a3");
                if (third != null) {
                    onA.add(third);
                }
                return third != null;
            });
            assertTrue(metric(nodeA, "herald_refusals_total{code=\"too_many_connections\"}") >= 1);
        } finally {
            onA.forEach(BridgeClient::close);
            onB.forEach(BridgeClient::close);
            nodeB.close().await();
            nodeA.close().await();
        }
    }

    record Answer(int status, String retryAfter, JsonObject body) {
    }

    static Answer post(HeraldNode node, String path, JsonObject body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
                .header("Authorization", "Bearer " + node.config().apiKey())
                .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.headers().firstValue("Retry-After").orElse(null), new JsonObject(response.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static JsonObject event(int n) {
        return new JsonObject().put("type", "product:updated").put("data", new JsonObject().put("n", n));
    }

    static void assertRateLimited(Answer answer, int atLeastSeconds) {
        assertEquals(429, answer.status(), answer.body().encode());
        assertEquals("rate_limited", answer.body().getString("error"));
        assertNotNull(answer.body().getString("message"));
        assertNotNull(answer.retryAfter(), "429 comes with Retry-After");
        assertTrue(Integer.parseInt(answer.retryAfter()) >= atLeastSeconds, "Retry-After " + answer.retryAfter());
    }

    @Test
    void thePublishApiAnswers429WithRetryAfterPastTheKeysRate() {
        HeraldNode node = start(limits -> limits.put("publishEventsPerSecond", 1));
        try {
            assertEquals(202, post(node, "/api/events", event(1)).status());
            Answer refused = post(node, "/api/events", event(2));
            assertRateLimited(refused, 1);

            Eventually.assertEventually("the key may publish again once its bucket refilled",
                    () -> post(node, "/api/events/batch", new JsonObject().put("events", batch(20))).status() == 202);
            // the batch counted its 20 events: the key is 19 events in debt at one a second
            assertRateLimited(post(node, "/api/events", event(3)), 10);
            assertTrue(metric(node, "herald_refusals_total{code=\"rate_limited\"}") >= 2);
        } finally {
            node.close().await();
        }
    }

    static JsonArray batch(int size) {
        JsonArray events = new JsonArray();
        for (int i = 0; i < size; i++) {
            events.add(event(100 + i));
        }
        return events;
    }
}
