package io.herald.event;

import io.vertx.core.json.JsonObject;

/**
 * What a publisher gets back: the event's id and its place in its type's stream ({@code seq} and epoch); {@code replayed}
 * when it is the first answer to a publish with the same idempotency key, given again (nothing was appended).
 */
public record Published(String id, long seq, String epoch, boolean replayed) {
    public Published(String id, long seq, String epoch) {
        this(id, seq, epoch, false);
    }

    /** {@code {"id","seq","epoch"}}, the same for a replayed answer (HTTP says so in a header). */
    public JsonObject toJson() {
        return new JsonObject().put("id", id).put("seq", seq).put("epoch", epoch);
    }

    /** {@link #toJson()} plus {@code "replayed": true} when replayed (batch results, bus replies). */
    public JsonObject toJsonMarked() {
        JsonObject json = toJson();
        return replayed ? json.put(IdempotencyKey.REPLAYED_FIELD, true) : json;
    }

    public static Published fromJson(JsonObject json) {
        return new Published(json.getString("id"), json.getLong("seq"), json.getString("epoch"),
                json.getBoolean(IdempotencyKey.REPLAYED_FIELD, false));
    }

    Published replay() {
        return new Published(id, seq, epoch, true);
    }
}
