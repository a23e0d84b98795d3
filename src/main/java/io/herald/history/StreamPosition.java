package io.herald.history;

import io.vertx.core.json.JsonObject;

/**
 * Where one event type's stream stands: its {@code epoch} (a new one whenever the stream was lost or
 * restarted, so that a {@code seq} is only meaningful with its epoch), the oldest {@code seq} history
 * still holds ({@code head}) and the latest {@code seq} given out ({@code tail}, 0 before the first
 * event). An empty history has {@code head == tail + 1}.
 */
public record StreamPosition(String epoch, long head, long tail) {

    public JsonObject toJson() {
        return new JsonObject().put("epoch", epoch).put("head", head).put("tail", tail);
    }
}
