package io.herald;

import io.herald.node.HeraldNode;

import io.herald.config.ConfigException;
import io.herald.config.HeraldConfig;
import io.herald.testing.BridgeClient;
import io.herald.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Protection at the HTTP edge, on real nodes and sockets: the origin allow-list on WebSocket upgrades, SockJS
 * and the API (with CORS for listed origins), HTTPS/WSS from a certificate generated here, who may read
 * {@code /api/stats}, and the dev/prod defaults of the runnable jar.
 */
class SecurityIT {
    static final String SHOP = "https://shop.example.com";
    static final String EVIL = "https://evil.example.net";
    static final String RAW_PATH = "/eventbus/websocket";
    static final AtomicInteger SESSIONS = new AtomicInteger();
    // HTTP/1.1 as browsers and backends speak it here: the JDK's default h2c upgrade ends with a GOAWAY when the node drops an idle connection
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

    static Vertx clients;
    /** A node that lets browsers in only from {@link #SHOP} (and its own pages). */
    static HeraldNode node;

    @BeforeAll
    static void start() {
        clients = Vertx.vertx();
        node = TestNodes.start(TestNodes.config(json -> json.getJsonObject("http").put("allowedOrigins", new JsonArray().add(SHOP))));
    }

    @AfterAll
    static void stop() {
        node.close().await();
        clients.close().await();
    }

    // ---- origins: WebSocket upgrades ----

    @Test
    void aWebSocketUpgradeFromAForeignOriginIsRefusedWith403() {
        for (String path : List.of(RAW_PATH, sockJsPath("websocket"))) {
            assertEquals(403, rejectedUpgrade(node.port(), path, EVIL), path);
            assertEquals(403, rejectedUpgrade(node.port(), path, "null"), path); // sandboxed iframes, file: pages
        }
    }

    @Test
    void aWebSocketFromAListedOriginWithoutOriginOrFromTheNodesOwnPageConnectsAndReceives() {
        String own = "http://127.0.0.1:" + node.port(); // the console served by the node itself
        for (String origin : new String[] {SHOP, "HTTPS://Shop.Example.com:443", null, own}) {
            try (Ws ws = Ws.connect(clients, new WebSocketClientOptions(), node.port(), RAW_PATH, origin)) {
                ws.register("product:created").sync();
                TestNodes.publish(node, "product:created", new JsonObject().put("origin", String.valueOf(origin)));
                assertEquals(String.valueOf(origin), ws.event("product:created").getJsonObject("data").getString("origin"));
            }
        }
    }

    // ---- origins: SockJS over HTTP ----

