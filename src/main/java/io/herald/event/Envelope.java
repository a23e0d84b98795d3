package io.herald.event;

/**
 * The body every browser receives, encoded once per event:
 * {@code {"id","type","ts","seq","epoch","data","userId","storeId","delete"}}, {@code userId} and {@code storeId}
 * only when known, {@code delete} only when true. Built from the data already encoded as JSON, so that the data is encoded once for
 * both the envelope and the history record.
 */
public final class Envelope {
    private Envelope() {
    }

    public static String encode(String id, String type, long ts, long seq, String epoch, String dataJson, String userId, String storeId) {
        return encode(id, type, ts, seq, epoch, dataJson, userId, storeId, false);
    }

    /** With {@code "delete": true} last for an event that removes its key from a keyed type's state (docs/state.md). */
    public static String encode(String id, String type, long ts, long seq, String epoch, String dataJson, String userId, String storeId,
                                boolean delete) {
        // sized for what is written (the fixed text is at most 130 characters): the builder grows only for escapes
        StringBuilder json = new StringBuilder(dataJson.length() + id.length() + type.length() + epoch.length()
                + (userId == null ? 0 : userId.length()) + (storeId == null ? 0 : storeId.length()) + 130);
        JsonText.quote(json.append("{\"id\":"), id);
        JsonText.quote(json.append(",\"type\":"), type);
        json.append(",\"ts\":").append(ts).append(",\"seq\":").append(seq);
        JsonText.quote(json.append(",\"epoch\":"), epoch);
        json.append(",\"data\":").append(dataJson);
        if (userId != null) {
            JsonText.quote(json.append(",\"userId\":"), userId);
        }
        if (storeId != null) {
            JsonText.quote(json.append(",\"storeId\":"), storeId);
        }
        if (delete) {
            json.append(",\"delete\":true");
        }
        return json.append('}').toString();
    }
}
