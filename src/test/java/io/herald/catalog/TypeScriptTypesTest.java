package io.herald.catalog;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TypeScriptTypesTest {
    static final String TEMPLATE = "// head\n// <catalog>\nexport type EventType = string;\n// </catalog>\nexport type Tail = 1;\n";

    @Test
    void replacesTheCatalogBlockWithOneUnionPerNamespace() {
        EventCatalog catalog = EventCatalog.fromJson(new JsonObject("""
                {"namespaces":{"orders":{"types":["order:created","order:deleted"]},"batch-progress":{"types":["batch:done"]}}}"""));
        assertEquals("""
                // head
                // <catalog>
                // Generated from the hub's event catalog (3 types in 2 namespaces). Regenerate when the catalog changes.
                /** Namespace orders. */
                export type OrdersEventType =
                  | 'order:created'
                  | 'order:deleted';
                /** Namespace batch-progress. */
                export type BatchProgressEventType =
                  | 'batch:done';
                /** The event types by namespace. */
                export interface EventTypesByNamespace {
                  orders: OrdersEventType;
                  'batch-progress': BatchProgressEventType;
                }
                /** Every event type of the hub. */
                export type EventType = EventTypesByNamespace[keyof EventTypesByNamespace];
                // </catalog>
                export type Tail = 1;
                """, TypeScriptTypes.generate(catalog, TEMPLATE));
    }

    @Test
    void namespaceNamesBecomeIdentifiers() {
        assertEquals("Orders", TypeScriptTypes.typeName("orders"));
        assertEquals("ChatRoomsV2", TypeScriptTypes.typeName("chat_rooms.v2"));
        assertEquals("Ns2fa", TypeScriptTypes.typeName("2fa"));
    }

    @Test
    void aTemplateWithoutTheBlockIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> TypeScriptTypes.generate(
                EventCatalog.fromJson(new JsonObject("{\"namespaces\":{\"a\":{\"types\":[\"a:b\"]}}}")), "export {};"));
    }
}
