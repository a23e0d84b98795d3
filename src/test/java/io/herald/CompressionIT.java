package io.herald;

import io.herald.node.HeraldNode;
import io.herald.testing.NodeScripts;
import io.herald.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * permessage-deflate with real clients (src/test/js/compression.mjs): Node's {@code ws} negotiating it on the raw and the
 * SockJS-framed WebSocket, one that does not, a plain TCP client reading the frame headers, and Chromium (which always
 * offers it). Events of at least {@code bridge.compressionMinBytes} arrive compressed (RSV1), smaller ones plain, all
 * intact and in order, interleaved with replies, errs and heartbeats; a client without the extension gets plain frames.
 */
class CompressionIT {
    static final int COUNT = 60;
    static HeraldNode node;

    @BeforeAll
    static void start() {
        NodeScripts.requireInstalled();
        assertTrue(Files.isExecutable(Path.of("/usr/bin/chromium")), "install chromium (.ci/run does)");
        node = TestNodes.start(TestNodes.config(json -> json.getJsonObject("bridge").put("pingIntervalSeconds", 1).put("compression", true)));
    }

    @AfterAll
    static void stop() {
        node.close().await();
    }

    @Test
    void compressedOnceAndIntactForEveryClient() throws Exception {
        JsonObject args = new JsonObject()
                .put("base", "http://127.0.0.1:" + node.port())
                .put("token", TestNodes.token(node, "u-compression", "admin"))
                .put("apiKey", node.config().apiKey())
                .put("count", COUNT);
        JsonObject observed = NodeScripts.run("compression.mjs", args.encode());
        JsonArray published = observed.getJsonArray("published");
        assertEquals(COUNT, published.size());
        long large = published.stream().filter(p -> ((JsonObject) p).getInteger("items") > 1).count();

        for (Object o : observed.getJsonArray("ws")) {
            JsonObject client = (JsonObject) o;
            String name = client.getString("name");
            String summary = name + ": " + client.copy().put("events", client.getJsonArray("events").size()).encode();
            assertEquals(name.endsWith("Deflate") ? "permessage-deflate" : "", client.getString("extensions").split(";")[0].trim(), summary);
            assertEquals(published, client.getJsonArray("events"), "every event intact and in order: " + summary);
            assertTrue(client.getInteger("replies") + client.getJsonArray("errs").size() > 0, "replies or errs came between: " + summary);
            assertTrue(client.getJsonArray("errs").contains("access_denied") || client.getJsonArray("errs").contains("unknown_address")
                    || !client.getJsonArray("errs").isEmpty(), "the unknown register got its err: " + summary);
            assertTrue(client.getInteger("heartbeats") > 0, "heartbeats (pings, SockJS h) came between: " + summary);
            assertEquals(new JsonArray(), client.getJsonArray("other"), summary);
            assertFalse(client.getValue("closed") instanceof String, summary);
        }
        JsonObject deflated = client(observed, "rawDeflate");
        JsonObject plain = client(observed, "rawPlain");
        assertTrue(deflated.getLong("wireBytes") < plain.getLong("wireBytes") * 6 / 10,
                "compressed on the wire: " + deflated.getLong("wireBytes") + " bytes against " + plain.getLong("wireBytes"));

        // the frames as sent: RSV1 on the large events only
        JsonObject watch = observed.getJsonObject("watch");
        assertTrue(watch.getString("response").toLowerCase().contains("sec-websocket-extensions: permessage-deflate"), watch.getString("response"));
        long rsv1 = watch.getJsonArray("frames").stream().map(JsonObject.class::cast).filter(f -> f.getBoolean("rsv1")).count();
        long plainText = watch.getJsonArray("frames").stream().map(JsonObject.class::cast)
                .filter(f -> f.getInteger("opcode") == 1 && !f.getBoolean("rsv1")).count();
        assertEquals(large, rsv1, "each event of 1 KiB or more compressed, nothing else: " + watch.getJsonArray("frames").encode());
        assertTrue(plainText >= COUNT - large, "the small events plain: " + watch.getJsonArray("frames").encode());
        watch.getJsonArray("frames").stream().map(JsonObject.class::cast).filter(f -> f.getBoolean("rsv1"))
                .forEach(f -> assertTrue(f.getInteger("length") < 1024, "a compressed frame is smaller than the minimum: " + f));

        JsonObject chromium = observed.getJsonObject("chromium");
        for (String name : new String[] {"raw", "sockJs"}) {
            JsonObject seen = chromium.getJsonObject(name);
            String summary = name + ": " + seen.copy().put("events", seen.getJsonArray("events").size()).encode();
            assertTrue(seen.getString("extensions").startsWith("permessage-deflate"), summary);
            assertEquals(published, seen.getJsonArray("events"), "Chromium got every event intact: " + summary);
            assertEquals(0, seen.getInteger("bad"), summary);
            assertTrue(seen.getInteger("replies") + seen.getInteger("errs") > 0, summary);
            assertFalse(seen.getValue("closed") instanceof String, summary);
        }
    }

    private static JsonObject client(JsonObject observed, String name) {
        return observed.getJsonArray("ws").stream().map(JsonObject.class::cast).filter(c -> name.equals(c.getString("name"))).findFirst().orElseThrow();
    }
}
