package io.herald;

import io.herald.node.HeraldNode;

import io.herald.testing.BridgeClient;
import io.herald.testing.Eventually;
import io.herald.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17 item 3, as an attacker plays it: a connection that registers for nothing, stops reading and sends
 * queries in a loop ({@code herald:presence} with a reply address, and frames the node answers with an
 * {@code err}). Every answer queues for it; with the frame rates lifted (as for a busy backend dashboard) only
 * the outbound bound stands between it and the node's memory. The node must cut it as {@code slow_consumer}
 * once more than the bound waits for it, as it does for a subscriber that stops reading events.
 */
class OutboundBoundsAttackIT {
    /** Answers of ~0.3-0.6 KB each: 48 MB of them, far past the 1 MiB bound and what the kernel's buffers absorb. */
    static final int QUERIES = 120_000;

    static HeraldNode start() {
        return TestNodes.start(TestNodes.config(json -> {
            JsonObject limits = json.getJsonObject("limits");
            limits.put("framesPerMinute", 1_000_000).put("framesBurst", 1_000_000)
                    .put("framesPerMinuteByRole", new JsonObject().put("admin", 1_000_000))
                    .put("presenceQueriesPerMinute", 1_000_000);
            json.getJsonObject("bridge").put("maxPendingReplies", 100_000);
        }));
    }

    @Test
    void aConnectionThatReadsNothingAndSendsQueriesIsCutAsASlowConsumer() throws Exception {
        HeraldNode node = start();
        try (Socket attacker = stalled(node.port(), TestNodes.token(node, "a-stalled", "admin"))) {
            long bytesOutBefore = metric(node, "herald_frames_out_bytes_total");
            OutputStream out = attacker.getOutputStream();
            String longAddress = "herald:" + "x".repeat(240);
            int sent = 0;
            try {
                for (; sent < QUERIES && (sent % 5000 != 0 || closes(node) == 0); sent++) {
                    String frame = sent % 2 == 0
                            ? new JsonObject().put("type", "send").put("address", "herald:presence").put("body", new JsonObject())
                                    .put("replyAddress", "r." + sent).encode()
                            : new JsonObject().put("type", "send").put("address", longAddress).put("body", new JsonObject()).encode();
                    out.write(SlowConsumerAttackIT.maskedText(frame));
                    if (sent % 1000 == 0) {
                        out.flush();
                    }
                }
                out.flush();
            } catch (IOException cut) {
                // the node cut the connection while we were still writing: what the fix does
            }
            long queuedMb = (metric(node, "herald_frames_out_bytes_total") - bytesOutBefore) >> 20;
            System.out.printf("OUTBOUND-BOUND ATTACK: %d queries sent, node wrote %d MB of answers to a connection that read nothing, "
                    + "slow_consumer closes %d%n", sent, queuedMb, closes(node));
            Eventually.assertWithin(60, "the stalled querier is closed as a slow consumer (node wrote " + queuedMb + " MB for it)",
                    () -> closes(node) >= 1);
            assertTrue(queuedMb < 32, "the node stopped queueing answers near the bound, not after " + queuedMb + " MB");
        } finally {
            node.close().await();
        }
    }

