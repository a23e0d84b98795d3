package io.herald.delivery;

import io.herald.auth.Access;
import io.herald.auth.Principal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A token refresh as the policies see it ({@link ConnectionPolicy#onRefresh}): the connection has its new
 * claims already, and everything decided from the old ones is decided again. Each registered type starts at
 * {@link Access#NONE} (deny by default, as a register): the access policy grants what the new role allows, and
 * the bridge removes the types nobody granted. Policies that leave rooms say so with {@link #leftRoom}.
 */
public final class Refresh {
    private final Principal previous;
    private final Set<String> types;
    private final Map<String, Access> access = new HashMap<>();
    private final List<String> droppedTypes = new ArrayList<>();
    private final List<String> droppedRooms = new ArrayList<>();

    public Refresh(Principal previous, Set<String> types) {
        this.previous = previous;
        this.types = Collections.unmodifiableSet(new TreeSet<>(types));
    }

    /** The claims the connection had before this refresh. */
    public Principal previous() {
        return previous;
    }

    /** The types the connection was registered on when the refresh came, in order. */
    public Set<String> types() {
        return types;
    }

    /** The access the new claims give to {@code type}. */
    public void grant(String type, Access granted) {
        access.put(type, granted);
    }

    public Access access(String type) {
        return access.getOrDefault(type, Access.NONE);
    }

    /** The connection left {@code room}: the new claims do not allow it. */
    public void leftRoom(String room) {
        droppedRooms.add(room);
    }

    public void droppedType(String type) {
        droppedTypes.add(type);
    }

    public List<String> droppedTypes() {
        return Collections.unmodifiableList(droppedTypes);
    }

    public List<String> droppedRooms() {
        return Collections.unmodifiableList(droppedRooms);
    }

    /** {@code {"types":[…],"rooms":[…]}}: what the refresh took away. */
    public JsonObject droppedJson() {
        return new JsonObject().put("types", new JsonArray(new ArrayList<>(droppedTypes))).put("rooms", new JsonArray(new ArrayList<>(droppedRooms)));
    }
}
