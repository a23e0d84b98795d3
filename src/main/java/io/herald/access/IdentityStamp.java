package io.herald.access;

import io.herald.auth.Principal;
import io.vertx.core.json.JsonObject;

/**
 * Browser-published data is never trusted to say who sent it: the namespace's owner field is always
 * set from the token's {@code sub}, and {@code userId} or {@code storeId}, where the client wrote them,
 * are overwritten from the token (removed when the token has none). The envelope's own
 * {@code userId} and {@code storeId} come from the token too.
 */
public final class IdentityStamp {
    static final String USER_ID = "userId";
    static final String STORE_ID = "storeId";

    private IdentityStamp() {
    }

    public static JsonObject stamp(JsonObject clientData, String ownerField, Principal principal) {
        JsonObject data = clientData.copy();
        if (data.containsKey(USER_ID)) {
            put(data, USER_ID, principal.userId());
        }
        if (data.containsKey(STORE_ID)) {
            put(data, STORE_ID, principal.storeId());
        }
        if (ownerField != null) {
            put(data, ownerField, principal.userId());
        }
        return data;
    }

    private static void put(JsonObject data, String field, String value) {
        if (value == null) {
            data.remove(field);
        } else {
            data.put(field, value);
        }
    }
}
