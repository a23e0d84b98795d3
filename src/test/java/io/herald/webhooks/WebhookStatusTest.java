package io.herald.webhooks;

import io.herald.config.HeraldConfig;
import io.herald.history.StreamPosition;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

class WebhookStatusTest {
    static final HeraldConfig.Webhook HOOK = new HeraldConfig.Webhook("erp", "https://erp.example/in", List.of("order:*"),
            "the-secret-never-shown", 10_000);

    @Test
    void showsPositionsLagErrorsAndGapsButNeverTheSecret() {
        LaneState created = LaneState.fromJson(new JsonObject().put("epoch", "e1").put("seq", 0));
        created.align(new StreamPosition("e1", 4, 10), 5); // lost 1..3
        created.delivered(7);
        created.failed(8, "HTTP 503", 50);
        created.sentBy("node-a");
        LaneState updated = LaneState.fromJson(new JsonObject().put("epoch", "old").put("seq", 2));
        updated.failed(3, "HTTP 500", 40);
        JsonObject status = WebhookStatus.of(List.of(new WebhookStatus.Resolved(HOOK, List.of("order:created", "order:updated", "order:deleted"))),
                Map.of(WebhookStore.key("erp", "order:created"), created.toJson(), WebhookStore.key("erp", "order:updated"), updated.toJson()),
                Map.of("order:created", new StreamPosition("e1", 4, 10), "order:updated", new StreamPosition("e2", 1, 5),
                        "order:deleted", new StreamPosition("e3", 1, 0)));
        assertFalse(status.encode().contains("the-secret-never-shown"));
        JsonObject hook = status.getJsonArray("webhooks").getJsonObject(0);
        assertEquals("erp", hook.getString("id"));
        assertEquals("https://erp.example/in", hook.getString("url"));
        assertEquals(new JsonArray().add("order:*"), hook.getJsonArray("types"));
        assertEquals("node-a", hook.getString("sender"));
        JsonObject positions = hook.getJsonObject("positions");
        assertEquals(7L, positions.getJsonObject("order:created").getLong("seq"));
        assertEquals(3L, positions.getJsonObject("order:created").getLong("lag"));
        assertEquals(5L, positions.getJsonObject("order:updated").getLong("lag"), "another epoch: the whole new stream");
        assertNull(positions.getJsonObject("order:deleted").getValue("seq"));
        assertEquals(8L, hook.getLong("lag"));
        assertEquals("HTTP 503", hook.getJsonObject("lastError").getString("message"), "the most recent error");
        assertEquals("order:created", hook.getJsonObject("lastError").getString("type"));
        assertEquals(1L, hook.getLong("gapCount"));
        assertEquals(3L, hook.getLong("lostEvents"));
        assertEquals("order:created", hook.getJsonArray("gaps").getJsonObject(0).getString("type"));
    }
}
