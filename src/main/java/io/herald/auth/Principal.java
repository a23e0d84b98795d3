package io.herald.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;

/**
 * Who is on a connection, as the verified token says: {@code sub}, {@code role}, optional
 * {@code storeId} and {@code rooms}. {@code userId} is null for an anonymous guest.
 */
public record Principal(String userId, String role, String storeId, Set<String> rooms) {

    public static Principal anonymous(String role) {
        return new Principal(null, role, null, Set.of());
    }

    public boolean isAnonymous() {
        return userId == null;
    }

    public JsonObject toJson() {
        return new JsonObject().put("sub", userId).put("role", role).put("storeId", storeId)
                .put("rooms", new JsonArray(new ArrayList<>(rooms)));
    }

    public static Principal fromJson(JsonObject json) {
        Set<String> rooms = new HashSet<>();
        json.getJsonArray("rooms", new JsonArray()).forEach(r -> rooms.add(String.valueOf(r)));
        return new Principal(json.getString("sub"), json.getString("role"), json.getString("storeId"), Set.copyOf(rooms));
    }
}
