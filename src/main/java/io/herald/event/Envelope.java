package io.herald.event;

import io.vertx.core.json.Json;

/**
 * The body every browser receives, encoded once per event:
 * {@code {"id","type","ts","seq","epoch","data","userId","storeId"}}, {@code userId} and {@code storeId}
 * only when known. Built from the data already encoded as JSON, so that the data is encoded once for
 * both the envelope and the history record.
 */
public final class Envelope {
    private Envelope() {
    }

    public static String encode(String id, String type, long ts, long seq, String epoch, String dataJson, String userId, String storeId) {
        StringBuilder json = new StringBuilder(dataJson.length() + 160)
                .append("{\"id\":").append(Json.encode(id))
                .append(",\"type\":").append(Json.encode(type))
                .append(",\"ts\":").append(ts)
                .append(",\"seq\":").append(seq)
                .append(",\"epoch\":").append(Json.encode(epoch))
                .append(",\"data\":").append(dataJson);
        if (userId != null) {
            json.append(",\"userId\":").append(Json.encode(userId));
        }
        if (storeId != null) {
            json.append(",\"storeId\":").append(Json.encode(storeId));
        }
        return json.append('}').toString();
    }
}
