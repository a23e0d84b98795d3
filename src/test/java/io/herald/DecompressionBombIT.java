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
 * cap (4 × {@code bridge.maxFrameBytes}) and close with {@code frame_too_large} (1009), not inflate it all first: the
 * heap its event loops allocate while it happens stays far below the bomb's size. A client that behaves on the same
 * node is served throughout.
 */
class DecompressionBombIT {
    static final int BOMB = 200 * 1024 * 1024;
    /** What the event loops may allocate while refusing one bomb: the cap (256 KiB), buffers, a close; not the bomb. */
    static final long ALLOWED = 32L * 1024 * 1024;
    static HeraldNode node;
    static final Random RANDOM = new Random(7692);

    @BeforeAll
    static void start() {
        node = TestNodes.start(TestNodes.config(json -> json.getJsonObject("bridge").put("compression", true)));
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
