package io.herald.event;

import io.vertx.core.json.JsonObject;

/**
 * The body every browser receives: {@code {"id","type","ts","seq","data","userId","storeId"}}, in that
 * order; {@code userId} and {@code storeId} only when known.
 */
public final class Envelope {
    private Envelope() {
    }

    /** The envelope as JSON; a null seq leaves it out (the form kept in the event log). */
    public static JsonObject of(String id, String type, long ts, Long seq, JsonObject data, String userId, String storeId) {
        JsonObject envelope = new JsonObject().put("id", id).put("type", type).put("ts", ts);
        if (seq != null) {
            envelope.put("seq", seq);
        }
        envelope.put("data", data);
        if (userId != null) {
            envelope.put("userId", userId);
        }
        if (storeId != null) {
            envelope.put("storeId", storeId);
        }
        return envelope;
    }
}
