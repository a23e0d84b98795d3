package io.herald.presence;

import io.herald.WireVersion;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;

/**
 * What one node says of its part of presence, on {@link io.herald.Addresses#PRESENCE_DELTA}: for each user
 * that changed there, their state on that node (null: no connection left there), and for each room member
 * that changed, their connections in the room on that node (0: left). States are absolute, so a delta
 * applied twice changes nothing. {@code full} marks a snapshot: everything the node has, replacing what was
 * known of it. {@code seq} numbers a node's deltas (a snapshot carries the last one it includes), so that a
 * receiver notices one it missed; {@code member} is the node's Hazelcast member, whose leaving ends its part.
 * Wire version 2 and later carry {@code "v"} ({@link WireVersion}); version 1 none.
 */
record PresenceDelta(String node, String member, long seq, boolean full, Map<String, UserState> users,
                     Map<String, Map<String, Integer>> rooms) {

    /** A user's connections on one node: role and store from their token, since when they are connected there. */
    record UserState(String role, String storeId, long since, int connections) {
        JsonObject toJson() {
            return new JsonObject().put("role", role).put("storeId", storeId).put("since", since).put("connections", connections);
        }

        static UserState fromJson(JsonObject json) {
            return new UserState(json.getString("role"), json.getString("storeId"), json.getLong("since", 0L), json.getInteger("connections", 0));
        }
    }

    boolean isEmpty() {
        return users.isEmpty() && rooms.isEmpty();
    }

    JsonObject toJson() {
        return toJson(WireVersion.CURRENT);
    }

    /** In wire version {@code version}. */
    JsonObject toJson(int version) {
        JsonObject usersJson = new JsonObject();
        users.forEach((user, state) -> usersJson.put(user, state == null ? null : state.toJson()));
        JsonObject roomsJson = new JsonObject();
        rooms.forEach((room, members) -> roomsJson.put(room, new JsonObject(new HashMap<>(members))));
        return WireVersion.mark(new JsonObject(), version).put("node", node).put("member", member).put("seq", seq).put("full", full)
                .put("users", usersJson).put("rooms", roomsJson);
    }

    static PresenceDelta fromJson(JsonObject json) {
        WireVersion.check(json, "presence delta");
        Map<String, UserState> users = new HashMap<>();
        JsonObject usersJson = json.getJsonObject("users", new JsonObject());
        for (String user : usersJson.fieldNames()) {
            JsonObject state = usersJson.getJsonObject(user);
            users.put(user, state == null ? null : UserState.fromJson(state));
        }
        Map<String, Map<String, Integer>> rooms = new HashMap<>();
        JsonObject roomsJson = json.getJsonObject("rooms", new JsonObject());
        for (String room : roomsJson.fieldNames()) {
            Map<String, Integer> members = new HashMap<>();
            roomsJson.getJsonObject(room).forEach(member -> members.put(member.getKey(), ((Number) member.getValue()).intValue()));
            rooms.put(room, members);
        }
        return new PresenceDelta(json.getString("node"), json.getString("member"), json.getLong("seq", 0L),
                json.getBoolean("full", false), users, rooms);
    }
}
