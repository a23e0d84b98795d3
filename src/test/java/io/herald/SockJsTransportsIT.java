package io.herald;

import io.herald.node.HeraldNode;

import io.herald.testing.NodeScripts;
import io.herald.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every SockJS transport a browser may fall back to, each on its own, with the official npm client
 * (@vertx/eventbus-bridge-client.js over sockjs-client, run by Node): register, receive an event published
 * over HTTP, a refused register, a send with a reply. See src/test/js/transports.js for the steps. The
 * fallback transports (not WebSocket) carry client frames in xhr_send POSTs. Needs {@code npm ci} in src/test/js.
 */
class SockJsTransportsIT {
    static HeraldNode node;

    @BeforeAll
    static void startNode() {
        NodeScripts.requireInstalled();
        node = TestNodes.start(TestNodes.config(json -> { }));
    }

    @AfterAll
    static void stopNode() {
        node.close().await();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"websocket", "xhr-streaming", "xhr-polling", "eventsource"})
    void theOfficialClientWorksOverTheTransport(String transport) throws IOException, InterruptedException {
        String token = TestNodes.token(node, "c-3001", "customer");
        JsonObject observed = NodeScripts.run("transports.js", transport, "http://127.0.0.1:" + node.port(), token, node.config().apiKey());
        String output = observed.encode();

        // sockjs-client opened the session with this transport and no other
        assertEquals(transport, observed.getString("transport"), output);

        JsonObject refused = observed.getJsonObject("refusedRegister");
        assertEquals("access_denied", refused.getString("failureType"));
        assertEquals(403, refused.getInteger("failureCode"));
        assertEquals("role customer may not read payments", refused.getString("message"));

        // the event published over HTTP arrives once, as the envelope (only the fields this test is about)
        assertEquals(202, observed.getInteger("publishStatus"));
        JsonObject published = observed.getJsonObject("published");
        JsonArray received = observed.getJsonArray("received");
        assertEquals(1, received.size(), output);
        JsonObject envelope = received.getJsonObject(0);
        assertEquals(published.getString("id"), envelope.getString("id"));
        assertEquals(published.getLong("seq"), envelope.getLong("seq"));
        assertEquals("product:updated", envelope.getString("type"));
        assertEquals(new JsonObject().put("productId", "p-7").put("price", 12.5).put("via", transport).put("label", "50% off, a%20b"),
                envelope.getJsonObject("data"));

        // the send went in an xhr_send POST on the fallback transports; the reply came back on the session
        JsonObject reply = observed.getJsonObject("sendReply");
        assertNull(reply.getValue("error"), reply.encode());
        assertFalse(reply.getString("id", "").isEmpty(), reply.encode());
        assertTrue(reply.getLong("seq") >= 1, reply.encode());
        assertNull(observed.getValue("unhandledError"), "no err frame went unhandled");
    }
}
