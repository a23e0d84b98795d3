package io.herald;

import io.herald.node.HeraldNode;
import io.herald.testing.BridgeClient;
import io.herald.testing.Eventually;
import io.herald.testing.TestNodes;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The proxies to the backend against a real HTTP backend written here, on a real node with real WebSocket (and SockJS
 * xhr) clients. Connect: a 200 gives the backend's claims (with the connection's cookies and user agent passed, nothing
 * else); 401 is a guest, or a refusal without anonymous access; 403 refuses as an invalid token; a backend too slow
 * and a failing one fail closed with {@code unavailable}, and the failing one's circuit opens (the backend is no longer
 * asked), then half-opens and closes once it answers again. Publish: the backend's data is published, stamped with
 * the publisher's identity after, and a {@code send}'s reply carries it; a 403 is an {@code access_denied} err with
 * the backend's message; other types never reach the backend; past {@code maxConcurrent} a publish is refused at once.
 */
class ProxyIT {
    static Vertx vertx;
    static Backend backend;
    HeraldNode node;

    /** One answer of the backend: status, body, and how long it waits first (0: at once). */
    record Reply(int status, JsonObject body, long delayMs) {
        static Reply of(int status, JsonObject body) {
            return new Reply(status, body, 0);
        }
    }

    /** A real HTTP server: records each POST's JSON body by path, answers as the test says. */
    static final class Backend {
        final List<JsonObject> connects = new CopyOnWriteArrayList<>();
        final List<JsonObject> publishes = new CopyOnWriteArrayList<>();
        /** Headers of the connect requests, to check what else Herald sends. */
        final List<MultiMap> connectHeaders = new CopyOnWriteArrayList<>();
        volatile Function<JsonObject, Reply> connect = request -> Reply.of(401, null);
        volatile Function<JsonObject, Reply> publish = request -> Reply.of(200, new JsonObject());
        /** Held publish answers (a reply with delay -1 waits here until the test completes it). */
        final List<Promise<Void>> held = new CopyOnWriteArrayList<>();
        /** TCP connections from Herald open now. */
        final java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();
        HttpServer server;

        Backend start() {
            server = vertx.createHttpServer().connectionHandler(connection -> {
                open.incrementAndGet();
                connection.closeHandler(v -> open.decrementAndGet());
            }).requestHandler(request -> request.body().onSuccess(body -> {
                JsonObject json = body.toJsonObject();
                Reply reply;
                if (request.path().equals("/connect")) {
                    connects.add(json);
                    connectHeaders.add(MultiMap.caseInsensitiveMultiMap().addAll(request.headers()));
                    reply = connect.apply(json);
                } else {
                    publishes.add(json);
                    reply = publish.apply(json);
                }
                Runnable answer = () -> request.response().setStatusCode(reply.status()).putHeader("Content-Type", "application/json")
                        .end(reply.body() == null ? "" : reply.body().encode());
                if (reply.delayMs() < 0) {
                    Promise<Void> release = Promise.promise();
                    held.add(release);
                    release.future().onComplete(v -> answer.run());
                } else if (reply.delayMs() > 0) {
                    vertx.setTimer(reply.delayMs(), id -> answer.run());
                } else {
                    answer.run();
                }
            })).listen(0, "127.0.0.1").await();
            return this;
        }

        String url(String path) {
            return "http://127.0.0.1:" + server.actualPort() + path;
        }
    }

    @BeforeAll
    static void setUp() {
        vertx = Vertx.vertx();
        backend = new Backend().start();
    }

    @AfterAll
    static void tearDown() {
        backend.server.close().await();
        vertx.close().await();
    }

    @BeforeEach
    void clear() {
        backend.connects.clear();
        backend.publishes.clear();
        backend.connectHeaders.clear();
        backend.held.clear();
    }

    @AfterEach
    void stop() {
        backend.held.forEach(Promise::tryComplete);
        if (node != null) {
            node.close().await();
            node = null;
        }
    }

    /** Timeouts generous for a loaded machine (a slow answer here is a failure), but for the connect proxy's timeout test. */
    static Consumer<JsonObject> proxies(boolean anonymous, int publishMaxConcurrent) {
        return json -> {
            json.getJsonObject("auth").put("allowAnonymous", anonymous);
            json.getJsonObject("stats").put("intervalMs", 100);
            json.put("proxy", new JsonObject()
                    .put("connect", new JsonObject().put("url", backend.url("/connect")).put("timeoutMs", 4000).put("maxConcurrent", 50)
                            .put("breakerFailures", 2).put("breakerResetMs", 2000))
                    .put("publish", new JsonObject().put("url", backend.url("/publish")).put("types", new JsonArray().add("customer:viewing_product"))
                            .put("timeoutMs", 15_000).put("maxConcurrent", publishMaxConcurrent).put("breakerFailures", 5).put("breakerResetMs", 2000)));
        };
    }

