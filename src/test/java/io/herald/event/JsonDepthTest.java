package io.herald.event;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonDepthTest {
    static JsonObject nested(int depth) {
        return new JsonObject("{\"a\":".repeat(depth) + "[1,null,{\"b\":null}]" + "}".repeat(depth));
    }

    @Test
    void countsObjectsAndArraysWithoutRecursionAndToleratesNulls() {
        assertFalse(JsonDepth.exceeds(null, 1));
        assertFalse(JsonDepth.exceeds(new JsonObject().putNull("x"), 1));
        assertFalse(JsonDepth.exceeds(nested(5), 7), "5 objects, an array, an object: 7 levels");
        assertTrue(JsonDepth.exceeds(nested(5), 6));
        assertTrue(JsonDepth.exceeds(nested(990), JsonDepth.MAX), "as deep as the parser takes, measured without recursion");
    }
}
