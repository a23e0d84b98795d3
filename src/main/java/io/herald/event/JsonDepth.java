package io.herald.event;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.Map;

/**
 * How deeply JSON nests, counted without recursion: copying, encoding or storing a document nested a
 * thousand levels deep overflows a thread's stack (or the JSON library's write limit), so input that
 * nests deeper than {@link #MAX} is refused at the edge.
 */
public final class JsonDepth {
    /** Business events nest a few levels; this leaves room and keeps every later step safe. */
    public static final int MAX = 32;

    private JsonDepth() {
    }

    public static boolean exceeds(Object json, int max) {
        if (json == null) {
            return false;
        }
        ArrayDeque<Object> values = new ArrayDeque<>();
        ArrayDeque<Integer> depths = new ArrayDeque<>();
        values.push(json);
        depths.push(1);
        while (!values.isEmpty()) {
            Object value = values.pop();
            int depth = depths.pop();
            Iterable<?> children;
            if (value instanceof JsonObject object) {
                children = object.getMap().values();
            } else if (value instanceof Map<?, ?> map) {
                children = map.values();
            } else if (value instanceof JsonArray array) {
                children = array.getList();
            } else if (value instanceof Iterable<?> list) {
                children = list;
            } else {
                continue;
            }
            if (depth > max) {
                return true;
            }
            for (Object child : children) {
                if (child != null) { // a JSON null adds no depth (and ArrayDeque takes no null)
                    values.push(child);
                    depths.push(depth + 1);
                }
            }
        }
        return false;
    }
}
