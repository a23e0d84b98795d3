package io.herald;

import com.sun.net.httpserver.HttpServer;
import io.herald.node.HeraldNode;
import io.herald.testing.BridgeClient;
import io.herald.testing.Eventually;
import io.herald.testing.TestJwks;
import io.herald.testing.TestJwks.SigningKey;
import io.herald.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 23 item 3 on real nodes and a real HTTP server serving the identity provider's JWKS (the JDK's HttpServer on
 * loopback, keys made with java.security in the test): every algorithm's token opens a connection; keys rotate (a new
 * kid is accepted, a removed one refused); unknown kids fetch the set at most once per auth.jwksMinRefetchSeconds
 * (counted at the server); a provider down at start leaves the node unready until its keys arrive; Keycloak-shaped
 * roles go through auth.claims.roleMap (and revocation goes by the mapped user); the HS256 previous secret is accepted until its time, then refused;
 * a flood of EC tokens is capped at 64 checks in flight per node (the rest refused unavailable) while HS256 clients connect.
 */
class JwksIT {
    static Vertx clients;

    @BeforeAll
    static void start() {
        clients = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        clients.close().await();
    }

    /** A JWKS endpoint: serves the keys it is given, with a Cache-Control max-age, and counts the requests. */
    static final class Provider implements AutoCloseable {
        final int port;
        final List<SigningKey> keys = new CopyOnWriteArrayList<>();
        final AtomicInteger requests = new AtomicInteger();
        volatile String cacheControl;
        HttpServer server;

        Provider(int port, String cacheControl, List<SigningKey> keys) {
            this.port = port;
            this.cacheControl = cacheControl;
            this.keys.addAll(keys);
        }

        Provider up() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            server.createContext("/realms/shop/protocol/openid-connect/certs", exchange -> {
                requests.incrementAndGet();
                byte[] body = TestJwks.document(List.copyOf(keys)).encode().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                if (cacheControl != null) {
                    exchange.getResponseHeaders().add("Cache-Control", cacheControl);
                }
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            return this;
        }

        String url() {
            return "http://127.0.0.1:" + port + "/realms/shop/protocol/openid-connect/certs";
        }

        @Override
        public void close() {
            if (server != null) {
                server.stop(0);
            }
        }
    }

    static HeraldNode node(Provider provider, int minRefetch, int minRefresh, int maxRefresh, Consumer<JsonObject> auth) {
        return TestNodes.start(TestNodes.config(json -> {
            JsonObject a = json.getJsonObject("auth").put("jwksUrl", provider.url()).put("jwksMinRefetchSeconds", minRefetch)
                    .put("jwksMinRefreshSeconds", minRefresh).put("jwksMaxRefreshSeconds", maxRefresh);
            auth.accept(a);
        }));
    }

    /** "open" when a connection with this token is admitted, else the code it was refused with. */
    static String connect(HeraldNode node, String token) {
        try (BridgeClient client = BridgeClient.connect(clients, node.port(), token)) {
            try {
                client.register("probe:none");
            } catch (Throwable refusedFirst) {
                // the hub refused and closed before the probe went out: its err frame is queued all the same
            }
            JsonObject first = client.poll(BridgeClient.WAIT);
            if (first == null && client.isClosed()) {
                // refused before the client saw its handshake complete: Vert.x's client dropped the err, the close says
                // why: the code whose refusal closes with that reason (token_invalid: itself; revoked: token_revoked)
                return BridgeClient.refusalOfClose(client.closeReason());
            }
            if (first == null) {
                throw new AssertionError("no frame within " + BridgeClient.WAIT + " and not closed");
            }
            return "probe:none".equals(first.getString("address")) ? "open" : first.getString("failureType");
        }
    }

    static JsonObject claims(String sub, String role) {
        return TestJwks.claims(sub, role);
    }

