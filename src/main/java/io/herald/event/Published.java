package io.herald.event;

import io.vertx.core.json.JsonObject;

/** What a publisher gets back: the event's id and its per-type sequence number. */
public record Published(String id, long seq) {
    public JsonObject toJson() {
        return new JsonObject().put("id", id).put("seq", seq);
    }

    public static Published fromJson(JsonObject json) {
        return new Published(json.getString("id"), json.getLong("seq"));
    }
}