    HeraldNode start(boolean anonymous) {
        node = TestNodes.start(TestNodes.config(proxies(anonymous, 50)));
        return node;
    }

    static JsonObject claims(String sub, String role) {
        return new JsonObject().put("sub", sub).put("role", role).put("exp", System.currentTimeMillis() / 1000 + 600)
                .put("rooms", new JsonArray().add("store:12"));
    }

    static MultiMap browserHeaders() {
        return MultiMap.caseInsensitiveMultiMap().add("Cookie", "session=s-42").add("User-Agent", "ProxyIT/1.0")
                .add("X-Secret-Header", "not for the backend");
    }

    BridgeClient connect(String token, MultiMap headers) {
        return BridgeClient.connect(vertx, node.port(), token, BridgeClient.Transport.RAW, headers);
    }

    static JsonObject totals(HeraldNode node, String field) {
        JsonObject totals = TestNodes.http("GET", node.port(), "/api/stats", "Bearer " + node.config().apiKey(), null).json().getJsonObject("totals");
        JsonObject value = totals.getJsonObject(field);
        return value == null ? new JsonObject() : value;
    }

    /** The refusal a refused connection got (its err frame's failureType, or its close's when the client dropped the err). */
    static String refusal(BridgeClient client) {
        return client.refusal();
    }

    @Test
    void aConnectionWithoutATokenGetsTheClaimsOfTheBackendWhichIsToldItsCookiesAndUserAgentOnly() throws Exception {
        start(false);
        backend.connect = request -> Reply.of(200, claims("c-7", "customer"));
        try (BridgeClient client = connect(null, browserHeaders())) {
            client.request("customer:activity", new JsonObject().put("page", "/lamps"), "r1");
            JsonObject reply = client.next(BridgeClient.rec("r1"));
            assertTrue(reply.getJsonObject("body").getLong("seq") > 0, reply.encode());
            JsonObject event = TestNodes.history(node, "customer:activity", "").getJsonArray("events").getJsonObject(0);
            assertEquals("c-7", event.getString("userId"), "the identity is the backend's: " + event.encode());
            assertEquals("c-7", event.getJsonObject("data").getString("customerId"));
        }
        assertEquals(1, backend.connects.size());
        JsonObject asked = backend.connects.get(0);
        assertEquals(new JsonObject().put("cookie", "session=s-42").put("user-agent", "ProxyIT/1.0"), asked.getJsonObject("headers"));
        assertEquals("127.0.0.1", asked.getString("remoteAddress"));
        assertNull(backend.connectHeaders.get(0).get("X-Secret-Header"), "only the allow-listed headers reach the backend");

        // a connection with a JWT never asks the backend
        try (BridgeClient withToken = connect(TestNodes.token(node, "u-1", "staff"), browserHeaders())) {
            withToken.register("order:created").sync();
        }
        assertEquals(1, backend.connects.size());
    }