    @Test
    void presenceAnswersArePagedOnTheBridgeAndTheApiAndQueriesHaveTheirOwnRate() {
        HeraldNode node = TestNodes.start(TestNodes.config(json -> json.getJsonObject("limits").put("presenceQueriesPerMinute", 4)));
        Vertx vertx = Vertx.vertx();
        List<BridgeClient> users = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                users.add(BridgeClient.connect(vertx, node.port(), TestNodes.token(node, "p-" + i, "staff")).sync());
            }
            BridgeClient admin = BridgeClient.connect(vertx, node.port(), TestNodes.token(node, "p-admin", "admin")).sync();
            users.add(admin);
            BridgeClient reader = BridgeClient.connect(vertx, node.port(), TestNodes.token(node, "p-reader", "admin")).sync();
            users.add(reader);
            Eventually.assertEventually("seven users online", () -> TestNodes.http("GET", node.port(), "/api/presence",
                    "Bearer " + node.config().apiKey(), null).json().getInteger("uniqueUsers") == 7);
            List<String> seen = new ArrayList<>();
            String next = null;
            for (int page = 0; page < 3; page++) {
                JsonObject body = new JsonObject().put("limit", 3);
                if (next != null) {
                    body.put("next", next);
                }
                reader.request("herald:presence", body, "page" + page);
                JsonObject answer = reader.next(BridgeClient.rec("page" + page)).getJsonObject("body");
                assertEquals(7, answer.getInteger("uniqueUsers"), "the totals on every page: " + answer);
                assertEquals(7, answer.getInteger("connections"));
                answer.getJsonArray("users").forEach(u -> seen.add(((JsonObject) u).getString("userId")));
                next = answer.getString("next");
                assertEquals(page < 2, answer.getBoolean("more"), "more on page " + page);
            }
            assertEquals(List.of("p-0", "p-1", "p-2", "p-3", "p-4", "p-admin", "p-reader"), seen);
            reader.request("herald:presence", new JsonObject().put("limit", 501), "big");
            assertEquals("invalid_parameter", reader.next(BridgeClient.err("big")).getString("failureType"));
            // 4 a minute: the three pages and this one (a refused page costs nothing)
            reader.request("herald:presence", new JsonObject(), "fourth");
            assertEquals(7, reader.next(BridgeClient.rec("fourth")).getJsonObject("body").getJsonArray("users").size());
            reader.request("herald:presence", new JsonObject(), "over");
            assertEquals("rate_limited", reader.next(BridgeClient.err("over")).getString("failureType"));

            TestNodes.Response api = TestNodes.http("GET", node.port(), "/api/presence?limit=2&next=p-3", "Bearer " + node.config().apiKey(), null);
            assertEquals(200, api.status(), api.body());
            JsonObject page = api.json();
            assertEquals(List.of("p-4", "p-admin"), page.getJsonArray("users").stream().map(u -> ((JsonObject) u).getString("userId")).toList());
            assertEquals("p-admin", page.getString("next"));
            assertTrue(page.getBoolean("more"));
            assertEquals(7, page.getInteger("uniqueUsers"));
            assertEquals(400, TestNodes.http("GET", node.port(), "/api/presence?limit=0", "Bearer " + node.config().apiKey(), null).status());
        } finally {
            users.forEach(BridgeClient::close);
            vertx.close().await();
            node.close().await();
        }
    }

    static long closes(HeraldNode node) {
        return metric(node, "herald_closes_total{reason=\"slow_consumer\"}");
    }

    /** A counter or gauge of the node's {@code /metrics}, by its name and labels as printed (0 when absent). */
    static long metric(HeraldNode node, String prefix) {
        return TestNodes.http("GET", node.port(), "/metrics", null, null).body().lines()
                .filter(line -> line.startsWith(prefix + " ") || line.startsWith(prefix + "{") && prefix.contains("{") == false)
                .findFirst().map(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .orElse(0L);
    }

    /** A raw WebSocket (anonymous when {@code token} is null) on a socket with a small receive buffer, never read after the upgrade. */
    static Socket stalled(int port, String token) throws IOException {
        return upgraded(port, 64 * 1024, 10_000,
                "/eventbus/websocket" + (token == null ? "" : "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)), "");
    }

    /**
     * A raw WebSocket upgraded on {@code path} (with {@code headers}, each ending in CRLF, added to the request) on a
     * socket with this receive buffer and read timeout; the 101's head is read, nothing after it.
     */
    static Socket upgraded(int port, int receiveBuffer, int timeoutMs, String path, String headers) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(receiveBuffer);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(timeoutMs);
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + headers
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            head.append((char) in.readUnsignedByte());
        }
        assertTrue(head.toString().startsWith("HTTP/1.1 101"), "the upgrade is accepted: " + head);
        return socket;
    }
}
