package io.herald.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;

/**
 * Who is on a connection, as the verified token says: {@code sub}, {@code role}, optional
 * {@code storeId} and {@code rooms}, and until when ({@code expiresAt}, the token's {@code exp} in epoch
 * seconds; 0 for never), and since when ({@code issuedAt}, the token's {@code iat} in epoch seconds; 0 when the token
 * has none). {@code userId} is null for an anonymous guest.
 */
public record Principal(String userId, String role, String storeId, Set<String> rooms, long expiresAt, long issuedAt) {

    /** A principal whose token says nothing of when it was issued. */
    public Principal(String userId, String role, String storeId, Set<String> rooms, long expiresAt) {
        this(userId, role, storeId, rooms, expiresAt, 0);
    }

    /** A principal whose token does not expire. */
    public Principal(String userId, String role, String storeId, Set<String> rooms) {
        this(userId, role, storeId, rooms, 0);
    }

    public static Principal anonymous(String role) {
        return new Principal(null, role, null, Set.of());
    }

    public boolean isAnonymous() {
        return userId == null;
    }

    public JsonObject toJson() {
        return new JsonObject().put("sub", userId).put("role", role).put("storeId", storeId)
                .put("rooms", new JsonArray(new ArrayList<>(rooms))).put("exp", expiresAt).put("iat", issuedAt);
    }

    public static Principal fromJson(JsonObject json) {
        Set<String> rooms = new HashSet<>();
        json.getJsonArray("rooms", new JsonArray()).forEach(r -> rooms.add(String.valueOf(r)));
        return new Principal(json.getString("sub"), json.getString("role"), json.getString("storeId"), Set.copyOf(rooms),
                json.getLong("exp", 0L), json.getLong("iat", 0L));
    }
}
