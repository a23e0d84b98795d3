package io.herald.presence;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.delivery.Utf8;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * A {@code herald:signal} request checked: {@code {"room", "data"?, "ttlMs"?}}. The room is named as a join's; {@code data}
 * is any JSON value (null when absent) of at most {@link #MAX_DATA_BYTES} bytes encoded; {@code ttlMs} a whole number of
 * 1 to {@link #MAX_TTL_MS} ms ({@link #DEFAULT_TTL_MS} when absent). Pure: a bad request throws the code it gets.
 */
public record SignalRequest(String room, String dataJson, int ttlMs) {
    public static final int MAX_DATA_BYTES = 1024;
    public static final int MAX_TTL_MS = 10_000;
    public static final int DEFAULT_TTL_MS = 5_000;

    public static SignalRequest parse(JsonObject body) {
        String room = RoomRules.checkName(body.getValue("room"));
        Object ttl = body.getValue("ttlMs");
        int ttlMs;
        if (ttl == null) {
            ttlMs = DEFAULT_TTL_MS;
        } else if ((ttl instanceof Integer || ttl instanceof Long) && ((Number) ttl).longValue() >= 1 && ((Number) ttl).longValue() <= MAX_TTL_MS) {
            ttlMs = ((Number) ttl).intValue();
        } else {
            throw new HeraldException(ErrorCode.INVALID_FRAME, "a signal's ttlMs is a whole number of 1 to " + MAX_TTL_MS + " ms");
        }
        Object data = body.getValue("data");
        String dataJson = data == null ? "null" : Json.encode(data);
        if (Utf8.length(dataJson) > MAX_DATA_BYTES) {
            throw new HeraldException(ErrorCode.FRAME_TOO_LARGE, "a signal's data is limited to " + MAX_DATA_BYTES + " bytes of JSON");
        }
        return new SignalRequest(room, dataJson, ttlMs);
    }
}
