package io.herald.event;

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
        StringBuilder json = new StringBuilder(dataJson.length() + 160);
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
        return json.append('}').toString();
    }
}