    @Test
    void theCookiesOfASockJsFallbackSessionReachTheBackendThoughVertxWebDropsThem() throws Exception {
        start(false);
        backend.connect = request -> Reply.of(200, claims("c-8", "customer"));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String session = "http://127.0.0.1:" + node.port() + "/eventbus/321/" + UUID.randomUUID().toString().replace("-", "") + "/";
        HttpResponse<String> opened = http.send(HttpRequest.newBuilder(URI.create(session + "xhr")).timeout(Duration.ofSeconds(30))
                .header("Cookie", "session=xhr-9").header("User-Agent", "ProxyIT-xhr")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(opened.body().startsWith("o"), opened.body());
        Eventually.assertEventually("the backend was asked", () -> backend.connects.size() == 1);
        assertEquals("session=xhr-9", backend.connects.get(0).getJsonObject("headers").getString("cookie"));
        assertEquals("ProxyIT-xhr", backend.connects.get(0).getJsonObject("headers").getString("user-agent"));
    }

    @Test
    void aStoppedNodeLeavesNoConnectionToTheBackendOpen() throws Exception {
        start(false);
        backend.connect = request -> Reply.of(200, claims("c-8", "customer"));
        try (BridgeClient client = connect(null, browserHeaders())) {
            client.register("customer:activity").sync();
            Eventually.assertEventually("the connect proxy keeps its connection to the backend alive", () -> backend.open.get() >= 1);
        }
        node.close().await();
        node = null;
        Eventually.assertEventually("a stopped node leaves no connection to the backend open (open: " + backend.open.get() + ")",
                () -> backend.open.get() == 0);
    }

    @Test
    void a401IsAGuestWithAnonymousAccessAndA403RefusesAsAnInvalidToken() {
        start(true);
        backend.connect = request -> Reply.of(401, null);
        try (BridgeClient guest = connect(null, browserHeaders())) {
            guest.register("order:created");
            JsonObject err = guest.next(BridgeClient.err("order:created"));
            assertEquals("access_denied", err.getString("failureType"));
            assertTrue(err.getString("message").contains("guest"), err.encode());
        }
        backend.connect = request -> Reply.of(403, new JsonObject().put("error", "banned"));
        try (BridgeClient refused = connect(null, browserHeaders())) {
            assertEquals("token_invalid", refusal(refused));
        }
    }

    @Test
    void a401WithoutAnonymousAccessIsRefusedAsWithoutAToken() {
        start(false);
        backend.connect = request -> Reply.of(401, null);
        try (BridgeClient refused = connect(null, browserHeaders())) {
            assertEquals("token_required", refusal(refused));
        }
        backend.connect = request -> Reply.of(200, new JsonObject().put("sub", "c-1").put("role", "customer")); // no exp
        try (BridgeClient refused = connect(null, browserHeaders())) {
            assertEquals("token_invalid", refusal(refused), "exp is required with auth.requireExpiry");
        }
    }

    @Test
    void aSlowBackendAndAFailingOneFailClosedTheCircuitOpensThenHalfOpensAndRecovers() {
        start(true);
        backend.connect = request -> new Reply(200, claims("c-1", "customer"), -1); // never answers (released after the test)
        try (BridgeClient slow = connect(null, browserHeaders())) {
            assertEquals("unavailable", refusal(slow), "no answer within timeoutMs: closed, not a guest");
        }
        Eventually.assertEventually("a timeout counted", () -> totals(node, "proxyTimeouts").getLong("connect", 0L) == 1);

        backend.connect = request -> Reply.of(500, new JsonObject());
        try (BridgeClient failing = connect(null, browserHeaders())) {
            assertEquals("unavailable", refusal(failing));
        }
        // the timeout and this 500 are the breaker's 2 failures: the circuit is open
        Eventually.assertEventually("the circuit opened", () -> totals(node, "proxyBreaker").getLong("connect", 0L) == 2);
        int asked = backend.connects.size();
        try (BridgeClient refused = connect(null, browserHeaders())) {
            assertEquals("unavailable", refusal(refused));
        }
        assertEquals(asked, backend.connects.size(), "an open circuit does not ask the backend");
        Eventually.assertEventually("refused without asking, counted", () -> totals(node, "proxyRejected").getLong("connect", 0L) >= 1);

        backend.connect = request -> Reply.of(200, claims("c-3", "customer"));
        // after breakerResetMs one connection tries the backend (half-open); its success closes the circuit
        Eventually.assertWithin(30, "a connection opens again", () -> {
            try (BridgeClient client = connect(null, browserHeaders())) {
                client.request("customer:activity", new JsonObject(), "r");
                JsonObject answer = client.poll(Duration.ofSeconds(5));
                return answer != null && "rec".equals(answer.getString("type"));
            } catch (RuntimeException refusedWhileOpen) {
                return false; // closed with unavailable before the request was written
            }
        });
        Eventually.assertEventually("the circuit closed", () -> totals(node, "proxyBreaker").getLong("connect", 0L) == 0);
        assertTrue(totals(node, "proxyFailures").getLong("connect", 0L) >= 1);
        assertTrue(totals(node, "proxyCalls").getLong("connect", 0L) >= 3);
    }

    @Test
    void aPublishOfAProxiedTypeIsPublishedWithTheBackendsDataStampedAfterAndTheSendReplyCarriesIt() {
        start(true);
        String token = TestNodes.token(node, "c-7", "customer");
        backend.publish = request -> Reply.of(200, new JsonObject().put("data", request.getJsonObject("data").copy()
                .put("productName", "Desk lamp").put("customerId", "someone-else")));
        try (BridgeClient client = connect(token, null)) {
            client.request("customer:viewing_product", new JsonObject().put("productId", "p-1").put("customerId", "forged"), "r1");
            JsonObject reply = client.next(BridgeClient.rec("r1")).getJsonObject("body");
            assertTrue(reply.getLong("seq") > 0 && reply.getString("id") != null && reply.getString("epoch") != null, reply.encode());
            assertEquals("Desk lamp", reply.getJsonObject("data").getString("productName"));
            assertEquals("c-7", reply.getJsonObject("data").getString("customerId"), "identity stamped after the backend");

            // the backend was told who, what type and the client's own data
            JsonObject asked = backend.publishes.get(0);
            assertEquals(new JsonObject().put("user", "c-7").put("role", "customer").put("type", "customer:viewing_product")
                    .put("data", new JsonObject().put("productId", "p-1").put("customerId", "forged")), asked);
            JsonObject event = TestNodes.history(node, "customer:viewing_product", "").getJsonArray("events").getJsonObject(0);
            assertEquals("Desk lamp", event.getJsonObject("data").getString("productName"));
            assertEquals("c-7", event.getJsonObject("data").getString("customerId"));

            // a backend that gives no data: the client's (stamped) is published, and the reply is the usual one
            backend.publish = request -> Reply.of(200, new JsonObject());
            client.request("customer:viewing_product", new JsonObject().put("productId", "p-2"), "r2");
            JsonObject plain = client.next(BridgeClient.rec("r2")).getJsonObject("body");
            assertFalse(plain.containsKey("data"), plain.encode());

            // another type never reaches the backend
            client.request("customer:activity", new JsonObject().put("page", "/"), "r3");
            client.next(BridgeClient.rec("r3"));
            assertEquals(2, backend.publishes.size());
        }
    }

    @Test
    void aRefusedPublishIsAnAccessDeniedErrWithTheBackendsMessage() {
        start(true);
        backend.publish = request -> Reply.of(403, new JsonObject().put("error", "product p-9 is not for sale"));
        try (BridgeClient client = connect(TestNodes.token(node, "c-7", "customer"), null)) {
            client.request("customer:viewing_product", new JsonObject().put("productId", "p-9"), "r1");
            JsonObject err = client.next(BridgeClient.err("r1"));
            assertEquals("access_denied", err.getString("failureType"));
            assertEquals("product p-9 is not for sale", err.getString("message"));
            client.publish("customer:viewing_product", new JsonObject().put("productId", "p-9"));
            JsonObject second = client.next(BridgeClient.err("customer:viewing_product"));
            assertEquals("access_denied", second.getString("failureType"), second.encode());
        }
        assertEquals(2, backend.publishes.size());
        // a role whose publish list lacks the type is refused before the backend is asked
        backend.connect = request -> Reply.of(401, null);
        try (BridgeClient guest = connect(null, null)) {
            guest.request("customer:viewing_product", new JsonObject().put("productId", "p-9"), "r2");
            JsonObject err = guest.next(BridgeClient.err("r2"));
            assertEquals("access_denied", err.getString("failureType"));
            assertTrue(err.getString("message").contains("role guest may not publish"), err.encode());
        }
        assertEquals(2, backend.publishes.size(), "the backend was not asked");
        JsonObject history = TestNodes.history(node, "customer:viewing_product", "");
        assertEquals(0, history.getJsonArray("events").size(), "nothing published: " + history.encode());
    }

    @Test
    void pastMaxConcurrentAPublishIsRefusedUnavailableAtOnce() {
        node = TestNodes.start(TestNodes.config(proxies(true, 1)));
        backend.publish = request -> new Reply(200, new JsonObject(), -1); // held until the test lets it go
        try (BridgeClient first = connect(TestNodes.token(node, "c-1", "customer"), null);
             BridgeClient second = connect(TestNodes.token(node, "c-2", "customer"), null)) {
            first.request("customer:viewing_product", new JsonObject().put("productId", "p-1"), "r1");
            Eventually.assertEventually("the first is with the backend", () -> backend.held.size() == 1);
            second.request("customer:viewing_product", new JsonObject().put("productId", "p-2"), "r2");
            JsonObject err = second.next(BridgeClient.err("r2"));
            assertEquals("unavailable", err.getString("failureType"), err.encode());
            backend.held.get(0).complete();
            assertTrue(first.next(BridgeClient.rec("r1")).getJsonObject("body").getLong("seq") > 0);
        }
        assertEquals(1, backend.publishes.size(), "the refused one never reached the backend");
        Eventually.assertEventually("counted", () -> totals(node, "proxyRejected").getLong("publish", 0L) == 1);
    }
}
