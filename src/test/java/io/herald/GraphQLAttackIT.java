package io.herald;

import io.herald.node.HeraldNode;
import io.herald.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on {@code /graphql} (docs/graphql.md) over raw WebSockets against a real node: sockets that never send
 * {@code connection_init} (at most {@code limits.graphqlWaitingInitPerLoop} wait per event loop, the others are closed
 * {@code too_many_connections} while a client that did init goes on getting events), and a query with two {@code state}
 * fields (a GraphQL error for the second, not the first one's reply nor a query left hanging).
 */
class GraphQLAttackIT {
    static final int WAITING_INIT = 3;
    static final String TYPE = "inventory:out_of_stock";
    static HeraldNode node;

    @BeforeAll
    static void start() {
        node = TestNodes.start(TestNodes.config(json -> {
            json.getJsonObject("http").put("instances", 1); // one event loop serves /graphql: the cap is the node's
            json.getJsonObject("limits").put("graphqlWaitingInitPerLoop", WAITING_INIT);
        }));
    }

    @AfterAll
    static void stop() {
        node.close().await();
    }

    @Test
    void socketsThatNeverInitAreCappedPerLoopWhileAClientThatDidGetsItsEvents() throws Exception {
        try (Raw good = Raw.open(node.port())) {
            good.subscribe("admin-good", "s", "subscription { events(types: [\"" + TYPE + "\"]) { seq data } }");
            List<Raw> idle = new ArrayList<>();
            try {
                for (int i = 0; i < WAITING_INIT + 7; i++) {
                    idle.add(Raw.open(node.port())); // upgraded, and then silent: no connection_init
                }
                // the cap is full: the client that did init still gets events
                publish(new JsonObject().put("n", "during"));
                String next = good.nextText(20_000);
                assertTrue(next.contains("\"next\"") && next.contains("during"), next);

                TreeMap<Integer, Integer> codes = new TreeMap<>();
                List<String> reasons = new ArrayList<>();
                for (Raw socket : idle) {
                    int[] code = {0};
                    String reason = socket.closeFrame(30_000, code); // the refused at once; the held ones at the init timeout
                    codes.merge(code[0], 1, Integer::sum);
                    reasons.add(code[0] + " " + reason);
                }
                TreeMap<Integer, Integer> expected = new TreeMap<>();
                expected.put(CloseReason.TOO_MANY_CONNECTIONS.code(), 7);
                expected.put(GraphQLClose.INIT_TIMEOUT.code(), WAITING_INIT);
                assertEquals(expected, codes, "7 refused too_many_connections, " + WAITING_INIT + " held until the init timeout: " + reasons);
                assertTrue(reasons.contains(CloseReason.TOO_MANY_CONNECTIONS.code() + " too_many_connections"), reasons.toString());
                assertTrue(reasons.contains(GraphQLClose.INIT_TIMEOUT.code() + " init_timeout"), reasons.toString());
            } finally {
                for (Raw socket : idle) {
                    socket.close();
                }
            }
            // the held ones gone (the node counts a socket until its connection ends: the idle clients just closed theirs),
            // a new client is let in and subscribes; the first one still gets events
            Raw late = null;
            for (int attempt = 0; late == null; attempt++) {
                Raw candidate = Raw.open(node.port());
                int[] code = {0};
                candidate.send(new JsonObject().put("type", "connection_init").put("payload", new JsonObject()
                        .put("token", TestNodes.token(node, "admin-late", "admin"))));
                String first = candidate.nextTextOrClose(20_000, code);
                if (first != null && first.contains("connection_ack")) {
                    late = candidate;
                } else {
                    candidate.close();
                    assertEquals(CloseReason.TOO_MANY_CONNECTIONS.code(), code[0], "only while the idle ones' connections end: " + first);
                    assertTrue(attempt < 100, "a new client is let in once the held sockets are gone");
                    Thread.sleep(200);
                }
            }
            try (Raw client = late) {
                client.send(new JsonObject().put("id", "l").put("type", "subscribe").put("payload", new JsonObject()
                        .put("query", "subscription { events(types: [\"" + TYPE + "\"]) { data } }")));
                String lateNext = null;
                for (int i = 0; i < 100 && lateNext == null; i++) {
                    publish(new JsonObject().put("late", i));
                    try {
                        lateNext = client.nextText(300);
                    } catch (SocketTimeoutException notYet) {
                        // not registered yet
                    }
                }
                assertTrue(lateNext != null && lateNext.contains("\"next\"") && lateNext.contains("\"l\""), String.valueOf(lateNext));
                String after = null;
                while (after == null || !after.contains("\"s\"")) {
                    after = good.nextText(20_000);
                }
                assertTrue(after.contains("\"next\""), after);
            }
        }
    }

    @Test
    void twoStateFieldsInOneOperationGetAGraphQLErrorNotOneReplyTwice() throws Exception {
        try (Raw client = Raw.open(node.port())) {
            client.init("admin-state");
            client.send(new JsonObject().put("id", "q").put("type", "subscribe").put("payload", new JsonObject().put("query",
                    "query { a: state(type: \"inventory:updated\") { type seq } b: state(type: \"inventory:updated\") { type seq } }")));
            JsonObject answer = new JsonObject(client.nextText(20_000)); // before the fix: no answer, the query waited for ever
            assertEquals("q", answer.getString("id"), answer.encode());
            JsonArray errors = "error".equals(answer.getString("type")) ? answer.getJsonArray("payload")
                    : answer.getJsonObject("payload").getJsonArray("errors");
            assertNotNull(errors, answer.encode());
            assertEquals(1, errors.size(), answer.encode());
            JsonObject error = errors.getJsonObject(0);
            assertEquals(ErrorCode.INVALID_PARAMETER.id(), error.getJsonObject("extensions").getString("code"), answer.encode());
            assertTrue(error.getString("message").contains("one state field"), answer.encode());
            assertEquals(new JsonArray().add("b"), error.getJsonArray("path"), "the second field is refused: " + answer.encode());
            JsonObject data = answer.getJsonObject("payload").getJsonObject("data");
            assertEquals("inventory:updated", data.getJsonObject("a").getString("type"), "the first field has its own reply: " + answer.encode());
            assertEquals("complete", new JsonObject(client.nextText(20_000)).getString("type"));
        }
    }

    static void publish(JsonObject data) {
        TestNodes.Response response = TestNodes.http("POST", node.port(), "/api/events", "Bearer " + node.config().apiKey(),
                new JsonObject().put("type", TYPE).put("data", data).encode());
        assertEquals(202, response.status(), response.body());
    }

    /** A WebSocket to /graphql on a plain socket: nothing a client library would add (or hold back). */
    static final class Raw implements AutoCloseable {
        final Socket socket = new Socket();
        DataInputStream in;
        OutputStream out;

        static Raw open(int port) throws IOException {
            Raw raw = new Raw();
            raw.socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            raw.socket.setSoTimeout(20_000);
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            raw.out = raw.socket.getOutputStream();
            raw.out.write(("GET /graphql HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Protocol: graphql-transport-ws\r\n"
                    + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            raw.out.flush();
            raw.in = new DataInputStream(raw.socket.getInputStream());
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                head.append((char) raw.in.readUnsignedByte());
            }
            assertTrue(head.toString().startsWith("HTTP/1.1 101"), head.toString());
            return raw;
        }

        void send(JsonObject message) throws IOException {
            out.write(SlowConsumerAttackIT.maskedText(message.encode()));
            out.flush();
        }

        void init(String user) throws IOException {
            send(new JsonObject().put("type", "connection_init").put("payload", new JsonObject().put("token", TestNodes.token(node, user, "admin"))));
            String ack = nextText(20_000);
            assertTrue(ack.contains("connection_ack"), ack);
        }

        /** Inits, subscribes, and publishes until an event reaches the operation (it is registered then). */
        void subscribe(String user, String id, String query) throws IOException {
            init(user);
            send(new JsonObject().put("id", id).put("type", "subscribe").put("payload", new JsonObject().put("query", query)));
            for (int i = 0; i < 100; i++) {
                publish(new JsonObject().put("probe", i));
                try {
                    String probe = nextText(300);
                    assertTrue(probe.contains("\"next\"") && probe.contains("\"" + id + "\""), probe);
                    return;
                } catch (SocketTimeoutException notYet) {
                    // not registered yet
                }
            }
            throw new AssertionError("no event reached operation " + id);
        }

        /** The next text message (control frames skipped). */
        String nextText(int timeoutMs) throws IOException {
            socket.setSoTimeout(timeoutMs);
            return SlowConsumerAttackIT.readText(in);
        }

        /** The next text message, or null with the close frame's code in {@code code[0]} when the connection closes first. */
        String nextTextOrClose(int timeoutMs, int[] code) throws IOException {
            Frame frame = nextTextOrCloseFrame(timeoutMs);
            if (frame == null) {
                code[0] = -1;
                return null;
            }
            if (frame.opcode() == 0x8) {
                code[0] = frame.closeCode();
                return null;
            }
            return new String(frame.payload(), StandardCharsets.UTF_8);
        }

        /** A frame the server sent: its opcode and payload. */
        private record Frame(int opcode, byte[] payload) {
            /** A close frame's code (1005: it has none). */
            int closeCode() {
                return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
            }
        }

        /** The next text or close frame (other frames skipped), or null when the stream ends first. */
        private Frame nextTextOrCloseFrame(int timeoutMs) throws IOException {
            socket.setSoTimeout(timeoutMs);
            while (true) {
                int b0;
                try {
                    b0 = in.readUnsignedByte();
                } catch (java.io.EOFException end) {
                    return null;
                }
                byte[] payload = payload();
                if ((b0 & 0x0F) == 0x1 || (b0 & 0x0F) == 0x8) {
                    return new Frame(b0 & 0x0F, payload);
                }
            }
        }

        private byte[] payload() throws IOException {
            int length = in.readUnsignedByte() & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = (int) in.readLong();
            }
            byte[] payload = new byte[length];
            in.readFully(payload);
            return payload;
        }

        /** Reads up to the close frame: its reason, its code in {@code code[0]} (-1: the stream ended without one). */
        String closeFrame(int timeoutMs, int[] code) throws IOException {
            Frame frame;
            do {
                frame = nextTextOrCloseFrame(timeoutMs);
            } while (frame != null && frame.opcode() != 0x8);
            if (frame == null) {
                code[0] = -1;
                return "end of stream";
            }
            code[0] = frame.closeCode();
            byte[] payload = frame.payload();
            return new String(payload, Math.min(2, payload.length), Math.max(0, payload.length - 2), StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
