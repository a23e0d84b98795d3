package io.herald.webhooks;

import io.herald.catalog.EventCatalog;
import io.herald.config.ConfigException;
import io.herald.config.HeraldConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TypeMatchTest {
    static final EventCatalog CATALOG = EventCatalog.fromJson(HeraldConfig.readJson(Path.of("conf/catalog.json"), "catalog"));

    @Test
    void aNamespacePatternIsItsTypesInCatalogOrderAndRepeatsCountOnce() {
        List<String> types = TypeMatch.resolve(List.of("payment:received", "order:*", "order:created"), CATALOG, "webhooks[0].types");
        assertEquals(List.of("payment:received", "order:created", "order:updated", "order:status_changed", "order:deleted"), types);
    }

    @Test
    void whatTheCatalogLacksStopsTheNodeNamingTheKey() {
        ConfigException type = assertThrows(ConfigException.class, () -> TypeMatch.resolve(List.of("order:shipped"), CATALOG, "webhooks[1].types"));
        assertEquals("webhooks[1].types", type.key());
        assertTrue(type.getMessage().contains("'order:shipped' is not an event type"), type.getMessage());
        ConfigException namespace = assertThrows(ConfigException.class, () -> TypeMatch.resolve(List.of("shipping:*"), CATALOG, "w"));
        assertTrue(namespace.getMessage().contains("'shipping:*' names no event type"), namespace.getMessage());
        assertEquals(TypeMatch.resolve(List.of("order:*"), CATALOG, "w"), TypeMatch.resolve(List.of("orders:*"), CATALOG, "w"));
    }
}
