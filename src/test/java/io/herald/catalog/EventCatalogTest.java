package io.herald.catalog;

import io.herald.config.ConfigException;
import io.herald.config.HeraldConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventCatalogTest {
    @Test
    void shippedCatalogHasTheSixNamespacesOfTheDesignAndPresence() {
        EventCatalog catalog = EventCatalog.fromJson(HeraldConfig.readJson(Path.of("conf/catalog.json"), "catalog"));
        assertEquals(List.of("orders", "customers", "products", "inventory", "payments", "system", "presence"),
                List.copyOf(catalog.namespaces().keySet()));
        assertEquals(28, catalog.types().size());
        assertEquals("orders", catalog.namespaceOf("order:status_changed").name());
        assertEquals("customerId", catalog.namespaceOf("order:created").ownerField());
        assertNull(catalog.namespaceOf("order:teleported"));
    }

    @Test
    void aNewNamespaceIsConfigOnly() {
        EventCatalog catalog = EventCatalog.fromJson(new JsonObject().put("namespaces", new JsonObject()
                .put("chat", new JsonObject().put("types", List.of("chat:message", "chat:typing")))));
        assertTrue(catalog.contains("chat:typing"));
    }

    @Test
    void badTypesAndDuplicatesAreRefused() {
        assertFalse(EventCatalog.isValidType("order"));
        assertFalse(EventCatalog.isValidType("order:a:b"));
        assertFalse(EventCatalog.isValidType("order:cre ated"));
        assertTrue(EventCatalog.isValidType("batch.v2:progress-update"));
        assertEquals("catalog.namespaces.x.types", assertThrows(ConfigException.class, () -> EventCatalog.fromJson(new JsonObject()
                .put("namespaces", new JsonObject().put("x", new JsonObject().put("types", List.of("bad")))))).key());
        assertEquals("catalog.namespaces.y.types", assertThrows(ConfigException.class, () -> EventCatalog.fromJson(new JsonObject()
                .put("namespaces", new JsonObject()
                        .put("x", new JsonObject().put("types", List.of("a:b")))
                        .put("y", new JsonObject().put("types", List.of("a:b")))))).key());
    }

    @Test
    void keyedStateIsAnOptionOfATypeAndTypesStayAListOfStrings() {
        EventCatalog shipped = EventCatalog.fromJson(HeraldConfig.readJson(Path.of("conf/catalog.json"), "catalog"));
        assertEquals(new EventCatalog.StateOptions("productId", 100_000), shipped.state("inventory:updated"));
        assertEquals(new EventCatalog.StateOptions("orderId", 100_000), shipped.state("order:status_changed"));
        assertEquals(null, shipped.state("order:created"));
        assertTrue(shipped.namespace("inventory").types().contains("inventory:updated"));
        EventCatalog defaults = EventCatalog.fromJson(new JsonObject().put("namespaces", new JsonObject().put("x", new JsonObject()
                .put("types", List.of("x:a", "x:b"))
                .put("options", new JsonObject().put("x:a", new JsonObject().put("state", new JsonObject().put("key", "id")))
                        .put("x:b", new JsonObject().put("inbox", true))))));
        assertEquals(new EventCatalog.StateOptions("id", EventCatalog.StateOptions.DEFAULT_MAX_KEYS), defaults.state("x:a"));
        assertEquals(null, defaults.state("x:b"), "other options are left to their features");
        for (var bad : List.of(
                List.of("catalog.namespaces.x.options.y:a", new JsonObject().put("y:a", new JsonObject())),
                List.of("catalog.namespaces.x.options.x:a.state.key", new JsonObject().put("x:a", new JsonObject().put("state", new JsonObject()))),
                List.of("catalog.namespaces.x.options.x:a.state.maxKeys", new JsonObject().put("x:a", new JsonObject()
                        .put("state", new JsonObject().put("key", "id").put("maxKeys", 0)))),
                List.of("catalog.namespaces.x.options.x:a.state", new JsonObject().put("x:a", new JsonObject().put("state", "id"))))) {
            assertEquals(bad.get(0), assertThrows(ConfigException.class, () -> EventCatalog.fromJson(new JsonObject().put("namespaces",
                    new JsonObject().put("x", new JsonObject().put("types", List.of("x:a")).put("options", bad.get(1)))))).key());
        }
    }

    @Test
    void theInboxIsAnOptionOfAType() {
        EventCatalog shipped = EventCatalog.fromJson(HeraldConfig.readJson(Path.of("conf/catalog.json"), "catalog"));
        assertEquals(java.util.Set.of("order:status_changed", "system:notification"), shipped.inboxTypes());
        assertTrue(shipped.inbox("system:notification"));
        assertFalse(shipped.inbox("order:created"));
        assertEquals(new EventCatalog.StateOptions("orderId", 100_000), shipped.state("order:status_changed"), "beside its state");
        EventCatalog off = EventCatalog.fromJson(new JsonObject().put("namespaces", new JsonObject().put("x", new JsonObject()
                .put("types", List.of("x:a")).put("options", new JsonObject().put("x:a", new JsonObject().put("inbox", false))))));
        assertFalse(off.inbox("x:a"));
        assertEquals("catalog.namespaces.x.options.x:a.inbox", assertThrows(ConfigException.class, () -> EventCatalog.fromJson(new JsonObject()
                .put("namespaces", new JsonObject().put("x", new JsonObject().put("types", List.of("x:a"))
                        .put("options", new JsonObject().put("x:a", new JsonObject().put("inbox", "yes"))))))).key());
    }
}