    @Test
    void everyAlgorithmRotationAndRefreshOfAnIdentityProviderToken() throws IOException {
        SigningKey rs = TestJwks.rsa("rs-1", "RS256");
        SigningKey ps = TestJwks.rsa("ps-1", "PS256");
        SigningKey es = TestJwks.ec("es-1");
        SigningKey ed = TestJwks.ed25519("ed-1");
        try (Provider provider = new Provider(TestNodes.freePort(), "public, max-age=1", List.of(rs, ps, es, ed)).up()) {
            HeraldNode node = node(provider, 1, 1, 2, a -> { });
            try {
                assertEquals(200, TestNodes.http("GET", node.port(), "/ready", null, null).status(), "the keys arrived at start: ready");
                for (SigningKey key : List.of(rs, ps, es, ed)) {
                    assertEquals("open", connect(node, key.sign(claims("u-" + key.alg(), "staff"))), key.alg());
                }
                assertEquals("token_invalid", connect(node, TestJwks.rsa("rs-1", "RS256").sign(claims("forger", "admin"))), "another key under a known kid");

                // rotation: the provider adds rs-2; a token signed with it is accepted (an unknown kid fetches the set)
                SigningKey next = TestJwks.rsa("rs-2", "RS256");
                provider.keys.add(next);
                assertEquals("open", connect(node, next.sign(claims("u-2", "staff"))));

                // a connection opened with rs-1 refreshes its token (herald:token) with one signed by rs-2
                try (BridgeClient client = BridgeClient.connect(clients, node.port(), rs.sign(claims("refresher", "staff")))) {
                    client.register("order:created").sync();
                    client.request("herald:token", new JsonObject().put("token", next.sign(claims("refresher", "manager"))), "refresh-1");
                    JsonObject reply = client.next(f -> "refresh-1".equals(f.getString("address")));
                    assertEquals("rec", reply.getString("type"), reply.encode());
                    client.register("payment:received").sync();
                    client.request("herald:token", new JsonObject().put("token", TestJwks.rsa("rs-2", "RS256").sign(claims("refresher", "admin"))), "refresh-2");
                    assertEquals("token_invalid", client.next(f -> "refresh-2".equals(f.getString("address"))).getString("failureType"));
                }

                // the provider drops rs-1: once the set is fetched again (max-age 1 s), rs-1 tokens are refused
                provider.keys.remove(rs);
                Eventually.assertEventually("rs-1 refused after its removal", () -> "token_invalid".equals(connect(node, rs.sign(claims("late", "staff")))));
                assertEquals("open", connect(node, next.sign(claims("u-3", "staff"))));

                JsonObject stats = TestNodes.http("GET", node.port(), "/api/stats", "Bearer " + node.config().apiKey(), null).json();
                JsonObject self = stats.getJsonArray("nodes").getJsonObject(0);
                assertEquals(4, self.getInteger("jwksKeys"), stats.encode());
                assertTrue(self.getLong("jwksFetches") >= 2, stats.encode());
                assertEquals(0L, self.getLong("jwksFailures"), stats.encode());
                String metrics = TestNodes.http("GET", node.port(), "/metrics", "Bearer " + node.config().apiKey(), null).body();
                assertTrue(metrics.contains("herald_jwks_keys 4.0"), metrics.lines().filter(l -> l.contains("jwks")).toList().toString());
            } finally {
                node.close().await();
            }
        }
    }

    @Test
    void anUnknownKidFetchesTheSetAtMostOncePerMinRefetch() throws IOException {
        SigningKey rs = TestJwks.rsa("rs-1", "RS256");
        try (Provider provider = new Provider(TestNodes.freePort(), "max-age=86400", List.of(rs)).up()) {
            HeraldNode node = node(provider, 3600, 3600, 3600, a -> { });
            try {
                assertEquals(1, provider.requests.get(), "fetched once at start");
                for (int i = 0; i < 5; i++) {
                    assertEquals("token_invalid", connect(node, TestJwks.rsa("unknown-" + i, "RS256").sign(claims("u", "staff"))));
                }
                assertEquals(2, provider.requests.get(), "five unknown kids: one more request, not five");
                // the provider now lists a new key, but the next refetch is an hour away: its tokens are refused meanwhile
                SigningKey late = TestJwks.rsa("rs-late", "RS256");
                provider.keys.add(late);
                assertEquals("token_invalid", connect(node, late.sign(claims("u", "staff"))));
                assertEquals(2, provider.requests.get());
                assertEquals("open", connect(node, rs.sign(claims("u", "staff"))), "known kids are not affected");
            } finally {
                node.close().await();
            }
        }
    }

