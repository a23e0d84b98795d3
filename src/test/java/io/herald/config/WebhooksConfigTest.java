package io.herald.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static io.herald.config.ConfigKeysTest.load;
import static io.herald.config.ConfigKeysTest.refused;
import static io.herald.config.ConfigKeysTest.shipped;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code webhooks}: read from the file and from {@code HERALD_WEBHOOKS} (JSON), each bad value named, the secret never shown. */
class WebhooksConfigTest {
    static JsonObject hook(String id) {
        return new JsonObject().put("id", id).put("url", "https://erp.example.com/herald").put("types", new JsonArray().add("order:*").add("payment:received"))
                .put("secret", "a-secret-of-at-least-32-bytes-0123456789");
    }

    static JsonObject with(JsonObject... hooks) {
        JsonObject json = shipped();
        json.put("webhooks", new JsonArray(List.of((Object[]) hooks)));
        return json;
    }

    static ConfigException bad(Consumer<JsonObject> edit) {
        JsonObject hook = hook("erp");
        edit.accept(hook);
        return refused(with(hook), Map.of());
    }

    @Test
    void readsEachWebhookFromTheFileAndTheEnvironment() {
        assertEquals(List.of(), load(shipped(), Map.of()).webhooks());
        HeraldConfig.Webhook webhook = load(with(hook("erp")), Map.of()).webhooks().get(0);
        assertEquals(new HeraldConfig.Webhook("erp", "https://erp.example.com/herald", List.of("order:*", "payment:received"),
                "a-secret-of-at-least-32-bytes-0123456789", 10_000), webhook);
        assertFalse(webhook.toString().contains("a-secret"), "its text never shows the secret");
        List<HeraldConfig.Webhook> fromEnv = load(shipped(), Map.of("HERALD_WEBHOOKS",
                new JsonArray().add(hook("a")).add(hook("b").put("timeoutMs", 3000)).encode())).webhooks();
        assertEquals(List.of("a", "b"), fromEnv.stream().map(HeraldConfig.Webhook::id).toList());
        assertEquals(3000, fromEnv.get(1).timeoutMs());
        ConfigException notJson = refused(shipped(), Map.of("HERALD_WEBHOOKS", "[{"));
        assertEquals("webhooks (HERALD_WEBHOOKS)", notJson.key());
    }

    @Test
    void eachBadValueIsNamed() {
        assertEquals("webhooks[1].id", refused(with(hook("erp"), hook("erp")), Map.of()).key());
        assertTrue(refused(with(hook("erp"), hook("erp")), Map.of()).getMessage().contains("ids must be unique"));
        assertEquals("webhooks[0].id", bad(h -> h.put("id", "with space")).key());
        assertEquals("webhooks[0].url", bad(h -> h.put("url", "ftp://erp.example.com/")).key());
        assertEquals("webhooks[0].url", bad(h -> h.put("url", "not a url")).key());
        assertEquals("webhooks[0].url", bad(h -> h.remove("url")).key());
        assertEquals("webhooks[0].types", bad(h -> h.put("types", new JsonArray())).key());
        assertEquals("webhooks[0].types", bad(h -> h.put("types", new JsonArray().add("order"))).key());
        assertEquals("webhooks[0].types", bad(h -> h.put("types", new JsonArray().add("order:cre*"))).key());
        assertEquals("webhooks[0].secret", bad(h -> h.put("secret", "")).key());
        assertEquals("webhooks[0].timeoutMs", bad(h -> h.put("timeoutMs", 10)).key());
        ConfigException unknown = bad(h -> h.put("secrt", "x"));
        assertTrue(unknown.getMessage().contains("unknown field 'secrt'"), unknown.getMessage());
        JsonObject notAList = shipped().put("webhooks", new JsonObject());
        assertEquals("webhooks", refused(notAList, Map.of()).key());
    }

    @Test
    void prodRefusesAShortSecret() {
        Map<String, String> prod = Map.of("HERALD_MODE", "prod", "HERALD_JWT_SECRET", HeraldConfigTest.STRONG_SECRET,
                "HERALD_API_KEY", HeraldConfigTest.STRONG_KEY, "HERALD_ALLOWED_ORIGINS", "https://shop.example.com");
        assertEquals(1, load(with(hook("erp")), prod).webhooks().size());
        JsonObject weak = hook("erp").put("secret", "only-16-bytes-xx");
        ConfigException refused = refused(with(weak), prod);
        assertEquals("webhooks[0].secret", refused.key());
        assertTrue(refused.getMessage().contains("at least 32 bytes"), refused.getMessage());
        assertFalse(refused.getMessage().contains("only-16-bytes-xx"), "the message never shows the secret");
        assertEquals(1, load(with(weak), Map.of()).webhooks().size(), "dev takes it");
    }
}
