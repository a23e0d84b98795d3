package io.herald.graphql;

import io.herald.catalog.EventCatalog;
import io.herald.config.HeraldConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The schema generated from the catalog, and what it makes of operations: plans, selections, refusals with codes. */
class EventSchemaTest {
    static final EventCatalog SHIPPED = EventCatalog.fromJson(HeraldConfig.readJson(Path.of("conf/catalog.json"), "catalog"));
    final EventSchema schema = new EventSchema(SHIPPED);

    EventSchema.Plan plan(String query, Map<String, Object> variables) {
        return schema.plan(query, null, variables, body -> CompletableFuture.completedFuture(Map.of("type", body.get("type"),
                "entries", List.of(Map.of("id", "e-1", "type", body.get("type"), "ts", 5L, "seq", 3L, "data", Map.of("productId", "p-1"))),
                "seq", 9L, "more", false)));
    }

    static JsonObject payload(EventSchema.Plan plan) {
        return new JsonObject(((EventSchema.Result) plan).payload());
    }

    @Test
    void theSchemaIsGeneratedFromTheCatalog() {
        String sdl = schema.sdl();
        for (String type : SHIPPED.types()) {
            assertTrue(sdl.contains(type), type + " is listed in the schema");
        }
        assertTrue(sdl.contains("orders: order:created"), sdl);
        assertTrue(sdl.contains("inventory:updated"), "the state types are named on state");
        assertTrue(sdl.contains("events(types: [String!], type: String, since: String, epoch: String, filter: JSON): Event!"), sdl);
        // a catalog of its own: its types and nothing of the shipped one
        EventCatalog other = EventCatalog.fromJson(new JsonObject().put("namespaces", new JsonObject()
                .put("chat", new JsonObject().put("types", new JsonArray().add("chat:message")))));
        EventSchema small = new EventSchema(other);
        assertTrue(small.sdl().contains("chat: chat:message"));
        assertFalse(small.sdl().contains("order:created"));
        assertEquals(List.of("chat:message"), small.types());
        JsonObject types = payload(small.plan("{ types }", null, null, body -> null));
        assertEquals(new JsonArray().add("chat:message"), types.getJsonObject("data").getJsonArray("types"));
    }

    @Test
    void aSubscriptionOfSeveralTypesIsPlannedWithItsSelection() {
        EventSchema.Plan plan = plan("subscription { live: events(types: [\"order:created\", \"payment:received\", \"order:created\"]) "
                + "{ id kind: type seq ...more __typename } } fragment more on Event { data ts @skip(if: true) }", null);
        EventSchema.Events events = assertInstanceOf(EventSchema.Events.class, plan);
        assertEquals(List.of("order:created", "payment:received"), events.types(), "each type once, in order");
        assertTrue(events.plain());
        assertEquals("live", events.selection().rootKey());
        assertEquals(List.of(new Selection.Field("id", "id"), new Selection.Field("kind", "type"), new Selection.Field("seq", "seq"),
                new Selection.Field("data", "data"), new Selection.Field("__typename", "__typename")), events.selection().fields());
        JsonObject envelope = new JsonObject().put("id", "e-1").put("type", "order:created").put("ts", 7L).put("seq", 42L)
                .put("epoch", "ep").put("data", new JsonObject().put("total", 3)).put("userId", "u");
        assertEquals(new JsonObject().put("data", new JsonObject().put("live", new JsonObject().put("id", "e-1").put("kind", "order:created")
                .put("seq", 42L).put("data", new JsonObject().put("total", 3)).put("__typename", "Event"))),
                new JsonObject(events.selection().payload(envelope)));
    }

    @Test
    void oneTypeWithRecoveryAndAFilterFromVariables() {
        EventSchema.Plan plan = plan("subscription S($since: String, $f: JSON) { events(type: \"order:created\", since: $since, epoch: \"ep-1\", filter: $f) { seq } }",
                Map.of("since", "41", "f", Map.of("field", "data.total", "op", "gt", "value", 100)));
        EventSchema.Events events = assertInstanceOf(EventSchema.Events.class, plan);
        assertEquals(List.of("order:created"), events.types());
        assertEquals("41", events.since());
        assertEquals("ep-1", events.epoch());
        assertEquals(new JsonObject().put("field", "data.total").put("op", "gt").put("value", 100), new JsonObject(events.filter()));
        assertFalse(events.plain());
        // the filter as a string of JSON, as the bridge's header is
        EventSchema.Events text = assertInstanceOf(EventSchema.Events.class,
                plan("subscription { events(type: \"order:created\", filter: \"{\\\"field\\\":\\\"storeId\\\",\\\"op\\\":\\\"eq\\\",\\\"value\\\":\\\"s-1\\\"}\") { id } }", null));
        assertEquals("{\"field\":\"storeId\",\"op\":\"eq\",\"value\":\"s-1\"}", text.filter());
        assertNull(text.since());
    }

    @Test
    void badOperationsAreGraphQLErrorsWithCodes() {
        // not GraphQL, an unknown field, a missing variable: graphql-java's errors
        for (String bad : List.of("subscription {", "subscription { events(types: [\"order:created\"]) { nope } }",
                "subscription S($t: [String!]!) { events(types: $t) { id } }", "mutation { x }")) {
            JsonObject result = payload(plan(bad, null));
            assertFalse(result.getJsonArray("errors").isEmpty(), bad);
            assertTrue(((EventSchema.Result) plan(bad, null)).failed(), bad);
        }
        // Herald's own rules on the arguments: the vocabulary's code in extensions
        for (String bad : List.of("subscription { events { id } }",
                "subscription { events(types: [\"order:created\"], type: \"order:created\") { id } }",
                "subscription { events(types: []) { id } }",
                "subscription { events(types: [\"order:created\"], since: \"3\") { id } }",
                "subscription { events(type: \"order:created\", epoch: \"e\") { id } }")) {
            JsonObject error = payload(plan(bad, null)).getJsonArray("errors").getJsonObject(0);
            assertEquals("invalid_parameter", error.getJsonObject("extensions").getString("code"), bad + ": " + error);
            assertEquals(400, error.getJsonObject("extensions").getInteger("status"));
        }
    }

    @Test
    void stateIsReadThroughTheSocketAndProjectedByGraphQL() {
        EventSchema.Plan plan = plan("query { s: state(type: \"inventory:updated\", limit: 5) { type seq more entries { id seq data } } }", null);
        EventSchema.Pending pending = plan instanceof EventSchema.Pending p ? p : null;
        JsonObject result = pending != null ? new JsonObject(pending.result().join().toSpecification()) : payload(plan);
        assertEquals(new JsonObject().put("type", "inventory:updated").put("seq", 9L).put("more", false)
                .put("entries", new JsonArray().add(new JsonObject().put("id", "e-1").put("seq", 3L).put("data", new JsonObject().put("productId", "p-1")))),
                result.getJsonObject("data").getJsonObject("s"));
        // a refusal of the node: the code in extensions, data null
        EventSchema.Plan refused = schema.plan("{ state(type: \"order:created\") { seq } }", null, null,
                body -> CompletableFuture.failedFuture(new EventSchema.Refusal("access_denied", "role guest may not read orders")));
        JsonObject answer = refused instanceof EventSchema.Pending p ? new JsonObject(p.result().join().toSpecification()) : payload(refused);
        JsonObject error = answer.getJsonArray("errors").getJsonObject(0);
        assertEquals("access_denied", error.getJsonObject("extensions").getString("code"), answer.encode());
        assertEquals(new JsonObject().putNull("state"), answer.getJsonObject("data"));
    }
}
