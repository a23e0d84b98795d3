package io.herald.event;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.vertx.core.json.JsonObject;

/**
 * One event to publish: its type, its data, an optional target, and the identity of whoever it is
 * about ({@code userId}, {@code storeId}: stamped from the token for browser publishes, given by the
 * backend over HTTP).
 */
public record PublishRequest(String type, JsonObject data, Target target, String userId, String storeId, boolean delete) {

    public PublishRequest(String type, JsonObject data, Target target, String userId, String storeId) {
        this(type, data, target, userId, storeId, false);
    }

    /**
     * Parses {@code {"type","data","target","userId","storeId","delete"}} as sent over HTTP or the bus; {@code "delete": true}
     * removes the data's key from a keyed type's state (docs/state.md).
     */
    public static PublishRequest fromJson(Object value) {
        if (!(value instanceof JsonObject json)) {
            throw new HeraldException(ErrorCode.INVALID_EVENT, "an event must be a JSON object");
        }
        if (!(json.getValue("type") instanceof String type) || type.isEmpty()) {
            throw new HeraldException(ErrorCode.INVALID_EVENT, "an event needs a string 'type'");
        }
        Object data = json.getValue("data");
        if (data != null && !(data instanceof JsonObject)) {
            throw new HeraldException(ErrorCode.INVALID_EVENT, "'data' must be a JSON object");
        }
        if (JsonDepth.exceeds(data, JsonDepth.MAX)) {
            throw new HeraldException(ErrorCode.INVALID_EVENT, "'data' may nest at most " + JsonDepth.MAX + " levels");
        }
        return new PublishRequest(type, data == null ? new JsonObject() : (JsonObject) data,
                Target.fromJson(json.getValue("target")), optionalString(json, "userId"), optionalString(json, "storeId"), deleteFlag(json));
    }

    private static boolean deleteFlag(JsonObject json) {
        Object value = json.getValue("delete");
        if (value != null && !(value instanceof Boolean)) {
            throw new HeraldException(ErrorCode.INVALID_EVENT, "'delete' must be true or false");
        }
        return Boolean.TRUE.equals(value);
    }

    private static String optionalString(JsonObject json, String field) {
        Object value = json.getValue(field);
        if (value != null && !(value instanceof String)) {
            throw new HeraldException(ErrorCode.INVALID_EVENT, "'" + field + "' must be a string");
        }
        return (String) value;
    }

    public JsonObject toJson() {
        JsonObject json = new JsonObject().put("type", type).put("data", data);
        if (target != null) {
            json.put("target", target.toJson());
        }
        if (userId != null) {
            json.put("userId", userId);
        }
        if (storeId != null) {
            json.put("storeId", storeId);
        }
        if (delete) {
            json.put("delete", true);
        }
        return json;
    }
}
