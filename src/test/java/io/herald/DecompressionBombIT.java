package io.herald;

import io.herald.node.HeraldNode;
import io.herald.testing.RawWebSocket;
import io.herald.testing.TestNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A decompression bomb at a node with compression on: a hand-written WebSocket client negotiates permessage-deflate
 * and sends one compressed text message of about 200 KB that inflates to 200 MiB, once as one frame and once spread
 * over 50 continuation frames of about 4 KB each (4 MiB each inflated). The node must stop inflating at the message
 * cap ({@code bridge.maxFrameBytes}) and close with {@code frame_too_large} (1009), not inflate it all first: the
 * heap its event loops allocate while it happens stays far below the bomb's size. A client that behaves on the same
 * node is served throughout.
 */
class DecompressionBombIT {
    static final int BOMB = 200 * 1024 * 1024;
    /** What the event loops may allocate while refusing one bomb: the cap (64 KiB), buffers, a close; not the bomb. */
    static final long ALLOWED = 32L * 1024 * 1024;
    /** {@code bridge.inflateBudgetBytes} here: what unfinished compressed messages may hold per event loop. */
    static final int BUDGET = 1024 * 1024;
    /** The event loops serving HTTP in {@link TestNodes}' nodes (at most). */
    static final int LOOPS = 2;
    static HeraldNode node;
    static final Random RANDOM = new Random(7692);

    @BeforeAll
    static void start() {
        node = TestNodes.start(TestNodes.config(json -> json.getJsonObject("bridge").put("compression", true)
                .put("inflateBudgetBytes", BUDGET)));
    }

    @AfterAll
    static void stop() {
        node.close().await();
    }

    @Test
    void oneFrameBombIsRefusedWithoutInflatingIt() throws Exception {
        List<byte[]> frames = deflatedFragments(BOMB, 1);
        assertTrue(frames.get(0).length < 512 * 1024, "one frame under the transport's frame limit: " + frames.get(0).length);
        bomb(frames);
    }

    @Test
    void continuationBombIsRefusedWithoutInflatingIt() throws Exception {
        List<byte[]> frames = deflatedFragments(BOMB, 50);
        assertTrue(frames.stream().allMatch(f -> f.length < 8 * 1024), "a few KB a frame");
        bomb(frames);
    }

