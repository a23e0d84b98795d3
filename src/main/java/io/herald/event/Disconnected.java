package io.herald.event;

import io.vertx.core.json.JsonObject;

/**
 * The answer to a disconnect: connections closed across the cluster, and how many of the Herald nodes answered
 * within the wait (a node that did not may still close its connections).
 */
public record Disconnected(long disconnected, int nodesAnswered, int nodesTotal) {
    public JsonObject toJson() {
        return new JsonObject().put("disconnected", disconnected)
                .put("nodes", new JsonObject().put("answered", nodesAnswered).put("total", nodesTotal));
    }

    public static Disconnected fromJson(JsonObject json) {
        JsonObject nodes = json.getJsonObject("nodes", new JsonObject());
        return new Disconnected(json.getLong("disconnected", 0L), nodes.getInteger("answered", 0), nodes.getInteger("total", 0));
    }
}
