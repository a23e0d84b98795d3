package io.herald;

import io.herald.node.HeraldNode;
import io.herald.testing.NodeScripts;
import io.herald.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * herald.js's filters (src/test/js/herald-filters.mjs, plain Node, against a real node): its evaluator decides the
 * shared cases as the hub's does, and handlers of one type with different filters share one subscription registered
 * with their `or`, re-registered as handlers come and go, each handler getting only what its filter matches.
 */
class FiltersJsIT {
    static HeraldNode node;

    @BeforeAll
    static void start() {
        NodeScripts.requireInstalled();
        node = TestNodes.start(TestNodes.config(json -> { }));
    }

    @AfterAll
    static void stop() {
        node.close().await();
    }

    static JsonObject store(String storeId) {
        return new JsonObject().put("field", "storeId").put("op", "eq").put("value", storeId);
    }

    @Test
    void handlersWithDifferentFiltersShareOneSubscription() throws Exception {
        JsonObject args = new JsonObject()
                .put("url", "http://127.0.0.1:" + node.port())
                .put("apiKey", node.config().apiKey())
                .put("jwtSecret", node.config().auth().jwtSecret());
        JsonObject observed = NodeScripts.run("herald-filters.mjs", args.encode());

        assertEquals(new JsonArray(), observed.getJsonArray("mismatches"), "herald.js decides the shared cases as the hub does");
        assertEquals("invalid_filter", observed.getString("refusedCode"));
        JsonObject either = new JsonObject().put("or", new JsonArray().add(store("s-1")).add(store("s-2")));
        assertEquals(new JsonArray().add(store("s-1")).add(either).addNull().add(either).add(store("s-1")), observed.getJsonArray("registers"),
                "one subscription, registered again each time the or of its handlers' filters changed");
        assertEquals(new JsonObject().put("s1", new JsonArray().add("p-1")).put("s2", new JsonArray().add("p-2")), observed.getJsonObject("phase1"));
        JsonObject got = observed.getJsonObject("got");
        assertEquals(new JsonArray().add("p-1").add("p-5").add("p-7"), got.getJsonArray("s1"));
        assertEquals(new JsonArray().add("p-2"), got.getJsonArray("s2"));
        assertEquals(new JsonArray().add("p-4").add("p-5"), got.getJsonArray("every"));
        assertEquals(7, observed.getJsonArray("witness").size());
        // React's useEvent with an inline filter object: one register however often it renders, only s-9's events
        JsonObject react = observed.getJsonObject("react");
        assertEquals(new JsonArray().add("r-1").add("r-3"), react.getJsonArray("items"), react.encode());
        assertEquals(new JsonArray().add(store("s-9")), react.getJsonArray("registers"), react.encode());
        // rendered again at least once (React 18 batches the two events' updates into one render when one task delivers both)
        assertTrue(react.getInteger("renders") >= 2, react.encode());
    }
}