    /**
     * The bomb spread over many connections: each sends the first fragment of a compressed message (about 100 bytes
     * that inflate to 60 KiB, under the message cap) and never the rest, so that what it inflated waits in the node for
     * the message's end. Without a bound, 120 such sockets hold about 7 MiB, 20,000 about 1.2 GiB, for a few KB of
     * traffic. The node must keep at most {@code bridge.inflateBudgetBytes} per event loop in such unfinished messages
     * and close the connections past it with {@code unavailable} (1013); a client that behaves is still served.
     */
    @Test
    void unfinishedCompressedMessagesOverManySocketsStayWithinTheBudget() throws Exception {
        int sockets = 120;
        int inflated = 60 * 1024;
        long closesBefore = closes("unavailable");
        byte[] first = deflatedFragments(2 * inflated, 2).get(0);
        assertTrue(first.length < 1024, "a few bytes sent for each: " + first.length);
        List<RawWebSocket> held = new ArrayList<>();
        System.gc();
        long heapBefore = usedHeap();
        try {
            for (int i = 0; i < sockets; i++) {
                RawWebSocket ws = open();
                held.add(ws);
                assertTrue(ws.head().toLowerCase().contains("sec-websocket-extensions: permessage-deflate"), ws.head());
                ws.frame(false, 4, RawWebSocket.TEXT, true, first, null); // RSV1, not final: the message goes on…
            }
            // a client that behaves is served meanwhile (its messages are whole)
            try (RawWebSocket ok = open()) {
                ok.text("{\"type\":\"register\",\"address\":\"no:such\"}");
                io.herald.testing.Eventually.assertEventually("an err for the unknown register", () -> !ok.texts().isEmpty());
                assertTrue(ok.texts().get(0).contains("\"type\":\"err\""), ok.texts().toString());
            }
            long maxOpen = (long) LOOPS * (BUDGET / inflated + 1);
            io.herald.testing.Eventually.assertEventually("at most " + maxOpen + " sockets still hold an unfinished message",
                    () -> held.stream().filter(ws -> !closedByNode(ws)).count() <= maxOpen);
            System.gc();
            long heapHeld = usedHeap() - heapBefore;
            List<RawWebSocket> closed = held.stream().filter(DecompressionBombIT::closedByNode).toList();
            System.out.println("[DecompressionBombIT] " + sockets + " sockets each holding an unfinished compressed message: "
                    + (sockets - closed.size()) + " open, " + closed.size() + " closed; heap held about " + heapHeld / 1024 + " KiB");
            for (RawWebSocket ws : closed) {
                assertEquals(Integer.valueOf(1013), ws.closeCode(), "closed as unavailable, ended by " + ws.endedBy());
                assertEquals("unavailable", ws.closeReason());
            }
            assertEquals(closesBefore + closed.size(), closes("unavailable"), "each counted in herald_closes_total");
        } finally {
            held.forEach(RawWebSocket::close);
        }
        // the budget is given back when the connections end: a new one may start a fragmented compressed message again
        io.herald.testing.Eventually.assertEventually("the budget given back", () -> {
            try (RawWebSocket again = open()) {
                List<byte[]> whole = deflatedFragments(inflated, 2);
                again.frame(false, 4, RawWebSocket.TEXT, true, whole.get(0), null);
                again.frame(true, 0, RawWebSocket.CONTINUATION, true, whole.get(1), null);
                again.text("{\"type\":\"register\",\"address\":\"no:such\"}");
                io.herald.testing.Eventually.assertEventually("an answer", () -> !again.texts().isEmpty() || closedByNode(again));
                return !closedByNode(again);
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** Compressed data that does not inflate: a close frame 1007 invalid_payload, not a bare TCP close (1006). */
    @Test
    void corruptCompressedDataClosesWithInvalidPayload() throws Exception {
        long before = closes("invalid_payload");
        try (RawWebSocket ws = open()) {
            ws.frame(true, 4, RawWebSocket.TEXT, true, new byte[] {(byte) 0xFF, 1, 2, 3}, null);
            assertTrue(ws.awaitEnd(30), "closed");
            assertEquals(Integer.valueOf(1007), ws.closeCode(), "ended by " + ws.endedBy());
            assertEquals("invalid_payload", ws.closeReason());
        }
        io.herald.testing.Eventually.assertWithin(30, "counted once in herald_closes_total", () -> closes("invalid_payload") == before + 1);
    }

    /**
     * RFC 6455 §5.2: a reserved bit no negotiated extension defines fails the connection (1002 protocol_error): RSV1
     * on a socket without permessage-deflate, on the bridge and on {@code /graphql}; RSV2 on one with it.
     */
    @Test
    void reservedBitsNoExtensionDefinesCloseWithProtocolError() throws Exception {
        String token = TestNodes.token(node, "u-bomb", "admin");
        long before = closes("protocol_error");
        for (String path : List.of("/eventbus/websocket?token=" + token, "/graphql")) {
            List<String> refused = new ArrayList<>();
            try (RawWebSocket plain = RawWebSocket.open(node.port(), path, RANDOM, refused,
                    path.startsWith("/graphql") ? "Sec-WebSocket-Protocol: graphql-transport-ws\r\n" : "")) {
                assertNotNull(plain, refused.toString());
                assertTrue(!plain.head().toLowerCase().contains("permessage-deflate"), plain.head());
                plain.frame(true, 4, RawWebSocket.TEXT, true, "{\"type\":\"ping\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8), null);
                assertTrue(plain.awaitEnd(30), "closed");
                assertEquals(Integer.valueOf(1002), plain.closeCode(), path.split("\\?")[0] + " ended by " + plain.endedBy());
                assertEquals("protocol_error", plain.closeReason());
            }
        }
        try (RawWebSocket deflate = open()) {
            deflate.frame(true, 2, RawWebSocket.TEXT, true, "{\"type\":\"ping\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8), null);
            assertTrue(deflate.awaitEnd(30), "closed");
            assertEquals(Integer.valueOf(1002), deflate.closeCode(), "ended by " + deflate.endedBy());
        }
        io.herald.testing.Eventually.assertWithin(30, "the three counted in herald_closes_total", () -> closes("protocol_error") == before + 3);
    }

    /** The node closed it (close frame, or the connection ended), not the test's read timeout. */
    private static boolean closedByNode(RawWebSocket ws) {
        String by = ws.endedBy();
        return by != null && !by.equals("read timeout");
    }

    private static long usedHeap() {
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private void bomb(List<byte[]> frames) throws Exception {
        try (RawWebSocket ws = open()) {
            assertTrue(ws.head().toLowerCase().contains("sec-websocket-extensions: permessage-deflate"), ws.head());
            long before = eventLoopAllocated();
            for (int i = 0; i < frames.size(); i++) {
                boolean last = i == frames.size() - 1;
                // RSV1 ("compressed") on the message's first frame only (RFC 7692 §6.1)
                if (!ws.frame(last, i == 0 ? 4 : 0, i == 0 ? RawWebSocket.TEXT : RawWebSocket.CONTINUATION, true, frames.get(i), null)) {
                    break; // the node closed already: what was sent is all it could read
                }
            }
            assertTrue(ws.awaitEnd(60), "the node closed the bomb's connection");
            long allocated = eventLoopAllocated() - before;
            System.out.println("[DecompressionBombIT] " + frames.size() + " frame(s), " + frames.stream().mapToInt(f -> f.length).sum()
                    + " bytes sent: the event loops allocated " + allocated / 1024 + " KiB; " + ws.closeCode() + " " + ws.closeReason());
            assertEquals(Integer.valueOf(1009), ws.closeCode(), "closed as too large, ended by " + ws.endedBy());
            assertEquals("frame_too_large", ws.closeReason());
            assertTrue(allocated < ALLOWED, "the event loops allocated " + allocated / 1024 + " KiB refusing a bomb of "
                    + BOMB / 1024 + " KiB: it was inflated before its size was checked");
        }
        // the node still serves a client that behaves, compression negotiated
        try (RawWebSocket ok = open()) {
            ok.text("{\"type\":\"ping\"}");
            ok.text("{\"type\":\"register\",\"address\":\"no:such\"}");
            io.herald.testing.Eventually.assertEventually("an err for the unknown register", () -> !ok.texts().isEmpty());
            assertTrue(ok.texts().get(0).contains("\"type\":\"err\""), ok.texts().toString());
        }
    }

    /**
     * The same bomb on a {@code /graphql} socket whose operations the bridge serves: closed {@code frame_too_large} by
     * the bridge and counted in {@code herald_closes_total} as its own sockets' are, not closed by the decoder uncounted.
     */
    @Test
    void aBombOnAGraphQLSocketIsClosedAndCounted() throws Exception {
        List<String> refused = new ArrayList<>();
        try (RawWebSocket ws = RawWebSocket.open(node.port(), "/graphql?token=" + TestNodes.token(node, "u-gql-bomb", "admin"),
                RANDOM, refused, "Sec-WebSocket-Protocol: graphql-transport-ws\r\n"
                        + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n")) {
            assertNotNull(ws, refused.toString());
            assertTrue(ws.head().toLowerCase().contains("sec-websocket-extensions: permessage-deflate"), ws.head());
            ws.text("{\"type\":\"connection_init\"}");
            io.herald.testing.Eventually.assertEventually("connection_ack", () -> ws.texts().stream().anyMatch(t -> t.contains("connection_ack")));
            long before = closes("frame_too_large");
            List<byte[]> frames = deflatedFragments(BOMB, 1);
            ws.frame(true, 4, RawWebSocket.TEXT, true, frames.get(0), null);
            assertTrue(ws.awaitEnd(60), "the node closed the bomb's connection");
            System.out.println("[DecompressionBombIT] /graphql: " + ws.closeCode() + " " + ws.closeReason());
            assertEquals(Integer.valueOf(1009), ws.closeCode());
            // counted when the connection ends (the raw client answers no close frame: after the close handshake's timeout)
            io.herald.testing.Eventually.assertWithin(60, "the close counted", () -> closes("frame_too_large") == before + 1);
        }
    }

    /** herald_closes_total for a reason, from the node's /metrics. */
    static long closes(String reason) {
        return TestNodes.http("GET", node.port(), "/metrics", null, null).body().lines()
                .filter(line -> line.startsWith("herald_closes_total{reason=\"" + reason + "\"}"))
                .findFirst().map(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).orElse(0L);
    }

    private static RawWebSocket open() throws Exception {
        List<String> refused = new ArrayList<>();
        RawWebSocket ws = RawWebSocket.open(node.port(), "/eventbus/websocket?token=" + TestNodes.token(node, "u-bomb", "admin"),
                RANDOM, refused, "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");
        assertNotNull(ws, refused.toString());
        return ws;
    }

    /**
     * {@code size} bytes of one letter as one raw DEFLATE stream cut into {@code count} fragments of equal inflated
     * size, each ended by a sync flush; the last without its {@code 00 00 FF FF} tail (RFC 7692 §7.2.1).
     */
    static List<byte[]> deflatedFragments(int size, int count) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'a');
        List<byte[]> fragments = new ArrayList<>();
        byte[] out = new byte[64 * 1024];
        int per = size / count;
        for (int f = 0; f < count; f++) {
            ByteArrayOutputStream fragment = new ByteArrayOutputStream();
            for (int fed = 0; fed < per; fed += chunk.length) {
                deflater.setInput(chunk, 0, Math.min(chunk.length, per - fed));
                while (!deflater.needsInput()) {
                    fragment.write(out, 0, deflater.deflate(out, 0, out.length, Deflater.NO_FLUSH));
                }
            }
            int n;
            do {
                n = deflater.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
                fragment.write(out, 0, n);
            } while (n == out.length);
            byte[] bytes = fragment.toByteArray();
            fragments.add(f == count - 1 ? Arrays.copyOf(bytes, bytes.length - 4) : bytes);
        }
        deflater.end();
        return fragments;
    }

    /** Heap allocated so far by the node's event-loop threads (HotSpot counts it per thread). */
    static long eventLoopAllocated() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long total = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("vert.x-eventloop-thread")) {
                total += threads.getThreadAllocatedBytes(info.getThreadId());
            }
        }
        return total;
    }
}
