package io.herald.event;

import io.herald.WireVersion;
import io.vertx.core.json.JsonObject;

/**
 * An event as history keeps it: {@code {"id","ts","data","userId","storeId","target"}}, only what
 * recovery needs to rebuild the envelope and filter it as live delivery does. The type, {@code seq} and
 * epoch are the stream's, not stored per event.
 *
 * <p>Wire version 1 (the release before the versioning) has no marker; version 2 starts with {@code "v":2}, which
 * version 1 readers ignore. A record of a newer version is read by the fields this release knows (history records only
 * ever gain fields, so that a rollback keeps reading what the newer release wrote); one without {@code id}, {@code ts}
 * and {@code data} is refused ({@link WireVersion.Unsupported}).
 */
public record EventRecord(String id, long ts, JsonObject data, String userId, String storeId, Target target, boolean delete) {

    public EventRecord(String id, long ts, JsonObject data, String userId, String storeId, Target target) {
        this(id, ts, data, userId, storeId, target, false);
    }
    private static final io.herald.log.LogLimiter REFUSALS = new io.herald.log.LogLimiter(java.util.logging.Logger.getLogger(EventRecord.class.getName()));

    /** In the current wire version. */
    public static String encode(String id, long ts, String dataJson, String userId, String storeId, Target target) {
        return encode(WireVersion.CURRENT, id, ts, dataJson, userId, storeId, target);
    }

    /** In wire version {@code version} (what the cluster's nodes all read). */
    public static String encode(int version, String id, long ts, String dataJson, String userId, String storeId, Target target) {
        return encode(version, id, ts, dataJson, userId, storeId, target, false);
    }

    /** With {@code "delete": true} for an event that removed its key from a keyed type's state (a field version 2 readers ignore). */
    public static String encode(int version, String id, long ts, String dataJson, String userId, String storeId, Target target, boolean delete) {
        return encode(version, id, ts, dataJson, userId, storeId, target, delete, null, null);
    }

    /**
     * With the publish's idempotency key and hash ({@code KeyIndex.KEY_FIELD}, {@code HASH_FIELD}; null: none), which the
     * history's owner reads back to learn the keys it did not index itself (fields readers ignore).
     */
    public static String encode(int version, String id, long ts, String dataJson, String userId, String storeId, Target target,
                                boolean delete, String key, String hash) {
        // sized for what is written (the fixed text is at most 96 characters), so that it grows only for a target or escapes
        StringBuilder json = new StringBuilder(dataJson.length() + id.length() + (userId == null ? 0 : userId.length())
                + (storeId == null ? 0 : storeId.length()) + (key == null ? 0 : key.length() + 84) + 96);
        json.append('{');
        if (version > WireVersion.PREVIOUS) {
            json.append("\"v\":").append(version).append(',');
        }
        JsonText.quote(json.append("\"id\":"), id);
        json.append(",\"ts\":").append(ts).append(",\"data\":").append(dataJson);
        if (userId != null) {
            JsonText.quote(json.append(",\"userId\":"), userId);
        }
        if (storeId != null) {
            JsonText.quote(json.append(",\"storeId\":"), storeId);
        }
        if (target != null) {
            json.append(",\"target\":").append(target.toJson().encode());
        }
        if (delete) {
            json.append(",\"delete\":true");
        }
        if (key != null) {
            JsonText.quote(json.append(",\"").append(io.herald.history.KeyIndex.KEY_FIELD).append("\":"), key);
            json.append(",\"").append(io.herald.history.KeyIndex.HASH_FIELD).append("\":\"").append(hash).append('"');
        }
        return json.append('}').toString();
    }

    public static EventRecord decode(String record) {
        JsonObject json = new JsonObject(record);
        int version = WireVersion.of(json);
        boolean readable = version >= WireVersion.PREVIOUS && (version <= WireVersion.CURRENT
                || json.getValue("id") instanceof String && json.getValue("ts") instanceof Number && json.getValue("data") instanceof JsonObject);
        if (!readable) {
            WireVersion.Unsupported refused = new WireVersion.Unsupported("history record", version, WireVersion.CURRENT);
            REFUSALS.warning("wire-refused-record", refused.getMessage());
            throw refused;
        }
        return new EventRecord(json.getString("id"), json.getLong("ts"), json.getJsonObject("data"),
                json.getString("userId"), json.getString("storeId"), Target.fromJson(json.getValue("target")),
                Boolean.TRUE.equals(json.getValue("delete")));
    }

    /** The event as delivery sees it, at its place in the stream. */
    public BusEvent toBusEvent(String type, long seq, String epoch, String ownerField) {
        Object owner = ownerField == null ? null : data.getValue(ownerField);
        return new BusEvent(seq, ts, Envelope.encode(id, type, ts, seq, epoch, data.encode(), userId, storeId, delete),
                owner == null ? null : owner.toString(), target);
    }

    /** The envelope as JSON, for the history API. */
    public JsonObject envelope(String type, long seq, String epoch) {
        return new JsonObject(Envelope.encode(id, type, ts, seq, epoch, data.encode(), userId, storeId, delete));
    }
}
