package io.herald.bridge;

import io.herald.catalog.EventCatalog;
import io.herald.config.HeraldConfig;
import io.herald.testing.Eventually;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The protocol dispatch on a plain local Vert.x, with a fake socket: frames handled one after the other (a
 * client that registers and then publishes gets its own event), and each refusal an {@code err} at the address
 * the protocol says. A policy that lets everything through stands for the access rules.
 */
class SocketBridgeTest extends BridgeFixture {
    static final String TYPE = "product:created";
    static final EventCatalog CATALOG = EventCatalog.fromJson(HeraldConfig.readJson(Path.of("conf/catalog.json"), "catalog"));
    JsonObject answer(int index) {
        Eventually.assertEventually("answer " + index, () -> socket.sent.size() > index);
        return socket.sent.get(index);
    }

    @Test
    void aClientThatRegistersThenPublishesGetsItsOwnEvent() {
        client("{\"type\":\"register\",\"address\":\"" + TYPE + "\"}",
                "{\"type\":\"send\",\"address\":\"" + TYPE + "\",\"replyAddress\":\"r1\",\"body\":{\"sku\":\"A-1\"}}");
        JsonObject reply = answer(0);
        assertEquals("r1", reply.getString("address"), reply.encode());
        assertEquals(1L, reply.getJsonObject("body").getLong("seq"));
        Eventually.assertEventually("its own event", () -> socket.delivered.size() == 1);
        JsonObject event = socket.delivered.get(0);
        assertEquals(TYPE, event.getString("address"));
        assertEquals("A-1", event.getJsonObject("body").getJsonObject("data").getString("sku"));
    }

    @Test
    void eachRefusalIsAnErrAtTheAddressTheProtocolSays() {
        client("not json",
                "{\"type\":\"publish\"}",
                "{\"type\":\"subscribe\",\"address\":\"" + TYPE + "\"}",
                "{\"type\":\"register\",\"address\":\"no:such\"}",
                "{\"type\":\"send\",\"address\":\"" + TYPE + "\",\"replyAddress\":\"r2\",\"body\":5}",
                "{\"type\":\"send\",\"address\":\"herald:nothing\",\"replyAddress\":\"r3\"}",
                "{\"type\":\"register\",\"address\":\"no:such\",\"headers\":{\"since\":\"soon\"}}",
                "{\"type\":\"register\",\"address\":\"" + TYPE + "\",\"headers\":{\"since\":\"soon\"}}");
        List<String> expected = List.of(
                "null invalid_json", "null missing_address", TYPE + " invalid_frame", "no:such unknown_event_type",
                "r2 invalid_frame", "r3 not_found", "no:such unknown_event_type", TYPE + " invalid_frame");
        for (int i = 0; i < expected.size(); i++) {
            JsonObject err = answer(i);
            assertEquals("err", err.getString("type"));
            assertEquals(expected.get(i), err.getString("address") + " " + err.getString("failureType"), err.encode());
        }
        assertNull(socket.closedWith, "refusals leave the socket open");
    }

    /** A socket whose frames the test writes and whose answers it reads. */
    static final class Socket extends OpenChainTest.FakeSocket {
        volatile Handler<String> frames;
        final List<JsonObject> delivered = new java.util.concurrent.CopyOnWriteArrayList<>();

        Socket() {
            super("any");
        }

        @Override
        public void frameHandler(Handler<String> handler) {
            frames = handler;
        }

        @Override
        public boolean deliver(io.herald.delivery.SharedFrame frame) {
            delivered.add(new JsonObject(frame.text()));
            return false;
        }
    }
}
