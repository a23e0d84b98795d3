package io.herald.event;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Whom an event is aimed at: users (by {@code sub}), roles, or rooms (those a connection joined, its
 * token's {@code rooms} claim, and its automatic {@code user:<sub>} and {@code role:<role>} rooms). A
 * connection matches when it is in any of the three. A target narrows who receives an event; it never
 * lets a role read a namespace its matrix row denies.
 */
public record Target(Set<String> users, Set<String> roles, Set<String> rooms) {

    public static final int MAX_ENTRIES = 1000;

    /** Parses the {@code target} of a publish request; null or an empty target means "everyone allowed". */
    public static Target fromJson(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof JsonObject json)) {
            throw new HeraldException(ErrorCode.INVALID_EVENT, "target must be an object with users, roles and/or rooms");
        }
        Target target = new Target(strings(json, "users"), strings(json, "roles"), strings(json, "rooms"));
        return target.users.isEmpty() && target.roles.isEmpty() && target.rooms.isEmpty() ? null : target;
    }

    private static Set<String> strings(JsonObject json, String field) {
        Object value = json.getValue(field);
        if (value == null) {
            return Set.of();
        }
        if (!(value instanceof JsonArray array) || array.size() > MAX_ENTRIES) {
            throw new HeraldException(ErrorCode.INVALID_EVENT, "target." + field + " must be an array of at most " + MAX_ENTRIES + " strings");
        }
        Set<String> result = new LinkedHashSet<>();
        for (Object entry : array) {
            if (!(entry instanceof String s) || s.isEmpty()) {
                throw new HeraldException(ErrorCode.INVALID_EVENT, "target." + field + " must hold non-empty strings");
            }
            result.add(s);
        }
        return Set.copyOf(result);
    }

    /** Whether a reader with this user id, role and rooms is aimed at. */
    public boolean matches(String userId, String role, Set<String> memberOf) {
        if (userId != null && users.contains(userId)) {
            return true;
        }
        if (roles.contains(role)) {
            return true;
        }
        for (String room : rooms) {
            if (memberOf.contains(room)) {
                return true;
            }
        }
        return false;
    }

    public JsonObject toJson() {
        return new JsonObject()
                .put("users", new JsonArray(new ArrayList<>(users)))
                .put("roles", new JsonArray(new ArrayList<>(roles)))
                .put("rooms", new JsonArray(new ArrayList<>(rooms)));
    }
}