    @Test
    void sockJsRequestsFromAForeignOriginAreRefusedWithTheJsonError() {
        String session = sockJsPath("");
        for (HttpResponse<String> refused : List.of(
                send("GET", "/eventbus/info", Map.of("Origin", EVIL), null),
                send("POST", session + "xhr", Map.of("Origin", EVIL), null),
                send("POST", session + "xhr_send", Map.of("Origin", EVIL), "[\"{}\"]"),
                send("POST", session + "xhr_streaming", Map.of("Origin", EVIL), null),
                send("OPTIONS", session + "xhr", Map.of("Origin", EVIL, "Access-Control-Request-Method", "POST"), null))) {
            assertEquals(403, refused.statusCode(), refused.uri() + " " + refused.body());
            assertEquals("access_denied", new JsonObject(refused.body()).getString("error"));
            assertTrue(refused.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
        }
    }

    @Test
    void sockJsRequestsFromAListedOriginGetCorsWithCredentials() {
        HttpResponse<String> info = send("GET", "/eventbus/info", Map.of("Origin", SHOP), null);
        assertEquals(200, info.statusCode());
        assertEquals(Optional.of(SHOP), info.headers().firstValue("Access-Control-Allow-Origin"));
        assertEquals(Optional.of("true"), info.headers().firstValue("Access-Control-Allow-Credentials"));

        HttpResponse<String> open = send("POST", sockJsPath("xhr"), Map.of("Origin", SHOP), null);
        assertEquals(200, open.statusCode());
        assertTrue(open.body().startsWith("o"), open.body());
        assertEquals(Optional.of(SHOP), open.headers().firstValue("Access-Control-Allow-Origin"));

        HttpResponse<String> preflight = send("OPTIONS", sockJsPath("xhr_send"),
                Map.of("Origin", SHOP, "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type"), null);
        assertEquals(204, preflight.statusCode());
        assertEquals(Optional.of(SHOP), preflight.headers().firstValue("Access-Control-Allow-Origin"));

        // non-browser clients and the node's own pages are not judged by origin
        assertEquals(200, send("GET", "/eventbus/info", Map.of(), null).statusCode());
        assertEquals(200, send("GET", "/eventbus/info", Map.of("Origin", "http://127.0.0.1:" + node.port()), null).statusCode());
    }

    /** vertx-web's eventsource transport sets no CORS header itself; the CORS handler in front adds it. */
    @Test
    void theEventSourceTransportCarriesCorsForAListedOrigin() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri(sockJsPath("eventsource"))).header("Origin", SHOP).GET().build();
        HttpResponse<InputStream> stream = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = stream.body()) {
            assertEquals(200, stream.statusCode());
            assertTrue(stream.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
            assertEquals(Optional.of(SHOP), stream.headers().firstValue("Access-Control-Allow-Origin"));
            assertEquals(Optional.of("true"), stream.headers().firstValue("Access-Control-Allow-Credentials"));
        }
        HttpResponse<String> refused = send("GET", sockJsPath("eventsource"), Map.of("Origin", EVIL), null);
        assertEquals(403, refused.statusCode());
    }

    /** SockJS's iframe transports make same-origin requests from inside a frame: only listed origins may frame them. */
    @Test
    void onlyListedOriginsMayFrameTheSockJsPages() {
        HttpResponse<String> iframe = send("GET", "/eventbus/iframe.html", Map.of(), null);
        assertEquals(200, iframe.statusCode());
        assertEquals(Optional.of("frame-ancestors 'self' " + SHOP), iframe.headers().firstValue("Content-Security-Policy"));
    }

    // ---- CORS for the HTTP API ----

    @Test
    void aCorsPreflightOnThePublishApiIsAnsweredForAListedOriginOnly() {
        Map<String, String> preflight = Map.of("Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization,content-type");
        HttpResponse<String> allowed = send("OPTIONS", "/api/events", with(preflight, "Origin", SHOP), null);
        assertEquals(204, allowed.statusCode());
        assertEquals(Optional.of(SHOP), allowed.headers().firstValue("Access-Control-Allow-Origin"));
        String methods = allowed.headers().firstValue("Access-Control-Allow-Methods").orElse("");
        assertTrue(methods.contains("POST") && methods.contains("GET") && methods.contains("OPTIONS"), methods);
        String headers = allowed.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase();
        assertTrue(headers.contains("authorization") && headers.contains("content-type"), headers);

        HttpResponse<String> foreign = send("OPTIONS", "/api/events", with(preflight, "Origin", EVIL), null);
        assertEquals(403, foreign.statusCode());
        assertTrue(foreign.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
        assertTrue(foreign.headers().firstValue("Access-Control-Allow-Methods").isEmpty());

        String event = "{\"type\":\"product:created\",\"data\":{}}";
        String key = "Bearer " + node.config().apiKey();
        HttpResponse<String> published = send("POST", "/api/events", Map.of("Origin", SHOP, "Authorization", key, "Content-Type", "application/json"), event);
        assertEquals(202, published.statusCode(), published.body());
        assertEquals(Optional.of(SHOP), published.headers().firstValue("Access-Control-Allow-Origin"));
        HttpResponse<String> fromForeignPage = send("POST", "/api/events", Map.of("Origin", EVIL, "Authorization", key, "Content-Type", "application/json"), event);
        assertEquals(403, fromForeignPage.statusCode());
        assertEquals("access_denied", new JsonObject(fromForeignPage.body()).getString("error"));
        assertEquals(202, send("POST", "/api/events", Map.of("Authorization", key), event).statusCode()); // a backend: no Origin
    }

    @Test
    void withoutAnOriginListEveryOriginIsAllowed() {
        HeraldNode open = TestNodes.start(TestNodes.config(json -> { }));
        try {
            assertTrue(open.config().http().allowedOrigins().isEmpty());
            try (Ws ws = Ws.connect(clients, new WebSocketClientOptions(), open.port(), RAW_PATH, EVIL)) {
                ws.register("product:created").sync();
            }
            HttpResponse<String> info = send(open.port(), "GET", "/eventbus/info", Map.of("Origin", EVIL), null);
            assertEquals(200, info.statusCode());
            assertEquals(Optional.of(EVIL), info.headers().firstValue("Access-Control-Allow-Origin"));
            assertTrue(info.headers().firstValue("Content-Security-Policy").isEmpty());
        } finally {
            open.close().await();
        }
    }

    @Test
    void anEntryThatIsNotAnOriginStopsTheNodeNamingTheKey() {
        HeraldConfig config = TestNodes.config(json -> json.getJsonObject("http").put("allowedOrigins", new JsonArray().add("shop.example.com")));
        Future<HeraldNode> started = HeraldNode.start(config);
        assertThrows(Throwable.class, started::await);
        assertTrue(started.cause() instanceof ConfigException, String.valueOf(started.cause()));
        assertTrue(started.cause().getMessage().startsWith("http.allowedOrigins (HERALD_ALLOWED_ORIGINS)"), started.cause().getMessage());
    }

    // ---- who may read /api/stats ----

    @Test
    void statsNeedTheApiKeyOrAnAdminToken() {
        TestNodes.Response none = TestNodes.http("GET", node.port(), "/api/stats", null, null);
        assertEquals(401, none.status());
        assertEquals("unauthorized", none.json().getString("error"));
        assertEquals(401, TestNodes.http("GET", node.port(), "/api/stats", "Bearer wrong-key", null).status());
        assertEquals(401, TestNodes.http("GET", node.port(), "/api/stats?token=not.a.jwt", null, null).status());

        TestNodes.Response withKey = TestNodes.http("GET", node.port(), "/api/stats", "Bearer " + node.config().apiKey(), null);
        assertEquals(200, withKey.status(), withKey.body());
        assertEquals(1, withKey.json().getJsonObject("totals").getInteger("nodes"));
        String admin = TestNodes.token(node, "ops-1", "admin");
        assertEquals(200, TestNodes.http("GET", node.port(), "/api/stats", "Bearer " + admin, null).status());
        assertEquals(200, TestNodes.http("GET", node.port(), "/api/stats?token=" + admin, null, null).status()); // as the console sends it

        for (String role : List.of("staff", "manager", "customer")) {
            TestNodes.Response refused = TestNodes.http("GET", node.port(), "/api/stats", "Bearer " + TestNodes.token(node, "u-1", role), null);
            assertEquals(403, refused.status(), role);
            assertEquals("access_denied", refused.json().getString("error"));
        }
        // what names no user or connection stays open
        for (String open : List.of("/health", "/metrics", "/api/catalog", "/")) {
            assertEquals(200, TestNodes.http("GET", node.port(), open, null, null).status(), open);
        }
    }

    // ---- TLS ----

    @Test
    void tlsServesWssAndHttpsOnThePortFromAPemCertificateAndKey(@TempDir Path dir) throws Exception {
        SelfSigned cert = SelfSigned.generate(dir);
        HeraldNode tls = TestNodes.start(TestNodes.config(json -> json.getJsonObject("http")
                .put("allowedOrigins", new JsonArray().add(SHOP))
                .put("tlsCert", cert.certPem().toString())
                .put("tlsKey", cert.keyPem().toString())));
        try {
            WebSocketClientOptions wss = new WebSocketClientOptions().setSsl(true).setVerifyHost(true)
                    .setTrustOptions(new PemTrustOptions().addCertPath(cert.certPem().toString()));
            HttpClient https = HttpClient.newBuilder().sslContext(cert.trustingContext()).connectTimeout(Duration.ofSeconds(10)).build();
            String ownPage = "https://127.0.0.1:" + tls.port();
            try (Ws ws = Ws.connect(clients, wss, tls.port(), RAW_PATH + "?token=" + TestNodes.token(tls, "ops-1", "admin"), ownPage)) {
                ws.register("system:alert").sync();
                HttpResponse<String> published = https.send(HttpRequest.newBuilder(URI.create(ownPage + "/api/events"))
                        .header("Authorization", "Bearer " + tls.config().apiKey())
                        .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"system:alert\",\"data\":{\"over\":\"tls\"}}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(202, published.statusCode(), published.body());
                assertEquals("tls", ws.event("system:alert").getJsonObject("data").getString("over"));
            }
            HttpResponse<String> stats = https.send(HttpRequest.newBuilder(URI.create(ownPage + "/api/stats"))
                    .header("Authorization", "Bearer " + tls.config().apiKey()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, stats.statusCode());
            // the origin check holds over TLS as well, and nothing answers in plain HTTP on the port
            assertEquals(403, rejectedUpgrade(wss, tls.port(), RAW_PATH, EVIL));
            assertThrows(IOException.class, () -> HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tls.port() + "/health"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()));
        } finally {
            tls.close().await();
        }
    }

    @Test
    void aMissingCertificateStopsTheNodeNamingTheKeys(@TempDir Path dir) throws Exception {
        Path key = Files.writeString(dir.resolve("key.pem"), "not a key");
        HeraldConfig config = TestNodes.config(json -> json.getJsonObject("http")
                .put("tlsCert", dir.resolve("missing.pem").toString()).put("tlsKey", key.toString()));
        Future<HeraldNode> started = HeraldNode.start(config);
        assertThrows(Throwable.class, started::await);
        assertTrue(started.cause() instanceof ConfigException, String.valueOf(started.cause()));
        assertTrue(started.cause().getMessage().startsWith("http.tlsCert (HERALD_TLS_CERT) / http.tlsKey (HERALD_TLS_KEY)"),
                started.cause().getMessage());
    }

    // ---- defaults of the runnable jar ----

    @Test
    void devModeListensOnLoopbackAndItsBannerUrlsWork() throws Exception {
        int port = TestNodes.freePort();
        NodeProcessIT.Running dev = NodeProcessIT.run(Map.of(HeraldConfig.ENV_HTTP_PORT, String.valueOf(port),
                HeraldConfig.ENV_CLUSTER, "false", HeraldConfig.ENV_DEMO, "false"));
        try {
            dev.awaitLine("up on port " + port);
            assertTrue(dev.awaitLine("listening on").contains("127.0.0.1"));
            String console = dev.awaitLine("console:");
            String url = console.substring(console.indexOf("http"));
            assertTrue(url.startsWith("http://127.0.0.1:" + port + "/?token="), url);
            String token = url.substring(url.indexOf("token=") + "token=".length());

            HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("Herald console"));
            // what the console does with that token: stats, and a socket from its own page
            assertEquals(200, TestNodes.http("GET", port, "/api/stats", "Bearer " + token, null).status());
            try (BridgeClient admin = BridgeClient.connect(clients, port, token)) {
                admin.register("system:alert").sync();
            }
            for (InetAddress address : nonLoopbackAddresses()) {
                try (Socket socket = new Socket()) {
                    assertThrows(ConnectException.class, () -> socket.connect(new InetSocketAddress(address, port), 5000),
                            "dev mode must not listen on " + address);
                }
            }
        } finally {
            dev.process().destroy();
            dev.process().waitFor(60, TimeUnit.SECONDS);
            dev.process().destroyForcibly();
        }
    }

    static final String STRONG_SECRET = "a-production-secret-of-more-than-32-bytes-" + UUID.randomUUID();
    static final String STRONG_KEY = "prod-api-key-" + UUID.randomUUID();

    @Test
    void prodModeSaysWhichSafetySettingIsMissing() throws Exception {
        NodeProcessIT.assertRefusesToStart(prod(Map.of(HeraldConfig.ENV_API_KEY, STRONG_KEY, HeraldConfig.ENV_ALLOWED_ORIGINS, SHOP)),
                "auth.jwtSecret");
        NodeProcessIT.assertRefusesToStart(prod(Map.of(HeraldConfig.ENV_JWT_SECRET, "short-secret",
                HeraldConfig.ENV_API_KEY, STRONG_KEY, HeraldConfig.ENV_ALLOWED_ORIGINS, SHOP)), "auth.jwtSecret");
        NodeProcessIT.assertRefusesToStart(prod(Map.of(HeraldConfig.ENV_JWT_SECRET, STRONG_SECRET, HeraldConfig.ENV_ALLOWED_ORIGINS, SHOP)),
                "api.key");
        NodeProcessIT.assertRefusesToStart(prod(Map.of(HeraldConfig.ENV_JWT_SECRET, STRONG_SECRET, HeraldConfig.ENV_API_KEY, STRONG_KEY)),
                "http.allowedOrigins (HERALD_ALLOWED_ORIGINS)");
    }

    @Test
    void prodModeStartsWithThemAndPrintsNoSecret() throws Exception {
        int port = TestNodes.freePort();
        NodeProcessIT.Running prod = NodeProcessIT.run(prod(Map.of(HeraldConfig.ENV_JWT_SECRET, STRONG_SECRET,
                HeraldConfig.ENV_API_KEY, STRONG_KEY, HeraldConfig.ENV_ALLOWED_ORIGINS, SHOP + ",https://admin.example.com",
                HeraldConfig.ENV_HTTP_PORT, String.valueOf(port))));
        try {
            assertTrue(prod.awaitLine("up on port " + port).contains("mode prod"));
            assertTrue(prod.awaitLine("listening on").contains("browser origins: " + SHOP + " https://admin.example.com"));
            assertEquals(401, TestNodes.http("GET", port, "/api/stats", null, null).status());
            assertEquals(200, TestNodes.http("GET", port, "/api/stats", "Bearer " + STRONG_KEY, null).status());
            assertEquals(404, TestNodes.http("GET", port, "/api/dev/token?sub=x&role=admin", null, null).status(), "no dev tokens in prod");
            assertEquals(403, rejectedUpgrade(port, RAW_PATH, EVIL));
            List<String> rest = new java.util.ArrayList<>();
            prod.lines().drainTo(rest);
            rest.addAll(prod.seen());
            assertFalse(rest.stream().anyMatch(l -> l.contains("admin token (") || l.contains(STRONG_KEY) || l.contains(STRONG_SECRET)),
                    String.join("\n", rest));
        } finally {
            prod.process().destroy();
            prod.process().waitFor(60, TimeUnit.SECONDS);
            prod.process().destroyForcibly();
        }
    }

    static Map<String, String> prod(Map<String, String> env) {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put(HeraldConfig.ENV_MODE, "prod");
        all.put(HeraldConfig.ENV_CLUSTER, "false");
        return all;
    }

    static List<InetAddress> nonLoopbackAddresses() throws IOException {
        List<InetAddress> addresses = new java.util.ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                Collections.list(nic.getInetAddresses()).stream()
                        .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                        .forEach(addresses::add);
            }
        }
        return addresses;
    }

    // ---- helpers ----

    /** {@code /eventbus/<server>/<new session>/<transport>}. */
    static String sockJsPath(String transport) {
        return "/eventbus/" + (100 + SESSIONS.incrementAndGet() % 800) + "/" + UUID.randomUUID().toString().replace("-", "") + "/" + transport;
    }

    static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + node.port() + path);
    }

    static Map<String, String> with(Map<String, String> headers, String name, String value) {
        Map<String, String> all = new java.util.HashMap<>(headers);
        all.put(name, value);
        return all;
    }

    static HttpResponse<String> send(String method, String path, Map<String, String> headers, String body) {
        return send(node.port(), method, path, headers, body);
    }

    static HttpResponse<String> send(int port, String method, String path, Map<String, String> headers, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static int rejectedUpgrade(int port, String path, String origin) {
        return rejectedUpgrade(new WebSocketClientOptions(), port, path, origin);
    }

    /** The HTTP status that refused the upgrade; fails if the socket opened. */
    static int rejectedUpgrade(WebSocketClientOptions options, int port, String path, String origin) {
        try (Ws ws = Ws.connect(clients, options, port, path, origin)) {
            return fail("the upgrade from " + origin + " to " + path + " was accepted");
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof UpgradeRejectedException rejected) {
                    return rejected.getStatus();
                }
            }
            throw e;
        }
    }

    /** A raw-transport WebSocket that sends exactly the given {@code Origin} (none for null). */
    static final class Ws implements AutoCloseable {
        private final WebSocketClient client;
        private final ClientWebSocket socket;
        private final LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
        private int syncs;

        private Ws(WebSocketClient client) {
            this.client = client;
            this.socket = client.webSocket();
            socket.textMessageHandler(text -> frames.add(new JsonObject(text)));
        }

        static Ws connect(Vertx vertx, WebSocketClientOptions options, int port, String path, String origin) {
            Ws ws = new Ws(vertx.createWebSocketClient(options));
            WebSocketConnectOptions connect = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path)
                    .setSsl(options.isSsl())
                    // Vert.x sends its own Origin unless one is given, and with this off removes any
                    .setAllowOriginHeader(origin != null);
            if (origin != null) {
                connect.addHeader("Origin", origin);
            }
            try {
                ws.socket.connect(connect).await();
            } catch (RuntimeException e) {
                ws.client.close();
                throw e;
            }
            return ws;
        }

        Ws register(String address) {
            socket.writeTextMessage(new JsonObject().put("type", "register").put("address", address).encode()).await();
            return this;
        }

        /** Returns once the node handled the frames before: the err frame for an unknown type marks the point. */
        Ws sync() {
            String marker = "sync:" + (++syncs);
            register(marker);
            while (true) {
                JsonObject frame = next();
                if (marker.equals(frame.getString("address"))) {
                    assertEquals("err", frame.getString("type"));
                    return this;
                }
                assertFalse("err".equals(frame.getString("type")), frame.encode());
            }
        }

        /** The body of the next event on {@code address}. */
        JsonObject event(String address) {
            while (true) {
                JsonObject frame = next();
                if (address.equals(frame.getString("address")) && "rec".equals(frame.getString("type"))) {
                    return frame.getJsonObject("body");
                }
            }
        }

        JsonObject next() {
            try {
                JsonObject frame = frames.poll(BridgeClient.WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertNotNull(frame, "no frame within " + BridgeClient.WAIT);
                return frame;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        @Override
        public void close() {
            socket.close().await();
            client.close().await();
        }
    }

    /**
     * A self-signed certificate for 127.0.0.1 and localhost, made with nothing but the JDK: keytool (next to
     * this JVM's java) writes a PKCS#12 store, which the JDK reads back to write the PEM files Herald takes.
     */
    record SelfSigned(Path certPem, Path keyPem, Certificate certificate) {
        static SelfSigned generate(Path dir) throws Exception {
            Path store = dir.resolve("herald.p12");
            char[] password = "changeit".toCharArray();
            Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-genkeypair", "-alias", "herald", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                    "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                    "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit")
                    .redirectErrorStream(true).start();
            String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(keytool.waitFor(60, TimeUnit.SECONDS), "keytool finishes");
            assertEquals(0, keytool.exitValue(), output);

            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                keys.load(in, password);
            }
            PrivateKey key = (PrivateKey) keys.getKey("herald", password);
            Certificate certificate = keys.getCertificate("herald");
            Path certPem = Files.writeString(dir.resolve("cert.pem"), pem("CERTIFICATE", certificate.getEncoded()));
            Path keyPem = Files.writeString(dir.resolve("key.pem"), pem("PRIVATE KEY", key.getEncoded())); // PKCS#8
            return new SelfSigned(certPem, keyPem, certificate);
        }

        static String pem(String type, byte[] der) {
            String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
            return "-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n";
        }

        /** A client TLS context that trusts this certificate only. */
        SSLContext trustingContext() throws Exception {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("herald", certificate);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        }
    }
}
