package io.herald;

import io.herald.node.HeraldNode;

import io.herald.testing.NodeScripts;
import io.herald.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The official npm client (@vertx/eventbus-bridge-client.js over sockjs-client, run by Node) against a
 * real node: see src/test/js/official-client.js for the steps. Needs {@code npm ci} in src/test/js.
 */
class OfficialClientIT {
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

    @Test
    void registerReceiveRefuseAndPublishWithTheOfficialClient() throws IOException, InterruptedException {
        JsonObject observed = runScript("official-client.js", TestNodes.token(node, "c-2001", "customer"), "c-2001");

        JsonObject refused = observed.getJsonObject("refusedRegister");
        assertEquals("access_denied", refused.getString("failureType"));
        assertEquals(403, refused.getInteger("failureCode"));
        assertEquals("role customer may not read payments", refused.getString("message"));

        // only the customer's own order arrives, as the full envelope
        JsonObject mine = observed.getJsonArray("published").getJsonObject(1);
        assertEquals(1, observed.getJsonArray("received").size());
        JsonObject envelope = observed.getJsonArray("received").getJsonObject(0);
        assertEquals(mine.getString("id"), envelope.getString("id"));
        assertEquals(mine.getLong("seq"), envelope.getLong("seq"));
        assertEquals("order:created", envelope.getString("type"));
        assertEquals(new JsonObject().put("orderId", "o-mine").put("customerId", "c-2001"), envelope.getJsonObject("data"));

        JsonObject publishRefused = observed.getJsonObject("orderHandlerError");
        assertEquals("access_denied", publishRefused.getString("failureType"));
        assertEquals("role customer may not publish order:created", publishRefused.getString("message"));

        JsonObject reply = observed.getJsonObject("sendReply");
        assertNull(reply.getValue("error"), reply.encode());
        assertEquals(36, reply.getString("id").length());
        assertTrue(reply.getLong("seq") >= 1);
        assertNull(observed.getValue("unhandledError"), "no err frame went unhandled");
    }

    @Test
    void recoveryWithTheOfficialClientUnchanged() throws IOException, InterruptedException {
        JsonObject observed = runScript("official-recovery.js", TestNodes.token(node, "s-1", "staff"), "order:updated");
        long last = observed.getJsonObject("last").getLong("seq");
        for (int i = 0; i < 5; i++) {
            JsonObject event = observed.getJsonArray("recovered").getJsonObject(i);
            assertEquals(last + 1 + i, event.getLong("seq"));
            assertEquals(i + 1, event.getInteger("n"));
        }
        JsonObject incomplete = observed.getJsonObject("incomplete");
        assertEquals("recovery_incomplete", incomplete.getString("failureType"));
        assertEquals(410, incomplete.getInteger("failureCode"));
    }

    /** Runs a script of src/test/js against the node: base URL, token, API key, then {@code extra}. */
    static JsonObject runScript(String script, String token, String... extra) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("http://127.0.0.1:" + node.port(), token, node.config().apiKey()));
        args.addAll(List.of(extra));
        return NodeScripts.run(script, args.toArray(String[]::new));
    }
}
