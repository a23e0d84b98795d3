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
}
