package io.herald;

import io.herald.node.HeraldNode;

import io.herald.testing.BridgeClient;
import io.herald.testing.FuzzInputs;
import io.herald.testing.FuzzSocket;
import io.herald.testing.RawHttp;
import io.herald.testing.RawWebSocket;
import io.herald.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 7, part 6: a fuzzer throws at least 10,000 random and mutated bridge frames (three connections
 * at a time, one after the other, raw WebSocket and SockJS framing, every role, no token, expiring, expired
 * and forged tokens; invalid UTF-8 in binary frames, frames around the byte limit and past four times it,
 * deep nesting, unicode with '€', pairs and lone surrogates, wrong types in every field, unknown frame types,
 * since/epoch headers of every kind, replyAddress games, control addresses with garbage, SockJS framing
 * games, fragmented messages, unregister floods that trip the rate limit and its close), WebSocket protocol
 * games written by hand (reserved bits, unknown opcodes, unmasked frames, bad close codes, lying lengths),
 * and a few thousand HTTP publish bodies, batches and history queries at one node, while two well-behaved
 * clients (raw and SockJS) follow {@code order:created} and a backend publishes 200 of them. Then:
 * <ul>
 * <li>each well-behaved client got every event meant for it exactly once, in {@code seq} order (the 202
 * answers of the publishes, the backend's and the fuzzer's, with their targets, say which), the seqs have
 * no gap, history holds the same events, and the clients still register and receive;</li>
 * <li>every err frame carried a failure type of the one vocabulary ({@link ErrorCode} with its status, or a
 * {@link CloseReason} when it announces a close), every close a code and reason of the catalogue;</li>
 * <li>every HTTP answer was a 2xx or a 4xx whose JSON {@code {"error":…}} is of the vocabulary, never a 5xx;</li>
 * <li>every connection the node did not close answered a sync afterwards, and the node logged no exception
 * (a handler on the JUL root logger of this JVM, where the node runs);</li>
 * <li>{@code /health} and {@code /api/stats} answer, {@code /metrics} parses as Prometheus text, and no fuzz
 * connection is still counted.</li>
 * </ul>
 * The inputs come from one seed, printed first: {@code -Dfuzz.seed=<seed>} replays them (the interleaving
 * of the connections is the scheduler's). A connection that stops being answered is written to
 * {@code target/fuzz-failures/}, for {@code -Dit.test=FuzzIT#replay -Dfuzz.replay=<file>}. {@code -Dfuzz.frames},
 * {@code -Dfuzz.http} and {@code -Dfuzz.protocol} change the amounts. The bugs the fuzzer found that are not
 * fixed yet have disabled reproducers below; their inputs are left out unless {@code -Dfuzz.knownBugs=true}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FuzzIT {
    static final long SEED = seed();
    static final int BRIDGE_FRAMES = Integer.getInteger("fuzz.frames", 12_000);
    static final int HTTP_BODIES = Integer.getInteger("fuzz.http", 3_000);
    static final int PROTOCOL_CONNECTIONS = Integer.getInteger("fuzz.protocol", 60);
    /** Also send the inputs of the bugs found and not fixed yet (the disabled reproducers below). */
    static final boolean KNOWN_BUGS = Boolean.getBoolean("fuzz.knownBugs");
    static final int BRIDGE_WORKERS = 3;
    static final int HTTP_WORKERS = 2;
    /** Events of the watched type the backend publishes during the fuzzing. */
    static final int EVENTS = 200;
    static final String WATCHED = "order:created";
    static final int MAX_FRAME_BYTES = 8192;
    static final int MAX_ADDRESS_LENGTH = 256;
    static final int MAX_BODY_BYTES = 65536;
    static final String VICTIM = "fuzz-victim";
    static final String VICTIM_2 = "fuzz-victim-2";
    static final Map<String, ErrorCode> ERROR_CODES = Arrays.stream(ErrorCode.values())
            .collect(Collectors.toMap(ErrorCode::id, c -> c));
    static final Map<String, CloseReason> CLOSE_REASONS = Arrays.stream(CloseReason.values())
            .collect(Collectors.toMap(CloseReason::id, c -> c));
    /** Close codes the node may use on a fuzz connection: WebSocket protocol errors, oversized messages, and the catalogue's. */
    static final Set<Integer> TRANSPORT_CLOSES = Set.of(1000, 1002, 1003, 1007, 1009);

    static HeraldNode node;
    static Vertx clients;
    static HttpClient http;
    static LogCapture logs;

    final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    final Map<String, LongAdder> errTypes = new ConcurrentHashMap<>();
    final Map<String, LongAdder> closes = new ConcurrentHashMap<>();
    final Map<String, LongAdder> httpAnswers = new ConcurrentHashMap<>();
    final Map<String, LongAdder> refusedHandshakes = new ConcurrentHashMap<>();
    final AtomicLong framesSent = new AtomicLong();
    final AtomicLong httpSent = new AtomicLong();
    final AtomicLong protocolFrames = new AtomicLong();
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger syncs = new AtomicInteger();
    /** Every accepted event of the watched type: id → {seq, target, who published it}. */
    final Map<String, Accepted> accepted = new ConcurrentHashMap<>();

    record Accepted(String id, long seq, JsonObject target, String source) {
    }

    static long seed() {
        String given = System.getProperty("fuzz.seed", System.getenv("HERALD_FUZZ_SEED"));
        return given != null && !given.isBlank() ? Long.parseLong(given.trim()) : new Random().nextLong();
    }

    @BeforeAll
    static void start() {
        System.out.println("FuzzIT seed " + SEED + " (replay the inputs with -Dfuzz.seed=" + SEED + ")");
        logs = LogCapture.install();
        String cluster = TestNodes.uniqueClusterName();
        int port = TestNodes.freePort();
        node = TestNodes.startClustered(cluster, port, List.of(port), json -> {
            json.getJsonObject("auth").put("leewaySeconds", 0);
            json.getJsonObject("http").put("maxBodyBytes", MAX_BODY_BYTES);
            json.getJsonObject("bridge").put("maxFrameBytes", MAX_FRAME_BYTES).put("maxAddressLength", MAX_ADDRESS_LENGTH)
                    .put("maxSubscriptionsPerSocket", 8).put("maxPendingReplies", 4);
            // high enough that the fuzzer is not simply cut off; unregister floods still trip the limit and the flood close
            json.getJsonObject("limits").put("framesPerMinute", 1_000_000).put("framesBurst", 1_000_000)
                    .put("framesPerMinuteByRole", new JsonObject())
                    .put("framesPerMinuteByKind", new JsonObject().put("unregister", 600))
                    .put("floodCloseAfter", 20)
                    .put("connectAttemptsPerIpPerSecond", 100_000)
                    .put("publishEventsPerSecond", 1_000_000);
        });
        clients = Vertx.vertx();
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() {
        if (clients != null) {
            clients.close().await();
        }
        if (node != null) {
            node.close().await();
        }
        if (logs != null) {
            logs.remove();
        }
    }

    String token(String user, String role) {
        return TestNodes.token(node, user, role);
    }

    void tally(Map<String, LongAdder> counts, String key) {
        counts.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    void violation(String what) {
        if (violations.size() < 500) {
            violations.add(what);
        }
    }

    @Test
    @Order(1) // before the reproducers, when they are enabled: their inputs would break the history reads it makes
    void theNodeSurvivesFuzzingAndServesAWellBehavedClientEveryEvent() throws Exception {
        long started = System.nanoTime();
        logs.clear();
        BridgeClient victim = BridgeClient.connect(clients, node.port(), token(VICTIM, "staff"));
        BridgeClient victim2 = BridgeClient.connect(clients, node.port(), token(VICTIM_2, "manager"), BridgeClient.Transport.SOCKJS);
        victim.register(WATCHED).sync();
        victim2.register(WATCHED).sync();

        // big stacks: the test itself decodes and encodes some of the deeply nested JSON it sends
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(BRIDGE_WORKERS + HTTP_WORKERS + 2,
                task -> new Thread(null, task, "fuzz-" + threads.incrementAndGet(), 256L << 20));
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < BRIDGE_WORKERS; w++) {
            Random random = new Random(SEED + 1_000_003L * (w + 1));
            int quota = BRIDGE_FRAMES / BRIDGE_WORKERS + (w == 0 ? BRIDGE_FRAMES % BRIDGE_WORKERS : 0);
            workers.add(pool.submit(() -> fuzzBridge(random, quota)));
        }
        for (int w = 0; w < HTTP_WORKERS; w++) {
            Random random = new Random(SEED - 7_000_003L * (w + 1));
            int quota = HTTP_BODIES / HTTP_WORKERS + (w == 0 ? HTTP_BODIES % HTTP_WORKERS : 0);
            workers.add(pool.submit(() -> fuzzHttp(random, quota)));
        }
        workers.add(pool.submit(() -> protocolGames(new Random(SEED ^ 0x5DEECE66DL))));
        Future<?> publisher = pool.submit(this::publishWatched);
        for (Future<?> worker : workers) {
            worker.get(5, TimeUnit.MINUTES);
        }
        publisher.get(5, TimeUnit.MINUTES);
        pool.shutdown();
        long fuzzed = System.nanoTime();

        try {
            checkVictim(victim, VICTIM, "staff");
            checkVictim(victim2, VICTIM_2, "manager");
            checkSeqsAndHistory();
            stillServes(victim, victim2);
            checkOps();
        } finally {
            report(started, fuzzed);
            victim.close();
            victim2.close();
        }
        assertTrue(framesSent.get() >= BRIDGE_FRAMES, framesSent + " bridge frames sent");
        assertTrue(httpSent.get() >= HTTP_BODIES, httpSent + " HTTP bodies sent");
        assertTrue(errTypes.keySet().containsAll(List.of("invalid_json", "invalid_frame", "missing_address", "unknown_event_type",
                "access_denied", "frame_too_large")), "the fuzzer reached the node's refusals: " + errTypes.keySet());
        assertNoViolations();
        List<String> nodeProblems = logs.problems();
        assertTrue(nodeProblems.isEmpty(), "seed " + SEED + ": the node logged " + nodeProblems.size() + " problems:\n"
                + String.join("\n", nodeProblems.subList(0, Math.min(10, nodeProblems.size()))));
    }

    void assertNoViolations() {
        if (!violations.isEmpty()) {
            fail("seed " + SEED + ": " + violations.size() + " violations, the first ones:\n"
                    + violations.stream().limit(15).collect(Collectors.joining("\n---\n")));
        }
    }

    // ---------------------------------------------------------------- reproducers of what the fuzzer found
    // Bugs in Herald the fuzzer found. Each test asserts what should happen; the fixed ones run. The one still
    // disabled (an empty 414 for an overlong request line) keeps its inputs out of the fuzzing unless
    // -Dfuzz.knownBugs=true, with the inputs of the fixed ones, which FuzzInputs still gates.

    static String deepObject(int depth) {
        return "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
    }

    static RawHttp.Response post(String contentType, String body) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer " + node.config().apiKey());
        headers.put("Content-Type", contentType);
        return RawHttp.send(node.port(), "POST", "/api/events".getBytes(StandardCharsets.UTF_8), headers, body.getBytes(StandardCharsets.UTF_8));
    }

    static RawHttp.Response get(String target) throws IOException {
        return RawHttp.send(node.port(), "GET", target.getBytes(StandardCharsets.UTF_8),
                Map.of("Authorization", "Bearer " + node.config().apiKey()), null);
    }

    /** A 2xx, or a 4xx whose JSON body has an error code of the vocabulary with its status. */
    static void assertWellFormed(String what, RawHttp.Response response) {
        int status = response.status();
        assertTrue(status >= 200 && status < 300 || status >= 400 && status < 500, what + " answered " + status + " " + response.body());
        if (status >= 400) {
            JsonObject error;
            try {
                error = new JsonObject(response.body());
            } catch (RuntimeException e) {
                throw new AssertionError(what + " answered " + status + " with a body that is not JSON: " + response.body());
            }
            ErrorCode code = ERROR_CODES.get(error.getString("error"));
            assertTrue(code != null && code.status() == status, what + " answered " + status + " " + response.body());
        }
    }

    @Test
    void formEncodedAndMultipartBodiesGetA4xxNotA500() throws IOException {
        assertWellFormed("a form-encoded body with '%'",
                post("application/x-www-form-urlencoded", "{\"type\":\"product:updated\",\"data\":{\"discount\":\"10%\"}}"));
        assertWellFormed("a 1 KB multipart body",
                post("multipart/form-data; boundary=xyz", "{\"type\":\"product:updated\",\"data\":{\"pad\":\"" + "x".repeat(1000) + "\"}}"));
    }

    @Test
    void deeplyNestedEventDataIsRefusedOrServedByHistory() throws IOException {
        RawHttp.Response published = post("application/json", "{\"type\":\"product:deleted\",\"data\":{\"deep\":" + deepObject(998) + "}}");
        assertWellFormed("an event nested 998 levels", published);
        if (published.status() == 202) {
            long seq = new JsonObject(published.body()).getLong("seq");
            assertWellFormed("the history holding it", get("/api/history/product:deleted?since=" + (seq - 1) + "&limit=1"));
        }
    }

    @Test
    @Order(0) // on a fresh node: once the JIT has compiled the encoder its frames are smaller and it may get through
    void deeplyNestedBrowserPublishIsAnswered() {
        int problemsBefore = logs.problems().size();
        try (BridgeClient customer = BridgeClient.connect(clients, node.port(), TestNodes.token(node, "c-deep", "customer", null, List.of(), 600))) {
            for (int depth : List.of(900, 990, 996)) {
                customer.sendRaw("{\"type\":\"send\",\"address\":\"customer:activity\",\"replyAddress\":\"r-" + depth
                        + "\",\"body\":{\"deep\":" + deepObject(depth) + "}}");
                JsonObject answer = customer.poll(Duration.ofSeconds(5));
                assertTrue(answer != null && ("r-" + depth).equals(answer.getString("address")), "depth " + depth + ": the reply or an err, got " + answer);
            }
        }
        assertEquals(problemsBefore, logs.problems().size(), "the node logged: " + logs.problems());
    }

    @Test
    void malformedPercentEscapesGetAJsonRefusal() throws IOException {
        int problemsBefore = logs.problems().size();
        for (String target : List.of("/api/history/%zz", "/api/history/order:created?limit=1%zz", "/api/history/order:created?%")) {
            assertWellFormed(target, get(target));
        }
        assertEquals(problemsBefore, logs.problems().size(), "the node logged: " + logs.problems());
    }

    @Test
    @Disabled("Found by FuzzIT (minor): a request line over 4 KB (GET /api/history/<5,000 chars>) was answered by the HTTP "
            + "codec with an empty 414. The invalid-request handler now answers 400 invalid_parameter in JSON, but Vert.x "
            + "writes that answer as HTTP/1.0 (the request's version is unknown), which RawHttp does not parse")
    void overlongRequestLineGetsAJsonRefusal() throws IOException {
        RawHttp.Response response = get("/api/history/" + "x".repeat(5000));
        assertTrue(response.status() > 0, "an HTTP/1.1 answer, got: " + response.body());
        assertWellFormed("a 5 KB request line", response);
    }

    @Test
    void aMessageOverTheTransportBoundIsRefusedNotDroppedSilently() throws IOException {
        String big = "{\"type\":\"send\",\"address\":\"customer:activity\",\"replyAddress\":\"r-big\",\"body\":{\"pad\":\""
                + "x".repeat(5 * MAX_FRAME_BYTES) + "\"}}";
        List<JsonObject> frames = Collections.synchronizedList(new ArrayList<>());
        FuzzSocket socket = FuzzSocket.open(http, node.port(), FuzzSocket.Framing.RAW, token("c-big", "customer"), false,
                (s, frame) -> frames.add(frame), this::violation, refusal -> fail(refusal));
        try {
            socket.sendFragmented(big, 4);
            FuzzSocket.Sync sync = socket.sync(Duration.ofSeconds(5));
            boolean refused = frames.stream().anyMatch(f -> "frame_too_large".equals(f.getString("failureType")));
            assertTrue(refused || sync == FuzzSocket.Sync.CLOSED && Integer.valueOf(1009).equals(socket.closeCode()),
                    "in 4 frames: a frame_too_large err or a 1009 close; got " + sync + ", close " + socket.closeCode() + ", frames " + frames);
        } finally {
            socket.close(true);
        }
        try (RawWebSocket ws = RawWebSocket.open(node.port(), "/eventbus/websocket?token=" + token("c-big", "customer"), new Random(SEED),
                new ArrayList<>())) {
            assertTrue(awaitAnswer(ws, false, "fuzz-big-open"), "the connection is open");
            ws.text(big);
            assertTrue(ws.awaitEnd(5), "in one frame: the connection is closed");
            assertEquals(Integer.valueOf(1009), ws.closeCode(), "in one frame: closed with 1009, got " + ws.endedBy());
        }
    }

    @Test
    void aSignedTokenWithANonNumericExpiryIsRefused() throws Exception {
        String body = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + b64("{\"sub\":\"u-1\",\"role\":\"staff\",\"exp\":\"tomorrow\"}");
        String token = body + "." + hmac(node.config().auth().jwtSecret(), body);
        // a raw socket reads every byte: a client library may lose frames when the node refuses as fast as the handshake ends
        try (RawWebSocket ws = RawWebSocket.open(node.port(), "/eventbus/websocket?token=" + token, new Random(SEED), new ArrayList<>())) {
            assertTrue(ws.awaitEnd(10), "a close");
            assertTrue(ws.texts().stream().anyMatch(text -> "token_invalid".equals(new JsonObject(text).getString("failureType"))),
                    "a token_invalid refusal, got " + ws.texts());
            assertEquals(4401, ws.closeCode());
        }
        assertWellFormed("/api/stats with that token",
                RawHttp.send(node.port(), "GET", "/api/stats".getBytes(StandardCharsets.UTF_8), Map.of("Authorization", "Bearer " + token), null));
    }

    @Test
    void aSocketClosedWhileItsTokenIsCheckedIsNotLeaked() throws Exception {
        long before = TestNodes.http("GET", node.port(), "/health", null, null).json().getLong("connections");
        Random random = new Random(SEED);
        List<RawWebSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                RawWebSocket ws = RawWebSocket.open(node.port(), "/eventbus/websocket" + (i % 2 == 0 ? "" : "?token=" + token("early-" + i, "staff")),
                        random, new ArrayList<>());
                ws.frame(true, 0, RawWebSocket.CLOSE, true, closePayload(1000, new byte[0]), null); // at once: the token is being checked
                sockets.add(ws);
            }
            sockets.forEach(ws -> ws.awaitEnd(5));
        } finally {
            sockets.forEach(RawWebSocket::close);
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long open = -1;
        while (System.nanoTime() < end && open != before) {
            sleep(100);
            open = TestNodes.http("GET", node.port(), "/health", null, null).json().getLong("connections");
        }
        assertEquals(before, open, "connections the node counts after 50 sockets that closed at once are gone");
    }

    @Test
    void aHugeSinceReadsNothingRatherThanFailing() throws IOException {
        RawHttp.Response few = get("/api/history/system:maintenance?since=3000000000");
        assertEquals(200, few.status(), "since=3000000000 on a type with few events: " + few.body());
        for (int batch = 0; batch < 3; batch++) {
            JsonArray events = new JsonArray();
            for (int i = 0; i < 400; i++) {
                events.add(new JsonObject().put("type", "order:deleted").put("data", new JsonObject().put("n", i)));
            }
            assertEquals(202, TestNodes.http("POST", node.port(), "/api/events/batch", "Bearer " + node.config().apiKey(),
                    new JsonObject().put("events", events).encode()).status());
        }
        for (String since : List.of("9223372036854775806", "3000000000")) {
            RawHttp.Response response = get("/api/history/order:deleted?since=" + since);
            assertEquals(200, response.status(), "since=" + since + ": " + response.body());
            assertEquals(0, new JsonObject(response.body()).getJsonArray("events").size());
        }
    }

    /**
     * A borrowed SockJS session id with near-miss tokens (issue 17): every variant of the owner's token that is not
     * the same token is refused on the owner's session, whichever way it is sent; the same token spelled otherwise
     * (percent-encoded, in the header instead of the query) is the owner.
     */
    @Test
    void aBorrowedSockJsSessionRefusesNearMissTokens() throws IOException {
        String token = TestNodes.token(node, "c-fuzz-owner", "customer");
        String session = "fz" + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        String base = "/eventbus/000/" + session + "/";
        RawHttp.Response open = RawHttp.send(node.port(), "POST", (base + "xhr?token=" + token).getBytes(StandardCharsets.US_ASCII), Map.of(), new byte[0]);
        assertEquals("o\n", open.body(), "the owner opened its session");
        byte[] ping = "[\"{\\\"type\\\":\\\"ping\\\"}\"]".getBytes(StandardCharsets.US_ASCII);
        char last = token.charAt(token.length() - 1);
        List<String> nearMisses = List.of(
                token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A'),
                token.substring(0, token.length() - 1),
                token + "%20",
                token.toUpperCase(java.util.Locale.ROOT),
                "",
                "x&token=" + token);
        for (String variant : nearMisses) {
            RawHttp.Response refused = RawHttp.send(node.port(), "POST", (base + "xhr_send?token=" + variant).getBytes(StandardCharsets.US_ASCII),
                    Map.of("Content-Type", "text/plain"), ping);
            assertEquals(403, refused.status(), "token variant " + variant + ": " + refused.body());
            assertEquals("access_denied", new JsonObject(refused.body()).getString("error"));
        }
        RawHttp.Response header = RawHttp.send(node.port(), "POST", (base + "xhr_send").getBytes(StandardCharsets.US_ASCII),
                Map.of("Content-Type", "text/plain", "Authorization", "Bearer " + token.substring(1)), ping);
        assertEquals(403, header.status(), "a near-miss in the Authorization header: " + header.body());
        // the owner's token however it is spelled
        RawHttp.Response encoded = RawHttp.send(node.port(), "POST", (base + "xhr_send?token=" + token.replace(".", "%2E")).getBytes(StandardCharsets.US_ASCII),
                Map.of("Content-Type", "text/plain"), ping);
        assertEquals(204, encoded.status(), encoded.body());
        RawHttp.Response inHeader = RawHttp.send(node.port(), "POST", (base + "xhr_send").getBytes(StandardCharsets.US_ASCII),
                Map.of("Content-Type", "text/plain", "Authorization", "Bearer " + token), ping);
        assertEquals(204, inHeader.status(), inHeader.body());
    }

    static String b64(String text) {
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static String hmac(String secret, String signed) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    }

    // ---------------------------------------------------------------- the backend publishing the watched type

    /** Publishes {@link #EVENTS} events of the watched type, spread over the fuzzing by its progress. */
    void publishWatched() {
        for (int i = 0; i < EVENTS; i++) {
            while (progress() < (double) i / EVENTS) {
                sleep(5);
            }
            JsonObject published = TestNodes.publish(node, WATCHED, new JsonObject().put("n", i).put("orderId", "fuzz-" + i)
                    .put("customerId", "c-" + (i % 7)));
            record(published, null, "backend #" + i);
        }
    }

    double progress() {
        double bridge = Math.min(1, (double) framesSent.get() / BRIDGE_FRAMES);
        double web = Math.min(1, (double) httpSent.get() / HTTP_BODIES);
        return (bridge + web) / 2;
    }

    void record(JsonObject published, JsonObject target, String source) {
        Object id = published.getValue("id");
        Object seq = published.getValue("seq");
        if (!(id instanceof String) || !(seq instanceof Number)) {
            violation("a 202 without id and seq: " + published.encode());
            return;
        }
        if (accepted.put((String) id, new Accepted((String) id, ((Number) seq).longValue(), target, source)) != null) {
            violation("two publishes answered the same id " + id);
        }
    }

    // ---------------------------------------------------------------- bridge frames

    enum TokenKind { NONE, CUSTOMER, STAFF, MANAGER, ADMIN, SHORT_LIVED, EXPIRED, ODD }

    void fuzzBridge(Random random, int quota) {
        FuzzInputs inputs = new FuzzInputs(random, MAX_FRAME_BYTES, MAX_ADDRESS_LENGTH, List.of(VICTIM, VICTIM_2, "c-1"),
                () -> refreshToken(random), KNOWN_BUGS);
        int sent = 0;
        while (sent < quota) {
            FuzzSocket.Framing framing = random.nextBoolean() ? FuzzSocket.Framing.RAW : FuzzSocket.Framing.SOCKJS;
            TokenKind kind = TokenKind.values()[random.nextInt(TokenKind.values().length)];
            String token = token(kind, random, inputs);
            FuzzSocket socket = FuzzSocket.open(http, node.port(), framing, token, random.nextInt(4) == 0,
                    this::checkFrame, this::violation, refusal -> tally(refusedHandshakes, refusal));
            if (socket == null) {
                continue;
            }
            connections.incrementAndGet();
            int frames = Math.min(quota - sent, 20 + random.nextInt(random.nextInt(4) == 0 ? 1200 : 400));
            boolean flood = random.nextInt(12) == 0;
            int floodAt = random.nextInt(frames + 1);
            int n = 0;
            boolean open = true;
            while (n < frames && open) {
                if (flood && n >= floodAt) {
                    flood = false;
                    List<String> burst = inputs.flood(650);
                    open = socket.sendFrames(burst);
                    n += burst.size();
                    continue;
                }
                int what = random.nextInt(100);
                if (what < 86) {
                    open = socket.sendFrame(inputs.frameText());
                    n++;
                } else if (what < 90) {
                    open = socket.sendBinary(random.nextBoolean() ? inputs.invalidUtf8() : inputs.randomBytes(200));
                    n++;
                } else if (what < 94) {
                    List<String> several = new ArrayList<>();
                    int count = 2 + random.nextInt(random.nextInt(5) == 0 ? 300 : 20);
                    for (int i = 0; i < count; i++) {
                        several.add(inputs.frameText());
                    }
                    if (several.stream().mapToLong(FuzzInputs::utf8Length).sum() > 3L * MAX_FRAME_BYTES) {
                        several = several.subList(0, 2);
                    }
                    open = socket.sendFrames(several);
                    n += several.size();
                } else if (what < 97) {
                    open = socket.sendWire(sockJsGame(random, inputs));
                    n++;
                } else {
                    open = socket.sendFragmented(inputs.frameText(), 2 + random.nextInt(5));
                    n++;
                }
            }
            sent += n;
            framesSent.addAndGet(n);
            endConnection(socket, random, n, token);
        }
    }

    /** Text for the WebSocket message itself: SockJS framing games (or plain text on the raw transport). */
    String sockJsGame(Random random, FuzzInputs inputs) {
        return switch (random.nextInt(13)) {
            case 0 -> "";
            case 1 -> "[]";
            case 2 -> "[1,2.5,true,null,{},[]]";
            case 3 -> "\"" + inputs.frameText().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            case 4 -> "[[\"{}\"]]";
            case 5 -> "{\"type\":\"register\",\"address\":\"order:created\"}"; // an object where SockJS wants an array
            case 6 -> "[\"{}\"," + "\"1\",".repeat(random.nextInt(MAX_FRAME_BYTES)) + "\"{}\"]"; // thousands of tiny frames in one message
            case 7 -> "],[";
            case 8 -> "[\"" + "\\ud800" + "\"]";
            case 9 -> "a[\"x\"]";
            case 10 -> "c[3000,\"go away\"]";
            // a register that may wait (its stream starting) and more frames behind it than may wait: each meets the
            // frame rate as it arrives, and those past the waiting bound count towards the flood close
            case 11 -> "[\"{\\\"type\\\":\\\"register\\\",\\\"address\\\":\\\"product:created\\\",\\\"headers\\\":{\\\"since\\\":\\\"0\\\"}}\""
                    + ",\"{}\"".repeat(1000 + random.nextInt(200)) + "]";
            default -> inputs.nestedText(1000 + random.nextInt(2));
        };
    }

    String token(TokenKind kind, Random random, FuzzInputs inputs) {
        return switch (kind) {
            case NONE -> null;
            case CUSTOMER -> TestNodes.token(node, "c-" + random.nextInt(5), "customer", "store-1", List.of("room-1"), 3600);
            case STAFF -> token("s-" + random.nextInt(5), "staff");
            case MANAGER -> token("m-" + random.nextInt(5), "manager");
            case ADMIN -> token("a-" + random.nextInt(5), "admin");
            case SHORT_LIVED -> TestNodes.token(node, "short-" + random.nextInt(5), anyRole(random), null, List.of(),
                    1 + random.nextInt(3));
            case EXPIRED -> TestNodes.token(node, "old-" + random.nextInt(5), "staff", null, List.of(), -60);
            case ODD -> inputs.oddToken(node.config().auth().jwtSecret());
        };
    }

    /** A token a herald:token refresh may carry: a good one for one of the users, or one for another user, expired, garbage. */
    String refreshToken(Random random) {
        return switch (random.nextInt(5)) {
            case 0 -> TestNodes.token(node, "c-" + random.nextInt(5), "customer", null, List.of(), 3600);
            case 1 -> token("s-" + random.nextInt(5), anyRole(random));
            case 2 -> TestNodes.token(node, "s-" + random.nextInt(5), "staff", null, List.of(), -60);
            case 3 -> token(VICTIM, "admin");
            default -> "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0." + random.nextInt();
        };
    }

    static String anyRole(Random random) {
        return FuzzInputs.ROLES.get(random.nextInt(FuzzInputs.ROLES.size()));
    }

    /**
     * Ends a fuzz connection: one the node did not close must answer a sync (else the node stopped serving
     * it); then a normal close or a cut. A close by the node must carry a code and reason of the catalogue.
     */
    void endConnection(FuzzSocket socket, Random random, int frames, String token) {
        if (!socket.isClosed()) {
            FuzzSocket.Sync sync = socket.sync(Duration.ofSeconds(15));
            syncs.incrementAndGet();
            if (sync == FuzzSocket.Sync.TIMEOUT) {
                violation("seed " + SEED + ": the node stopped answering a connection after " + frames + " frames (replay: "
                        + saveTranscript(socket, token) + ").\n" + socket.recent());
            }
        }
        boolean byNode = socket.isClosed();
        if (byNode) {
            socket.awaitClose(Duration.ofSeconds(5));
            checkClose(socket);
        } else {
            tally(closes, "closed by the client");
        }
        socket.close(random.nextInt(5) == 0);
    }

    /**
     * Writes what a connection sent to {@code target/fuzz-failures/}, its first line the framing and token: run
     * {@code -Dit.test=FuzzIT#replay -Dfuzz.replay=<file>} to send it again on a fresh node.
     */
    static String saveTranscript(FuzzSocket socket, String token) {
        try {
            java.nio.file.Path dir = java.nio.file.Path.of("target", "fuzz-failures");
            java.nio.file.Files.createDirectories(dir);
            java.nio.file.Path file = dir.resolve("seed" + SEED + "-" + socket.name().replace('#', '-') + ".jsonl");
            String header = new JsonObject().put("framing", socket.framing().name()).put("token", token).encode() + "\n";
            java.nio.file.Files.writeString(file, header + socket.transcript());
            return "-Dit.test=FuzzIT#replay -Dfuzz.replay=" + file.toAbsolutePath();
        } catch (IOException e) {
            return "not saved: " + e;
        }
    }

    /** Sends a saved transcript again on this test's node, and says whether the node still answers after it. */
    @Test
    @org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "fuzz.replay", matches = ".+")
    void replay() throws IOException {
        List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of(System.getProperty("fuzz.replay")));
        JsonObject header = new JsonObject(lines.get(0));
        List<JsonObject> entries = lines.stream().skip(1).filter(l -> !l.isBlank()).map(JsonObject::new).toList();
        FuzzSocket socket = FuzzSocket.open(http, node.port(), FuzzSocket.Framing.valueOf(header.getString("framing")),
                header.getString("token"), false, this::checkFrame, this::violation, refusal -> fail(refusal));
        boolean open = socket.replay(entries.subList(0, Math.max(0, entries.size() - 1))); // the last entry is the sync that failed
        FuzzSocket.Sync sync = open ? socket.sync(Duration.ofSeconds(15)) : FuzzSocket.Sync.CLOSED;
        System.out.println("replayed " + entries.size() + " entries: " + sync + "; " + socket.recent());
        socket.close(true);
        assertTrue(sync != FuzzSocket.Sync.TIMEOUT, "the node stopped answering the replayed connection");
        assertNoViolations();
    }

    void checkClose(FuzzSocket socket) {
        Integer code = socket.closeCode();
        String reason = socket.closeReason() == null ? "" : socket.closeReason();
        if (code == null) {
            tally(closes, "cut without a close frame" + (socket.error() == null ? "" : " (" + socket.error().getClass().getSimpleName() + ")"));
            return;
        }
        String key = code + " " + (reason.length() > 40 ? reason.substring(0, 40) + "…" : reason);
        JsonArray sockJs = socket.sockJsClose();
        if (sockJs != null) {
            key += " (SockJS c" + sockJs.encode() + ")";
        }
        tally(closes, key);
        if (code >= 4000 || CLOSE_REASONS.containsKey(reason)) {
            CloseReason known = CLOSE_REASONS.get(reason);
            if (known == null || known.code() != code) {
                violation("a close outside the catalogue: " + code + " '" + reason + "'\n" + socket.recent());
            } else if (known == CloseReason.INTERNAL_ERROR || known == CloseReason.IDLE_TIMEOUT || known == CloseReason.SHUTDOWN) {
                // (slow_consumer may be right: thousands of err frames answering one SockJS message can fill the outbound bound)
                violation("a fuzz connection closed with " + reason + "\n" + socket.recent());
            }
            if (sockJs != null && (!sockJs.getValue(0).equals(code) || !reason.equals(sockJs.getValue(1)))) {
                violation("the SockJS close " + sockJs.encode() + " and the WebSocket close " + code + " '" + reason + "' differ");
            }
        } else if (!TRANSPORT_CLOSES.contains(code)) {
            violation("an unexpected close " + code + " '" + reason + "'\n" + socket.recent());
        }
    }

    void checkFrame(FuzzSocket socket, JsonObject frame) {
        checkFrame(socket.name(), socket::recent, frame);
    }

    /** Every frame the node sends a fuzz connection: rec, or err with a failure type of the one vocabulary. */
    void checkFrame(String who, java.util.function.Supplier<String> recent, JsonObject frame) {
        Object type = frame.getValue("type");
        if ("rec".equals(type)) {
            if (!(frame.getValue("address") instanceof String) || !frame.containsKey("body")) {
                violation(who + ": a rec frame without address or body: " + FuzzSocket.abbreviate(frame.encode()));
            }
            return;
        }
        if (!"err".equals(type)) {
            violation(who + ": a frame that is neither rec nor err: " + FuzzSocket.abbreviate(frame.encode()));
            return;
        }
        if (!(frame.getValue("failureType") instanceof String failureType)) {
            violation(who + ": an err frame without failureType: " + FuzzSocket.abbreviate(frame.encode()));
            return;
        }
        Object failureCode = frame.getValue("failureCode");
        if (frame.containsKey("reconnect")) {
            CloseReason reason = CLOSE_REASONS.get(failureType);
            if (reason == null || !(failureCode instanceof Integer c) || c != reason.code() || frame.containsKey("address")) {
                violation(who + ": a closing err frame outside the close catalogue: " + FuzzSocket.abbreviate(frame.encode()));
            }
        } else {
            ErrorCode code = ERROR_CODES.get(failureType);
            if (code == null || !(failureCode instanceof Integer c) || c != code.status()) {
                violation(who + ": an err frame outside the vocabulary: " + FuzzSocket.abbreviate(frame.encode()) + "\n" + recent.get());
            } else if (code == ErrorCode.INTERNAL_ERROR) {
                violation(who + ": internal_error: " + FuzzSocket.abbreviate(frame.encode()) + "\n" + recent.get());
            }
        }
        if (!failureType.equals(frame.getValue("body")) || !(frame.getValue("message") instanceof String)) {
            violation(who + ": an err frame whose body is not its failureType, or without message: " + FuzzSocket.abbreviate(frame.encode()));
        }
        tally(errTypes, failureType);
    }

    // ---------------------------------------------------------------- WebSocket protocol games

    /** Frames no client library sends: each connection plays a few games, then must get an answer to a register or be closed. */
    void protocolGames(Random random) {
        FuzzInputs inputs = new FuzzInputs(random, MAX_FRAME_BYTES, MAX_ADDRESS_LENGTH, List.of(VICTIM), () -> "x", KNOWN_BUGS);
        String staff = token("proto", "staff");
        List<String> refused = Collections.synchronizedList(new ArrayList<>());
        for (int c = 0; c < PROTOCOL_CONNECTIONS; c++) {
            boolean sockJs = random.nextBoolean();
            String path = (sockJs ? "/eventbus/9/" + Long.toHexString(random.nextLong()) + "/websocket" : "/eventbus/websocket")
                    + (random.nextInt(4) == 0 ? "" : "?token=" + staff);
            List<String> played = new ArrayList<>();
            try (RawWebSocket ws = RawWebSocket.open(node.port(), path, random, refused)) {
                if (ws == null) {
                    continue;
                }
                if (!KNOWN_BUGS && !awaitAnswer(ws, sockJs, "fuzz-raw-open:" + c)) {
                    // a close during the token check leaks the connection (aSocketClosedWhileItsTokenIsCheckedIsNotLeaked): play once it is open
                    violation("seed " + SEED + ": a raw WebSocket got no answer to its first frame: " + path);
                    continue;
                }
                int games = 1 + random.nextInt(4);
                boolean open = true;
                for (int g = 0; g < games && open; g++) {
                    String game = protocolGame(ws, random, inputs, sockJs);
                    played.add(game);
                    protocolFrames.incrementAndGet();
                    open = !game.startsWith("!");
                }
                boolean answered = awaitAnswer(ws, sockJs, "fuzz-raw-sync:" + c);
                if (!answered && !ws.awaitEnd(0)) {
                    violation("seed " + SEED + ": after the protocol games " + played + " the node neither answered nor closed " + path);
                }
                for (String text : ws.texts()) {
                    checkRawText(text, sockJs, played);
                }
                tally(closes, ws.closeCode() != null ? "protocol games: " + ws.closeCode()
                        : answered ? "protocol games: still open" : "protocol games: " + ws.endedBy());
                boolean sentClose = played.stream().anyMatch(game -> game.startsWith("!close"));
                if (ws.closeCode() != null && ws.closeCode() >= 4000 && ws.closeCode() != 4401 && !sentClose) { // a close is echoed as sent
                    violation("protocol games " + played + " closed with " + ws.closeCode());
                }
            } catch (IOException e) {
                violation("protocol games " + played + ": " + e);
            }
        }
        refused.forEach(r -> tally(refusedHandshakes, "protocol games: " + r));
    }

    /** Sends a register of an unknown type and waits up to 10 s for its answer (the err naming it). */
    static boolean awaitAnswer(RawWebSocket ws, boolean sockJs, String marker) {
        String register = new JsonObject().put("type", "register").put("address", marker).encode();
        ws.text(sockJs ? new JsonArray().add(register).encode() : register);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end && !ws.awaitEnd(0)) {
            if (ws.texts().stream().anyMatch(t -> t.contains(marker))) {
                return true;
            }
            sleep(5);
        }
        return ws.texts().stream().anyMatch(t -> t.contains(marker));
    }

    /** One game; its description starts with '!' when it is expected to end the connection. */
    String protocolGame(RawWebSocket ws, Random random, FuzzInputs inputs, boolean sockJs) {
        byte[] frame = wire(FuzzInputs.encode(inputs.validFrame()), sockJs).getBytes(StandardCharsets.UTF_8);
        switch (random.nextInt(15)) {
            case 0 -> {
                ws.frame(true, 0, RawWebSocket.TEXT, true, inputs.invalidUtf8(), null);
                return "text frame of invalid UTF-8";
            }
            case 1 -> {
                ws.frame(true, 1 + random.nextInt(7), RawWebSocket.TEXT, true, frame, null);
                return "!reserved bits";
            }
            case 2 -> {
                int opcode = List.of(3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF).get(random.nextInt(10));
                ws.frame(true, 0, opcode, true, frame, null);
                return "!opcode " + opcode;
            }
            case 3 -> {
                ws.frame(true, 0, RawWebSocket.TEXT, false, frame, null);
                return "!unmasked";
            }
            case 4 -> {
                ws.frame(true, 0, RawWebSocket.CONTINUATION, true, frame, null);
                return "!continuation without a start";
            }
            case 5 -> {
                int cut = frame.length / 2;
                ws.frame(false, 0, RawWebSocket.TEXT, true, Arrays.copyOfRange(frame, 0, cut), null);
                ws.frame(true, 0, RawWebSocket.PING, true, "between".getBytes(StandardCharsets.US_ASCII), null);
                ws.frame(true, 0, RawWebSocket.CONTINUATION, true, Arrays.copyOfRange(frame, cut, frame.length), null);
                return "fragments with a ping between";
            }
            case 6 -> {
                ws.frame(true, 0, RawWebSocket.PING, true, new byte[126 + random.nextInt(200)], null);
                return "!ping over 125 bytes";
            }
            case 7 -> {
                ws.frame(false, 0, RawWebSocket.PING, true, new byte[3], null);
                return "!fragmented ping";
            }
            case 8 -> {
                int code = List.of(0, 999, 1004, 1005, 1006, 1015, 2999, 5000, 65535).get(random.nextInt(9));
                byte[] payload = random.nextBoolean() ? new byte[] {(byte) (code >> 8), (byte) code} : new byte[] {3};
                ws.frame(true, 0, RawWebSocket.CLOSE, true, payload, null);
                return "!close " + (payload.length == 1 ? "with one byte" : "code " + code);
            }
            case 9 -> {
                // past the codec's frame limit (twice the message limit of 4 x maxFrameBytes): refused on the header alone;
                // a length under it would make the node wait for a payload that never comes
                long claimed = random.nextBoolean() ? Long.MAX_VALUE : 8L * MAX_FRAME_BYTES + 1 + random.nextInt(1 << 20);
                ws.frame(true, 0, RawWebSocket.TEXT, true, new byte[10], claimed);
                return "!length field says " + claimed;
            }
            case 10 -> {
                ws.frame(false, 0, RawWebSocket.TEXT, true, "[".getBytes(StandardCharsets.US_ASCII), null);
                ws.frame(true, 0, RawWebSocket.TEXT, true, frame, null);
                return "!a new message inside a fragmented one";
            }
            case 11 -> {
                ws.frame(true, 0, RawWebSocket.BINARY, true, frame, null);
                return "binary frame of JSON";
            }
            case 12 -> {
                ws.frame(true, 0, RawWebSocket.PONG, true, inputs.randomBytes(20), null);
                return "unsolicited pong";
            }
            case 13 -> {
                ws.frame(true, 0, RawWebSocket.TEXT, true, new byte[0], null);
                return "empty text frame";
            }
            default -> {
                ws.frame(true, 0, RawWebSocket.CLOSE, true, closePayload(1000, inputs.invalidUtf8()), null);
                return "!close with a reason of invalid UTF-8";
            }
        }
    }

    static byte[] closePayload(int code, byte[] reason) {
        byte[] payload = new byte[2 + Math.min(reason.length, 100)];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(reason, 0, payload, 2, payload.length - 2);
        return payload;
    }

    static String wire(String frame, boolean sockJs) {
        return sockJs ? new JsonArray().add(frame).encode() : frame;
    }

    void checkRawText(String text, boolean sockJs, List<String> played) {
        if (!sockJs) {
            parseAndCheck(text, played);
        } else if (text.startsWith("a")) {
            try {
                new JsonArray(text.substring(1)).forEach(m -> parseAndCheck(String.valueOf(m), played));
            } catch (RuntimeException e) {
                violation("protocol games " + played + ": a SockJS frame that is not an array: " + FuzzSocket.abbreviate(text));
            }
        } else if (!text.equals("o") && !text.equals("h") && !text.startsWith("c[")) {
            violation("protocol games " + played + ": not a SockJS frame: " + FuzzSocket.abbreviate(text));
        }
    }

    void parseAndCheck(String text, List<String> played) {
        try {
            checkFrame("protocol games", played::toString, new JsonObject(text));
        } catch (RuntimeException e) {
            violation("protocol games " + played + ": a frame that is not a JSON object: " + FuzzSocket.abbreviate(text));
        }
    }

    // ---------------------------------------------------------------- HTTP

    void fuzzHttp(Random random, int quota) {
        FuzzInputs inputs = new FuzzInputs(random, MAX_FRAME_BYTES, MAX_ADDRESS_LENGTH, List.of(VICTIM, VICTIM_2, "c-1", "someone"),
                () -> "x", KNOWN_BUGS);
        String apiKey = node.config().apiKey();
        String admin = token("http-admin", "admin");
        String staff = token("http-staff", "staff");
        for (int i = 0; i < quota; i++) {
            int what = random.nextInt(100);
            String method;
            String target;
            String body = null;
            byte[] rawBody = null;
            if (what < 45) {
                method = "POST";
                target = "/api/events";
                body = inputs.eventBody();
            } else if (what < 70) {
                method = "POST";
                target = "/api/events/batch";
                body = inputs.batchBody();
            } else if (what < 95) {
                method = "GET";
                String query = inputs.historyQuery();
                target = "/api/history/" + inputs.historyType() + (query.isEmpty() && random.nextBoolean() ? "" : "?" + query);
            } else {
                method = List.of("PUT", "DELETE", "PATCH", "OPTIONS", "GET", "POST").get(random.nextInt(6));
                target = List.of("/api/events", "/api/events/batch", "/api/history/order:created", "/api/stats", "/api/presence",
                        "/api/presence?room=" + FuzzInputs.urlEncode(inputs.string(10)), "/api/", "/api/nothing",
                        "/api/presence?limit=" + FuzzInputs.urlEncode(inputs.string(4)) + "&next=" + FuzzInputs.urlEncode(inputs.string(10)))
                        .get(random.nextInt(9));
                body = random.nextBoolean() ? inputs.eventBody() : null;
            }
            if (body != null && random.nextInt(25) == 0) {
                rawBody = random.nextBoolean() ? inputs.invalidUtf8() : inputs.randomBytes(500);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            String auth = switch (random.nextInt(40)) {
                case 0 -> null;
                case 1 -> "Bearer wrong-key";
                case 2 -> "bearer " + apiKey;
                case 3 -> "Basic " + java.util.Base64.getEncoder().encodeToString(("x:" + apiKey).getBytes(StandardCharsets.UTF_8));
                case 4 -> "Bearer " + admin;
                case 5 -> "Bearer " + staff;
                case 6 -> "Bearer " + apiKey + " x";
                case 7 -> "Bearer";
                case 8 -> "Bearer " + "k".repeat(6000);
                case 9 -> "Bearer  " + apiKey;
                default -> "Bearer " + apiKey;
            };
            if (auth != null) {
                headers.put("Authorization", auth);
            }
            if (body != null || rawBody != null) {
                String contentType = switch (random.nextInt(20)) {
                    case 0 -> null;
                    case 1 -> "text/plain";
                    case 2 -> KNOWN_BUGS ? "application/x-www-form-urlencoded" : "application/xml";
                    case 3 -> KNOWN_BUGS ? "multipart/form-data; boundary=xyz" : "application/octet-stream";
                    case 4 -> "application/json; charset=utf-16";
                    case 5 -> "garbage/;;;";
                    default -> "application/json";
                };
                if (contentType != null) {
                    headers.put("Content-Type", contentType);
                }
            }
            byte[] bytes = rawBody != null ? rawBody : body == null ? null : body.getBytes(StandardCharsets.UTF_8);
            byte[] targetBytes = random.nextInt(60) == 0 ? (target + "é€").getBytes(StandardCharsets.UTF_8)
                    : target.getBytes(StandardCharsets.UTF_8);
            RawHttp.Response response;
            try {
                response = RawHttp.send(node.port(), method, targetBytes, headers, bytes);
            } catch (IOException e) {
                violation("seed " + SEED + ": " + method + " " + target + " failed: " + e + "\n  body " + FuzzSocket.abbreviate(String.valueOf(body)));
                httpSent.incrementAndGet();
                continue;
            }
            httpSent.incrementAndGet();
            checkHttp(method, target, headers, body, bytes, response);
        }
    }

    void checkHttp(String method, String target, Map<String, String> headers, String body, byte[] bytes, RawHttp.Response response) {
        int status = response.status();
        String path = target.startsWith("/api/history/") ? "/api/history/{type}" : target.replaceAll("\\?.*", "");
        String request = method + " " + FuzzSocket.abbreviate(target) + " " + headers.keySet().stream()
                .map(h -> h + ": " + FuzzSocket.abbreviate(headers.get(h))).collect(Collectors.joining(", "))
                + (bytes == null ? "" : "\n  body (" + bytes.length + " bytes) " + (body == null ? "binary" : FuzzSocket.abbreviate(body)));
        String answer = status + " " + FuzzSocket.abbreviate(response.body());
        if (status < 200 || (status >= 300 && status < 400) || status >= 500) {
            tally(httpAnswers, method + " " + path + " " + status);
            violation("seed " + SEED + ": " + request + "\n  answered " + answer);
            return;
        }
        if (status >= 400) {
            JsonObject error = null;
            try {
                error = new JsonObject(response.body());
            } catch (RuntimeException notJson) {
                // reported below
            }
            Object id = error == null ? null : error.getValue("error");
            ErrorCode code = id instanceof String s ? ERROR_CODES.get(s) : null;
            tally(httpAnswers, method + " " + path + " " + status + " " + id);
            if (!"HEAD".equals(method) && (code == null || code.status() != status)) {
                violation("seed " + SEED + ": a refusal outside the vocabulary: " + request + "\n  answered " + answer);
            }
            return;
        }
        tally(httpAnswers, method + " " + path + " " + status);
        if ("POST".equals(method) && status == 202 && (path.equals("/api/events") || path.equals("/api/events/batch"))) {
            recordHttpPublish(path.equals("/api/events/batch"), bytes, response, request);
        } else if ("GET".equals(method) && path.equals("/api/history/{type}")) {
            try {
                if (!(new JsonObject(response.body()).getValue("events") instanceof JsonArray)) {
                    violation("a history answer without events: " + request + "\n  answered " + answer);
                }
            } catch (RuntimeException e) {
                violation("a history answer that is not JSON: " + request + "\n  answered " + answer);
            }
        }
    }

    /** A 202: the watched type's events among what was sent become expected events, with their target. */
    void recordHttpPublish(boolean batch, byte[] body, RawHttp.Response response, String request) {
        JsonObject answer;
        Object sent;
        try {
            answer = new JsonObject(response.body());
            // as the node parses it (a Buffer: a UTF-8 byte order mark is skipped), so duplicate keys and odd numbers read the same
            sent = Json.decodeValue(io.vertx.core.buffer.Buffer.buffer(body));
        } catch (RuntimeException e) {
            violation("a 202 for a body that is not JSON, or with an answer that is not: " + request + "\n  answered " + response.body());
            return;
        }
        if (!batch) {
            JsonObject event = (JsonObject) sent;
            if (WATCHED.equals(event.getValue("type"))) {
                record(answer, event.getValue("target") instanceof JsonObject t ? t : null, "HTTP fuzz " + FuzzSocket.abbreviate(event.encode()));
            }
            return;
        }
        JsonArray events = ((JsonObject) sent).getJsonArray("events");
        JsonArray results = answer.getJsonArray("results");
        if (results == null || results.size() != events.size()) {
            violation("a batch answered with " + (results == null ? "no" : results.size()) + " results for " + events.size() + " events: " + request);
            return;
        }
        for (int i = 0; i < events.size(); i++) {
            JsonObject event = events.getJsonObject(i);
            if (WATCHED.equals(event.getValue("type"))) {
                record(results.getJsonObject(i), event.getValue("target") instanceof JsonObject t ? t : null,
                        "HTTP fuzz batch[" + i + "] " + FuzzSocket.abbreviate(event.encode()));
            }
        }
    }

    // ---------------------------------------------------------------- the checks after

    /** Whether an accepted event reaches a client of this user and role (a staff or manager reads every order). */
    static boolean reaches(Accepted event, String user, String role) {
        JsonObject target = event.target();
        if (target == null) {
            return true;
        }
        JsonArray users = target.getValue("users") instanceof JsonArray a ? a : new JsonArray();
        JsonArray roles = target.getValue("roles") instanceof JsonArray a ? a : new JsonArray();
        JsonArray rooms = target.getValue("rooms") instanceof JsonArray a ? a : new JsonArray();
        if (users.isEmpty() && roles.isEmpty() && rooms.isEmpty()) {
            return true;
        }
        return users.contains(user) || roles.contains(role);
    }

    void checkVictim(BridgeClient client, String user, String role) {
        List<Accepted> expected = accepted.values().stream().filter(e -> reaches(e, user, role))
                .sorted((a, b) -> Long.compare(a.seq(), b.seq())).toList();
        List<JsonObject> received = new ArrayList<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (received.size() < expected.size() && System.nanoTime() < end) {
            JsonObject frame = client.poll(Duration.ofMillis(200));
            if (frame != null && WATCHED.equals(frame.getString("address"))) {
                if (!"rec".equals(frame.getString("type"))) {
                    fail("seed " + SEED + ": " + user + " got " + frame.encode() + " on " + WATCHED);
                }
                received.add(frame.getJsonObject("body"));
            }
        }
        client.sync();
        client.drain().stream().filter(f -> WATCHED.equals(f.getString("address"))).forEach(f -> received.add(f.getJsonObject("body")));
        List<String> expectedIds = expected.stream().map(Accepted::id).toList();
        List<String> receivedIds = received.stream().map(e -> e.getString("id")).toList();
        if (!expectedIds.equals(receivedIds)) {
            List<String> missing = new ArrayList<>(expectedIds);
            missing.removeAll(receivedIds);
            List<String> extra = new ArrayList<>(receivedIds);
            extra.removeAll(expectedIds);
            Map<String, Long> counts = receivedIds.stream().collect(Collectors.groupingBy(id -> id, Collectors.counting()));
            fail("seed " + SEED + ": " + user + " expected " + expected.size() + " events of " + WATCHED + ", received " + received.size()
                    + "; missing " + missing.stream().limit(10).map(id -> id + " " + accepted.get(id)).toList()
                    + "; unexpected " + extra.stream().limit(10).toList()
                    + "; duplicates " + counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).limit(10).toList()
                    + "; received seqs " + received.stream().map(e -> e.getLong("seq")).toList());
        }
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).seq(), received.get(i).getLong("seq"), "seed " + SEED + ": " + user + " event " + i + " (" + expected.get(i) + ")");
        }
        assertTrue(expected.size() >= EVENTS, user + " expected at least the backend's " + EVENTS + " events");
    }

    /** The watched type's accepted seqs are 1..n without a gap (no event got in unnoticed), and history holds them in order. */
    void checkSeqsAndHistory() {
        List<Accepted> all = accepted.values().stream().sorted((a, b) -> Long.compare(a.seq(), b.seq())).toList();
        for (int i = 0; i < all.size(); i++) {
            assertEquals(i + 1, all.get(i).seq(), "seed " + SEED + ": the seqs of " + WATCHED + " have a gap or a duplicate before " + all.get(i));
        }
        List<String> history = new ArrayList<>();
        long since = 0;
        while (true) {
            JsonObject page = TestNodes.history(node, WATCHED, "since=" + since + "&limit=1000");
            page.getJsonArray("events").forEach(e -> history.add(((JsonObject) e).getString("id")));
            assertTrue(page.getBoolean("complete"), "history of " + WATCHED + " is complete");
            if (!page.getBoolean("more")) {
                break;
            }
            since = page.getLong("next");
        }
        assertEquals(all.stream().map(Accepted::id).toList(), history, "seed " + SEED + ": history of " + WATCHED + " holds the accepted events in seq order");
    }

    /** The well-behaved clients register another type and receive an event published after; a new client can connect too. */
    void stillServes(BridgeClient victim, BridgeClient victim2) {
        String type = "inventory:low_stock";
        victim.register(type).sync();
        victim2.register(type).sync();
        try (BridgeClient late = BridgeClient.connect(clients, node.port(), token("fuzz-late", "staff"))) {
            late.register(type).sync();
            String id = TestNodes.publish(node, type, new JsonObject().put("sku", "after-the-fuzz")).getString("id");
            for (BridgeClient client : List.of(victim, victim2, late)) {
                JsonObject event = client.next(BridgeClient.rec(type)).getJsonObject("body");
                assertEquals(id, event.getString("id"), "the event published after the fuzzing");
            }
        }
    }

    static final Pattern METRIC = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{(\\s*[a-zA-Z_][a-zA-Z0-9_]*=\"(\\\\.|[^\"\\\\])*\"\\s*,?)*\\})?"
            + " (-?[0-9.eE+-]+|NaN|[+-]Inf)( -?[0-9]+)?");

    void checkOps() {
        assertEquals(200, TestNodes.http("GET", node.port(), "/health", null, null).status(), "/health");
        TestNodes.Response stats = TestNodes.http("GET", node.port(), "/api/stats", "Bearer " + node.config().apiKey(), null);
        assertEquals(200, stats.status(), "/api/stats " + stats.body());
        stats.json();
        TestNodes.Response metrics = TestNodes.http("GET", node.port(), "/metrics", null, null);
        assertEquals(200, metrics.status(), "/metrics");
        List<String> bad = metrics.body().lines().filter(l -> !l.isBlank() && !l.startsWith("#") && !METRIC.matcher(l).matches()).toList();
        assertTrue(bad.isEmpty(), "/metrics lines that are not Prometheus text: " + bad.stream().limit(5).toList());
        assertTrue(metrics.body().contains("herald_"), "/metrics has Herald's counters");
        // the fuzz connections are all gone: only the two well-behaved clients remain
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        long open = -1;
        while (System.nanoTime() < end) {
            open = TestNodes.http("GET", node.port(), "/health", null, null).json().getLong("connections");
            if (open == 2) {
                break;
            }
            sleep(100);
        }
        assertEquals(2, open, "seed " + SEED + ": connections the node still counts after every fuzz connection closed");
    }

    void report(long started, long fuzzed) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("FuzzIT seed %d: %d bridge frames over %d connections (%d syncs), %d protocol games, %d HTTP requests, "
                        + "%d accepted %s events; fuzzing %.1f s, in all %.1f s%n",
                SEED, framesSent.get(), connections.get(), syncs.get(), protocolFrames.get(), httpSent.get(), accepted.size(), WATCHED,
                (fuzzed - started) / 1e9, (System.nanoTime() - started) / 1e9));
        s.append("  err frames by failureType: ").append(sorted(errTypes)).append('\n');
        s.append("  connection ends: ").append(sorted(closes)).append('\n');
        s.append("  refused handshakes: ").append(sorted(refusedHandshakes)).append('\n');
        s.append("  HTTP answers: ").append(sorted(httpAnswers)).append('\n');
        s.append("  violations: ").append(violations.size()).append('\n');
        violations.stream().limit(40).forEach(v -> s.append("    ").append(v.replace("\n", "\n      ")).append('\n'));
        s.append("  node log records at WARNING or above: ").append(logs.all().size()).append('\n');
        logs.all().stream().limit(20).forEach(l -> s.append("    ").append(l).append('\n'));
        System.out.print(s);
    }

    static Map<String, Long> sorted(Map<String, LongAdder> counts) {
        Map<String, Long> result = new TreeMap<>();
        counts.forEach((k, v) -> result.put(k, v.sum()));
        return result;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * The node's log, in-process: a handler on the root logger keeps records at WARNING and above. A
     * problem is a record with an exception, any SEVERE record, or a warning from Herald's own code
     * (lost events, failed writes). The JDK's HTTP client (the fuzzer's) is not the node.
     */
    static final class LogCapture extends Handler {
        private final List<String> all = Collections.synchronizedList(new ArrayList<>());
        private final List<String> problems = Collections.synchronizedList(new ArrayList<>());

        static LogCapture install() {
            LogCapture capture = new LogCapture();
            capture.setLevel(Level.WARNING);
            Logger.getLogger("").addHandler(capture);
            return capture;
        }

        void remove() {
            Logger.getLogger("").removeHandler(this);
        }

        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() < Level.WARNING.intValue()) {
                return;
            }
            String logger = String.valueOf(record.getLoggerName());
            if (logger.startsWith("jdk.") || logger.startsWith("java.net.http")) {
                return;
            }
            Throwable thrown = record.getThrown();
            StringBuilder line = new StringBuilder(record.getLevel() + " [" + logger + "] " + record.getMessage());
            if (thrown != null) {
                line.append(" — ").append(thrown);
                Arrays.stream(thrown.getStackTrace()).limit(12).forEach(f -> line.append("\n        at ").append(f));
            }
            all.add(line.toString());
            if (thrown != null || record.getLevel().intValue() >= Level.SEVERE.intValue() || logger.startsWith("io.herald")) {
                problems.add(line.toString());
            }
        }

        List<String> all() {
            return List.copyOf(all);
        }

        List<String> problems() {
            return List.copyOf(problems);
        }

        void clear() {
            all.clear();
            problems.clear();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