    @Test
    void aProviderDownAtStartLeavesTheNodeUnreadyUntilItsKeysArrive() throws IOException {
        SigningKey es = TestJwks.ec("es-1");
        Provider provider = new Provider(TestNodes.freePort(), null, List.of(es));
        HeraldNode node = node(provider, 30, 60, 3600, a -> { });
        try {
            TestNodes.Response ready = TestNodes.http("GET", node.port(), "/ready", null, null);
            assertEquals(503, ready.status(), ready.body());
            assertTrue(ready.body().contains("identity provider's keys have not been fetched yet"), ready.body());
            assertEquals("unavailable", connect(node, es.sign(claims("early", "staff"))), "no keys yet: come back later (or to another node)");
            assertEquals(200, TestNodes.http("GET", node.port(), "/health", null, null).status(), "alive all along");
            provider.up();
            Eventually.assertWithin(60, "ready once the provider answers (retries back off: 1 s, 2 s, 4 s …)",
                    () -> TestNodes.http("GET", node.port(), "/ready", null, null).status() == 200);
            assertEquals("open", connect(node, es.sign(claims("later", "staff"))));
            JsonObject self = TestNodes.http("GET", node.port(), "/api/stats", "Bearer " + node.config().apiKey(), null).json()
                    .getJsonArray("nodes").getJsonObject(0);
            assertTrue(self.getLong("jwksFailures") >= 1, self.encode());
            assertEquals(1, self.getInteger("jwksKeys"));
        } finally {
            node.close().await();
            provider.close();
        }
    }

    @Test
    void keycloakRealmRolesMapToHeraldRoles() throws IOException {
        SigningKey rs = TestJwks.rsa("kc-1", "RS256");
        try (Provider provider = new Provider(TestNodes.freePort(), "no-cache", List.of(rs)).up()) {
            HeraldNode node = node(provider, 30, 60, 3600, a -> a.put("claims", new JsonObject().put("user", "preferred_username")
                    .put("role", "realm_access.roles").put("storeId", "storeId")
                    .put("roleMap", new JsonObject().put("shop-staff", "staff").put("shop-manager", "manager"))));
            try {
                long now = System.currentTimeMillis() / 1000;
                JsonObject keycloak = new JsonObject().put("sub", "f81d4fae-7dec").put("preferred_username", "alice").put("iat", now).put("exp", now + 600)
                        .put("iss", "http://127.0.0.1/realms/shop").put("typ", "Bearer").put("azp", "shop-dashboard")
                        .put("realm_access", new JsonObject().put("roles", new JsonArray().add("offline_access").add("shop-manager").add("shop-staff")));
                try (BridgeClient manager = BridgeClient.connect(clients, node.port(), rs.sign(keycloak))) {
                    manager.register("payment:received").register("system:alert");
                    JsonObject denied = manager.next(f -> "system:alert".equals(f.getString("address")));
                    assertEquals("access_denied", denied.getString("failureType"), "a manager does not read system events");
                    manager.sync();
                    TestNodes.publish(node, "payment:received", new JsonObject().put("paymentId", "p-1").put("customerId", "c-1"));
                    assertEquals("p-1", manager.events("payment:received", 1).get(0).getJsonObject("data").getString("paymentId"),
                            "shop-manager (the first mapped role in the token's order) reads payments");
                }
                // revocation goes by the mapped user id (preferred_username): alice's provider tokens issued before the cutoff are refused
                String stolen = rs.sign(keycloak.copy().put("iat", now - 120));
                assertEquals("open", connect(node, stolen));
                TestNodes.Response revoked = TestNodes.http("POST", node.port(), "/api/disconnect", "Bearer " + node.config().apiKey(),
                        new JsonObject().put("users", new JsonArray().add("alice")).put("revokeTokensIssuedBefore", now - 30).encode());
                assertEquals(200, revoked.status(), revoked.body());
                assertEquals("token_revoked", connect(node, stolen));
                assertEquals("open", connect(node, rs.sign(keycloak.copy().put("iat", now))), "a token issued after the cutoff");

                keycloak.getJsonObject("realm_access").put("roles", new JsonArray().add("offline_access").add("uma_authorization"));
                assertEquals("token_invalid", connect(node, rs.sign(keycloak)), "no mapped role");
            } finally {
                node.close().await();
            }
        }
    }

