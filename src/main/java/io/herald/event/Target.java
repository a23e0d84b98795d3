package io.herald.event;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Whom an event is aimed at: users (by {@code sub}), roles, or rooms. A connection matches when it is in any
 * of the three. Its rooms are those it joined and its token's {@code rooms} claim; every connection is also,
 * without joining, in {@code user:<sub>} and {@code role:<role>}, which are read here as a user and a role (so
 * a refreshed token's role counts at once). A target narrows who receives an event; it never lets a role read
 * a namespace its matrix row denies.
 */
public final class Target {
    public static final int MAX_ENTRIES = 1000;
    /** Prefix of the room every connection of a user is in. */
    public static final String USER_ROOM_PREFIX = "user:";
    /** Prefix of the room every connection of a role is in. */
    public static final String ROLE_ROOM_PREFIX = "role:";

    private final Set<String> users;
    private final Set<String> roles;
    private final Set<String> rooms;
    /** {@code users} and the users of {@code user:} rooms; {@code roles} and the roles of {@code role:} rooms. */
    private final Set<String> anyUser;
    private final Set<String> anyRole;

    public Target(Set<String> users, Set<String> roles, Set<String> rooms) {
        this.users = Set.copyOf(users);
        this.roles = Set.copyOf(roles);
        this.rooms = Set.copyOf(rooms);
        Set<String> byUser = new LinkedHashSet<>(users);
        Set<String> byRole = new LinkedHashSet<>(roles);
        for (String room : rooms) {
            if (room.startsWith(USER_ROOM_PREFIX)) {
                byUser.add(room.substring(USER_ROOM_PREFIX.length()));
            } else if (room.startsWith(ROLE_ROOM_PREFIX)) {
                byRole.add(room.substring(ROLE_ROOM_PREFIX.length()));
            }
        }
        this.anyUser = Set.copyOf(byUser);
        this.anyRole = Set.copyOf(byRole);
    }

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
        return result;
    }

    public Set<String> users() {
        return users;
    }

    public Set<String> roles() {
        return roles;
    }

    public Set<String> rooms() {
        return rooms;
    }

    /** The users the target names, in {@code users} and by their {@code user:} rooms. */
    public Set<String> namedUsers() {
        return anyUser;
    }

    /** Whether the target names this user, in {@code users} or by their {@code user:} room. */
    public boolean namesUser(String userId) {
        return userId != null && anyUser.contains(userId);
    }

    /** Whether a reader with this user id, role and (joined or token) rooms is aimed at. */
    public boolean matches(String userId, String role, Set<String> memberOf) {
        if (namesUser(userId) || anyRole.contains(role)) {
            return true;
        }
        Set<String> fewer = rooms.size() <= memberOf.size() ? rooms : memberOf;
        Set<String> more = fewer == rooms ? memberOf : rooms;
        for (String room : fewer) {
            if (more.contains(room)) {
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

    @Override
    public boolean equals(Object other) {
        return other instanceof Target that && users.equals(that.users) && roles.equals(that.roles) && rooms.equals(that.rooms);
    }

    @Override
    public int hashCode() {
        return Objects.hash(users, roles, rooms);
    }

    @Override
    public String toString() {
        return toJson().encode();
    }
}
