package io.herald.event;

import io.vertx.core.json.JsonObject;

/** What a publisher gets back: the event's id and its place in its type's stream ({@code seq} and epoch). */
public record Published(String id, long seq, String epoch) {
    public JsonObject toJson() {
        return new JsonObject().put("id", id).put("seq", seq).put("epoch", epoch);
    }

    public static Published fromJson(JsonObject json) {
        return new Published(json.getString("id"), json.getLong("seq"), json.getString("epoch"));
    }
}