    @Test
    void thePreviousHs256SecretIsAcceptedUntilItsTimeThenRefused() {
        String previous = "the-previous-secret-of-at-least-32-bytes!";
        long until = System.currentTimeMillis() / 1000 + 3;
        HeraldNode node = TestNodes.start(TestNodes.config(json -> json.getJsonObject("auth")
                .put("previousJwtSecret", previous).put("previousJwtSecretUntil", until)));
        try {
            String old = hs256(previous, claims("old", "staff"));
            String current = hs256(node.config().auth().jwtSecret(), claims("new", "staff"));
            assertEquals("open", connect(node, old), "before previousJwtSecretUntil");
            assertEquals("open", connect(node, current));
            Eventually.assertWithin(60, "the previous secret refused after previousJwtSecretUntil",
                    () -> "token_invalid".equals(connect(node, old)));
            assertTrue(System.currentTimeMillis() / 1000 >= until, "refused only once its time passed");
            assertEquals("open", connect(node, current));
        } finally {
            node.close().await();
        }
    }

    static String hs256(String secret, JsonObject claims) {
        return JWTAuth.create(clients, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)))
                .generateToken(claims, new JWTOptions().setAlgorithm("HS256").setNoTimestamp(true));
    }

    /** The EC/EdDSA token checks a node lets wait or run at once (TokenVerifier), and the flood that goes past them. */
    static final int CAP = 64;
    static final int FLOOD = 100;

    /** The first frame of a connection that sent nothing yet: its refusal's err, if it was refused; null if none came. */
    static JsonObject first(BridgeClient client) {
        return client.poll(Duration.ofMillis(1));
    }

    /**
     * The attack the cap of EC/EdDSA token checks answers (TokenVerifier, at most 64 waiting or running per node): a flood of
     * connections carrying well-formed ES256 tokens of the identity provider (a real JWKS server on loopback), each a
     * signature check of milliseconds on the shared worker pool. The pool is held busy here (its threads wait on a latch,
     * as behind slow blocking work), so every check the node admits waits: the node admits 64, refuses every one beyond
     * with {@code unavailable} (an err, then the close that tells the client to reconnect) at once, instead of queueing
     * them without end; HS256 clients, verified on their event loop, connect meanwhile; once the pool is free the 64
     * waiting connections open and a new EC connection is admitted again.
     */
    @Test
    void aFloodOfEcTokensIsCappedAt64ChecksInFlightAndHs256ClientsStillConnect() throws Exception {
        SigningKey es = TestJwks.ec("es-1");
        try (Provider provider = new Provider(TestNodes.freePort(), "max-age=86400", List.of(es)).up()) {
            HeraldNode node = node(provider, 3600, 3600, 3600, a -> { });
            CountDownLatch release = new CountDownLatch(1);
            List<BridgeClient> flood = new java.util.concurrent.CopyOnWriteArrayList<>();
            try {
                assertEquals("open", connect(node, es.sign(claims("before", "staff"))), "an EC token opens a connection");

                holdWorkerPool(node, release, 120);

                // all at once, from as many threads
                java.util.concurrent.ExecutorService connecting = java.util.concurrent.Executors.newFixedThreadPool(FLOOD);
                List<java.util.concurrent.Future<BridgeClient>> attempts = new ArrayList<>();
                for (int i = 0; i < FLOOD; i++) {
                    String token = es.sign(claims("ec-" + i, "staff"));
                    // a refusal that closes the socket before the client saw its handshake complete still returns a
                    // closed client with the node's close code and reason (BridgeClient.connect); anything else fails here
                    attempts.add(connecting.submit(() -> BridgeClient.connect(clients, node.port(), token)));
                }
                connecting.shutdown(); // its threads end once the attempts are done
                for (java.util.concurrent.Future<BridgeClient> attempt : attempts) {
                    flood.add(attempt.get(120, TimeUnit.SECONDS));
                }
                // beyond the cap, refused at once: unavailable, then closed
                Eventually.assertWithin(60, (FLOOD - CAP) + " of " + FLOOD + " EC connections refused", () ->
                        flood.stream().filter(BridgeClient::isClosed).count() == FLOOD - CAP);
                int unavailable = 0;
                List<BridgeClient> waiting = new ArrayList<>();
                List<String> otherRefusals = new ArrayList<>();
                for (BridgeClient client : flood) {
                    if (!client.isClosed()) {
                        waiting.add(client);
                        continue;
                    }
                    // each refused client heard why: the close 1013 unavailable (what the vocabulary names for a
                    // refusal with the err unavailable), and that err before it when the client saw it (one refused
                    // before its handshake completed in Vert.x's client loses the err, never the close's code and reason)
                    JsonObject err = first(client);
                    CloseReason close = CloseReason.forRefusal(ErrorCode.UNAVAILABLE);
                    boolean errSaysUnavailable = err == null || "err".equals(err.getString("type")) && "unavailable".equals(err.getString("failureType"));
                    if (close == CloseReason.UNAVAILABLE && Integer.valueOf(close.code()).equals(client.closeCode())
                            && close.id().equals(client.closeReason()) && errSaysUnavailable) {
                        unavailable++;
                    } else {
                        otherRefusals.add("close " + client.closeCode() + " " + client.closeReason() + ", err " + err);
                    }
                }
                assertEquals(List.of(), otherRefusals, "every refusal is unavailable");
                assertEquals(FLOOD - CAP, unavailable, "the connections beyond the cap refused with unavailable");
                assertEquals(CAP, waiting.size(), "64 checks wait for the pool");

                // an HS256 client is verified on its event loop: not behind the flood
                try (BridgeClient hs = BridgeClient.connect(clients, node.port(), TestNodes.token(node, "hs-1", "staff"))) {
                    hs.register("order:created").sync();
                }
                assertEquals(CAP, waiting.stream().filter(c -> !c.isClosed()).count(), "the waiting ones still wait");

                // the pool free again: the 64 waiting connections open, and the cap is free again for new ones
                release.countDown();
                for (BridgeClient client : waiting) {
                    client.register("order:created").sync();
                }
                assertEquals("open", connect(node, es.sign(claims("after", "staff"))), "the cap is released");
            } finally {
                release.countDown();
                flood.forEach(BridgeClient::close);
                node.close().await();
            }
        }
    }

    /**
     * A check that waits longer than the event-bus request between the bridge and the auth verticle (30 s; the worker
     * pool held busy, as behind slow blocking work) is refused {@code unavailable}, a retry, not {@code internal_error};
     * once the pool is free again an EC token connects.
     */
    @Test
    void aCheckThatWaitsPastTheAuthRequestTimeoutIsRefusedUnavailable() throws Exception {
        SigningKey es = TestJwks.ec("es-1");
        try (Provider provider = new Provider(TestNodes.freePort(), "max-age=86400", List.of(es)).up()) {
            HeraldNode node = node(provider, 3600, 3600, 3600, a -> { });
            CountDownLatch release = new CountDownLatch(1);
            try {
                assertEquals("open", connect(node, es.sign(claims("before", "staff"))), "an EC token opens a connection");
                holdWorkerPool(node, release, 180);
                try (BridgeClient waiting = BridgeClient.connect(clients, node.port(), es.sign(claims("waits", "staff")))) {
                    JsonObject err = waiting.poll(Duration.ofSeconds(120));
                    assertTrue(err != null && "unavailable".equals(err.getString("failureType")), "refused with unavailable: " + err);
                }
                release.countDown();
                assertEquals("open", connect(node, es.sign(claims("after", "staff"))), "the pool free again");
            } finally {
                release.countDown();
                node.close().await();
            }
        }
    }

    /** Holds every thread of the node's shared worker pool (Vert.x's default size) busy until {@code release}, at most {@code seconds}. */
    private static void holdWorkerPool(HeraldNode node, CountDownLatch release, int seconds) {
        int pool = VertxOptions.DEFAULT_WORKER_POOL_SIZE;
        AtomicInteger busy = new AtomicInteger();
        for (int i = 0; i < pool; i++) {
            node.vertx().executeBlocking(() -> {
                busy.incrementAndGet();
                return release.await(seconds, TimeUnit.SECONDS);
            }, false);
        }
        Eventually.assertWithin(30, "the worker pool is busy", () -> busy.get() == pool);
    }
}
