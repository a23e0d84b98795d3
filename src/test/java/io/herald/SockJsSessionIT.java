package io.herald;

import io.herald.node.HeraldNode;

import io.herald.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A SockJS fallback session (xhr, xhr_streaming, …) is found by its id on every request; the attacks here reuse a
 * customer's session id without its token, or with another user's, to read the customer's queued order events or to
 * inject frames into the session. Each request of a session must carry the token that opened it (the node keeps a
 * digest); the others get 403 {@code access_denied} and change nothing.
 */
class SockJsSessionIT {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    static HeraldNode node;

    @BeforeAll
    static void startNode() {
        // heartbeats every 2 s: a poll with nothing queued comes back soon with "h"
        node = TestNodes.start(TestNodes.config(json -> json.getJsonObject("bridge").put("pingIntervalSeconds", 2)));
    }

    @AfterAll
    static void stopNode() {
        node.close().await();
    }

    record Answer(int status, String body) {
    }

    static String session() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    static String url(HeraldNode node, String session, String transport, String token) {
        return "http://127.0.0.1:" + node.port() + "/eventbus/000/" + session + "/" + transport
                + (token == null ? "" : "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
    }

    static Answer request(String method, String url, String contentType, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static Answer poll(String session, String token) {
        return request("POST", url(node, session, "xhr", token), null, null);
    }

    /** One xhr_send POST carrying these client frames (JSON objects) as a SockJS array of strings. */
    static Answer send(String session, String token, JsonObject... frames) {
        io.vertx.core.json.JsonArray batch = new io.vertx.core.json.JsonArray();
        for (JsonObject frame : frames) {
            batch.add(frame.encode());
        }
        return request("POST", url(node, session, "xhr_send", token), "text/plain", batch.encode());
    }

    static JsonObject register(String address) {
        return new JsonObject().put("type", "register").put("address", address);
    }

    static void assertRefused(Answer answer, String what) {
        assertEquals(403, answer.status(), what + " was not refused; it got: " + answer.body());
        JsonObject body = new JsonObject(answer.body());
        assertEquals("access_denied", body.getString("error"), answer.body());
        assertTrue(body.getString("message", "").length() > 0, answer.body());
    }

    /** The owner's session after its register of order:created was handled (the refused register behind it came back). */
    static String openOwnerSession(String ownerToken) {
        String session = session();
        Answer open = poll(session, ownerToken);
        assertEquals("o\n", open.body());
        assertEquals(204, send(session, ownerToken, register("order:created"), register("payment:received")).status());
        StringBuilder seen = new StringBuilder();
        io.herald.testing.Eventually.assertEventually("the refused register's err came back", () -> {
            seen.append(poll(session, ownerToken).body());
            return seen.toString().contains("payment:received");
        });
        return session;
    }

    @ParameterizedTest(name = "attacker token: {0}")
    @ValueSource(strings = {"none", "another customer", "the owner's user with another token"})
    void anotherRequestOnTheSessionReadsNothingAndInjectsNothing(String attacker) {
        String ownerToken = TestNodes.token(node, "c-owner", "customer");
        String attackerToken = switch (attacker) {
            case "none" -> null;
            case "another customer" -> TestNodes.token(node, "c-attacker", "customer");
            default -> TestNodes.token(node, "c-owner", "customer", null, java.util.List.of(), 7200);
        };
        String session = openOwnerSession(ownerToken);
        String orderId = "o-" + UUID.randomUUID();
        TestNodes.publish(node, "order:created", new JsonObject().put("orderId", orderId).put("customerId", "c-owner").put("total", 99));

        // the attack: a poll on the owner's session id gets what is queued for the owner
        assertRefused(poll(session, attackerToken), "a poll with " + attacker);
        // and an xhr_send would put frames in the owner's session: a register the owner never made
        assertRefused(send(session, attackerToken, register("product:updated")), "an xhr_send with " + attacker);
        // every other transport path
        for (String transport : new String[]{"xhr_streaming", "eventsource"}) {
            assertRefused(request(transport.equals("eventsource") ? "GET" : "POST", url(node, session, transport, attackerToken), null, null),
                    transport + " with " + attacker);
        }

        // the owner's next request gets the order; the injected register did not happen
        StringBuilder owner = new StringBuilder();
        io.herald.testing.Eventually.assertEventually("the owner received its order", () -> {
            owner.append(poll(session, ownerToken).body());
            return owner.toString().contains(orderId);
        });
        // a product event, then another order: when the order is in, the product would have been too
        TestNodes.publish(node, "product:updated", new JsonObject().put("productId", "p-" + orderId).put("price", 1));
        TestNodes.publish(node, "order:created", new JsonObject().put("orderId", "2-" + orderId).put("customerId", "c-owner").put("total", 1));
        StringBuilder after = new StringBuilder();
        io.herald.testing.Eventually.assertEventually("the owner received its second order", () -> {
            after.append(poll(session, ownerToken).body());
            return after.toString().contains("2-" + orderId);
        });
        assertFalse(after.toString().contains("p-" + orderId), "the attacker's register took effect: " + after);
    }

    @Test
    void anXhrStreamingSessionIsBoundToo() throws Exception {
        String ownerToken = TestNodes.token(node, "c-stream", "customer");
        String session = session();
        CopyOnWriteArrayList<String> lines = new CopyOnWriteArrayList<>();
        HttpResponse<java.io.InputStream> stream = HTTP.send(HttpRequest.newBuilder(URI.create(url(node, session, "xhr_streaming", ownerToken)))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofInputStream());
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException closed) {
                // the test ends the stream
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            io.herald.testing.Eventually.assertEventually("the session opened", () -> lines.contains("o"));
            assertRefused(send(session, null, register("product:updated")), "an anonymous xhr_send into a streaming session");
            assertRefused(send(session, TestNodes.token(node, "c-other", "customer"), register("order:created")),
                    "another customer's xhr_send into a streaming session");
            assertEquals(204, send(session, ownerToken, register("order:created"), register("payment:received")).status());
            io.herald.testing.Eventually.assertEventually("the owner's register was handled",
                    () -> lines.stream().anyMatch(l -> l.contains("payment:received")));
            String orderId = "o-" + UUID.randomUUID();
            TestNodes.publish(node, "order:created", new JsonObject().put("orderId", orderId).put("customerId", "c-stream"));
            TestNodes.publish(node, "product:updated", new JsonObject().put("productId", "p-" + orderId));
            io.herald.testing.Eventually.assertEventually("the owner's order arrived", () -> lines.stream().anyMatch(l -> l.contains(orderId)));
            assertFalse(lines.stream().anyMatch(l -> l.contains("p-" + orderId)), "the attacker's register took effect: " + lines);
        } finally {
            stream.body().close();
        }
    }

    @Test
    void theLegacyTransportsAreOffByDefault() {
        String session = session();
        String token = TestNodes.token(node, "c-legacy", "customer");
        assertEquals(404, request("GET", url(node, session, "jsonp", token) + "&c=cb", null, null).status());
        assertEquals(404, request("GET", url(node, session, "htmlfile", token) + "&c=cb", null, null).status());
        assertEquals(404, request("POST", url(node, session, "jsonp_send", token), "application/x-www-form-urlencoded", "d=%5B%5D").status());
    }

    @Test
    void withTheKeyOnJsonpIsBoundToo() {
        HeraldNode legacy = TestNodes.start(TestNodes.config(json -> json.getJsonObject("bridge").put("legacyTransports", true)));
        try {
            String session = session();
            String token = TestNodes.token(legacy, "c-jsonp", "customer");
            Answer open = request("GET", url(legacy, session, "jsonp", token) + "&c=cb", null, null);
            assertEquals(200, open.status(), open.body());
            assertTrue(open.body().contains("cb(\"o\")"), open.body());
            String frames = URLEncoder.encode(new io.vertx.core.json.JsonArray().add(register("order:created").encode()).encode(), StandardCharsets.UTF_8);
            for (String attacker : new String[]{null, TestNodes.token(legacy, "c-other", "customer")}) {
                assertRefused(request("GET", url(legacy, session, "jsonp", attacker) + (attacker == null ? "?" : "&") + "c=cb", null, null),
                        "a jsonp poll of another");
                assertRefused(request("POST", url(legacy, session, "jsonp_send", attacker), "application/x-www-form-urlencoded", "d=" + frames),
                        "a jsonp_send of another");
                assertRefused(request("GET", url(legacy, session, "htmlfile", attacker) + (attacker == null ? "?" : "&") + "c=cb", null, null),
                        "an htmlfile request of another");
            }
            Answer own = request("POST", url(legacy, session, "jsonp_send", token), "application/x-www-form-urlencoded", "d=" + frames);
            assertEquals(200, own.status(), own.body());
            // htmlfile with the key on opens a session
            Answer html = request("GET", url(legacy, session(), "htmlfile", token) + "&c=cb", null, null);
            assertEquals(200, html.status(), html.body());
        } finally {
            legacy.close().await();
        }
    }

    @Test
    void theSessionOwnersLeaveWithTheirSessions() {
        String good = TestNodes.token(node, "c-churn", "customer");
        for (int i = 0; i < 150; i++) {
            // opened and abandoned (vertx-web closes it after its session timeout), opened with a bad token (the bridge
            // closes it at once), and a jsonp request vertx-web refuses (no callback) on a node without it
            String token = i % 3 == 1 ? good + "x" : i % 3 == 2 ? null : good;
            assertEquals(200, poll(session(), token).status());
        }
        io.herald.bridge.SessionOwners owners = io.herald.bridge.SessionOwners.of(node.vertx(), 1);
        assertTrue(owners.size() > 0);
        io.herald.testing.Eventually.assertWithin(90, "every closed session's owner left (" + owners.size() + " left)", () -> owners.size() == 0);
    }
}
