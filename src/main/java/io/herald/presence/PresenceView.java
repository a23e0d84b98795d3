package io.herald.presence;

import io.herald.presence.PresenceDelta.UserState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Presence across the cluster, as one node knows it: every node's part, kept from their deltas and
 * snapshots, summed per user and per room. Applying a delta returns the changes it makes cluster-wide
 * (a user's first connection anywhere, their last one, a room's first or last connection of a user),
 * from which the presence leader makes events. Touched by one thread only (the presence verticle's).
 */
final class PresenceView {
    /** Members whose departure is remembered, so that a late delta of theirs cannot bring their users back. */
    static final int MAX_DEPARTED = 1024;

    enum Outcome { APPLIED, IGNORED, NEEDS_SNAPSHOT }

    enum ChangeKind { ONLINE, OFFLINE, JOINED, LEFT }

    /** A cluster-wide change; {@code room} is null for ONLINE and OFFLINE. */
    record Change(ChangeKind kind, String userId, String role, String storeId, String room, long since) {
    }

    private static final class NodePart {
        String member;
        long seq;
        final Map<String, UserState> users = new HashMap<>();
        final Map<String, Map<String, Integer>> rooms = new HashMap<>();
    }

    private final Map<String, NodePart> nodes = new HashMap<>();
    /** user id → node → their state there. */
    private final Map<String, Map<String, UserState>> online = new HashMap<>();
    /** room → user id → node → connections in the room there. */
    private final Map<String, Map<String, Map<String, Integer>>> rooms = new HashMap<>();
    private final Set<String> departed = new LinkedHashSet<>();

    Outcome apply(PresenceDelta delta, List<Change> changes) {
        if (departed.contains(delta.member())) {
            return Outcome.IGNORED;
        }
        NodePart part = nodes.get(delta.node());
        if (delta.full()) {
            if (part != null && delta.seq() < part.seq) {
                return Outcome.IGNORED;
            }
            if (part == null) {
                part = new NodePart();
                nodes.put(delta.node(), part);
            }
            // what the snapshot no longer holds leaves; the rest is set as a delta would: someone in both stays, unannounced
            delta = withDepartures(delta, part);
        } else if (part == null) {
            if (delta.seq() != 1) {
                return Outcome.NEEDS_SNAPSHOT;
            }
            part = new NodePart();
            nodes.put(delta.node(), part);
        } else if (delta.seq() <= part.seq) {
            return Outcome.IGNORED;
        } else if (delta.seq() > part.seq + 1) {
            return Outcome.NEEDS_SNAPSHOT;
        }
        part.seq = delta.seq();
        part.member = delta.member();
        // arrivals before room changes, departures after: a room change still knows the user's role
        String node = delta.node();
        NodePart target = part;
        delta.users().forEach((user, state) -> {
            if (state != null) {
                setUser(node, target, user, state, changes);
            }
        });
        delta.rooms().forEach((room, members) -> members.forEach((user, count) -> setMember(node, target, room, user, count, changes)));
        delta.users().forEach((user, state) -> {
            if (state == null) {
                setUser(node, target, user, null, changes);
            }
        });
        return Outcome.APPLIED;
    }

    /** A snapshot as a delta against what is known of its node: the users and room members it lacks are gone. */
    private static PresenceDelta withDepartures(PresenceDelta snapshot, NodePart known) {
        Map<String, UserState> users = new HashMap<>(snapshot.users());
        known.users.keySet().forEach(user -> users.putIfAbsent(user, null));
        Map<String, Map<String, Integer>> rooms = new HashMap<>();
        snapshot.rooms().forEach((room, members) -> rooms.put(room, new HashMap<>(members)));
        known.rooms.forEach((room, members) -> members.keySet().forEach(user ->
                rooms.computeIfAbsent(room, r -> new HashMap<>()).putIfAbsent(user, 0)));
        return new PresenceDelta(snapshot.node(), snapshot.member(), snapshot.seq(), true, users, rooms);
    }

    /** Whether a node's heartbeat ({@code seq}: its last delta) says a delta of it was missed. */
    boolean missed(String node, String member, long seq) {
        if (departed.contains(member)) {
            return false;
        }
        NodePart part = nodes.get(node);
        return part == null ? seq > 0 : seq > part.seq;
    }

    /** A Hazelcast member left the cluster: its nodes' users and room members leave presence. */
    void memberLeft(String member, List<Change> changes) {
        departed.add(member);
        if (departed.size() > MAX_DEPARTED) {
            departed.remove(departed.iterator().next());
        }
        for (String node : new ArrayList<>(nodes.keySet())) {
            if (member.equals(nodes.get(node).member)) {
                dropPart(node, changes);
            }
        }
    }

    /** A member joined (again, after a split healed): what it says counts from now on. */
    void memberJoined(String member) {
        departed.remove(member);
    }

    /** Takes a node's part out of presence: its room members first (their role still known), then its users. */
    private void dropPart(String node, List<Change> changes) {
        NodePart old = nodes.remove(node);
        if (old == null) {
            return;
        }
        for (Map.Entry<String, Map<String, Integer>> room : new ArrayList<>(old.rooms.entrySet())) {
            new ArrayList<>(room.getValue().keySet()).forEach(user -> setMember(node, old, room.getKey(), user, 0, changes));
        }
        new ArrayList<>(old.users.keySet()).forEach(user -> setUser(node, old, user, null, changes));
    }

    private void setUser(String node, NodePart part, String user, UserState state, List<Change> changes) {
        Map<String, UserState> byNode = online.get(user);
        if (state == null || state.connections() <= 0) {
            part.users.remove(user);
            UserState removed = byNode == null ? null : byNode.remove(node);
            if (removed != null && byNode.isEmpty()) {
                online.remove(user);
                changes.add(new Change(ChangeKind.OFFLINE, user, removed.role(), removed.storeId(), null, removed.since()));
            }
            return;
        }
        part.users.put(user, state);
        if (byNode == null) {
            byNode = new HashMap<>();
            online.put(user, byNode);
            changes.add(new Change(ChangeKind.ONLINE, user, state.role(), state.storeId(), null, state.since()));
        }
        byNode.put(node, state);
    }

    private void setMember(String node, NodePart part, String room, String user, int count, List<Change> changes) {
        Map<String, Map<String, Integer>> members = rooms.get(room);
        UserState who = anyState(user);
        String role = who == null ? null : who.role();
        String storeId = who == null ? null : who.storeId();
        if (count <= 0) {
            Map<String, Integer> partMembers = part.rooms.get(room);
            if (partMembers != null && partMembers.remove(user) != null && partMembers.isEmpty()) {
                part.rooms.remove(room);
            }
            Map<String, Integer> byNode = members == null ? null : members.get(user);
            if (byNode == null || byNode.remove(node) == null || !byNode.isEmpty()) {
                return;
            }
            members.remove(user);
            if (members.isEmpty()) {
                rooms.remove(room);
            }
            changes.add(new Change(ChangeKind.LEFT, user, role, storeId, room, 0));
            return;
        }
        part.rooms.computeIfAbsent(room, r -> new HashMap<>()).put(user, count);
        if (members == null) {
            members = new HashMap<>();
            rooms.put(room, members);
        }
        Map<String, Integer> byNode = members.get(user);
        if (byNode == null) {
            byNode = new HashMap<>();
            members.put(user, byNode);
            changes.add(new Change(ChangeKind.JOINED, user, role, storeId, room, 0));
        }
        byNode.put(node, count);
    }

    private UserState anyState(String user) {
        Map<String, UserState> byNode = online.get(user);
        return byNode == null || byNode.isEmpty() ? null : byNode.values().iterator().next();
    }

    /** Everyone online: per user their role, connections, nodes and since when (their earliest connection still open). */
    JsonObject users() {
        return users(PresencePage.FIRST);
    }

    /**
     * One page of everyone online, by user id: per user their role, connections, nodes and since when (their earliest
     * connection still open); the totals of the whole cluster on every page, {@code next} (the last user id of the page,
     * to pass back for the following one) and {@code more}.
     */
    JsonObject users(PresencePage page) {
        JsonArray list = new JsonArray();
        long connections = 0;
        String last = page.next();
        boolean more = false;
        for (Map.Entry<String, Map<String, UserState>> entry : sorted(online)) {
            int count = 0;
            long since = Long.MAX_VALUE;
            for (UserState state : entry.getValue().values()) {
                count += state.connections();
                since = Math.min(since, state.since());
            }
            connections += count;
            if (!page.after(entry.getKey())) {
                continue;
            }
            if (list.size() == page.limit()) {
                more = true;
                continue;
            }
            UserState any = entry.getValue().values().iterator().next();
            list.add(new JsonObject().put("userId", entry.getKey()).put("role", any.role()).put("storeId", any.storeId())
                    .put("connections", count).put("nodes", nodeList(entry.getValue().keySet())).put("since", since));
            last = entry.getKey();
        }
        return new JsonObject().put("users", list).put("uniqueUsers", online.size()).put("connections", connections)
                .put(PresencePage.NEXT, last).put(PresencePage.MORE, more);
    }

    /** A room's members: per user their role, their connections in the room and the nodes they are on. */
    JsonObject room(String room) {
        return room(room, PresencePage.FIRST);
    }

    /**
     * One page of a room's members, by user id: per user their role, their connections in the room and the nodes they
     * are on; the room's totals ({@code count} and {@code uniqueUsers}: its users, {@code connections}) on every page,
     * {@code next} and {@code more}.
     */
    JsonObject room(String room, PresencePage page) {
        JsonArray list = new JsonArray();
        Map<String, Map<String, Integer>> members = rooms.getOrDefault(room, Map.of());
        long connections = 0;
        String last = page.next();
        boolean more = false;
        for (Map.Entry<String, Map<String, Integer>> entry : sorted(members)) {
            int count = entry.getValue().values().stream().mapToInt(Integer::intValue).sum();
            connections += count;
            if (!page.after(entry.getKey())) {
                continue;
            }
            if (list.size() == page.limit()) {
                more = true;
                continue;
            }
            UserState who = anyState(entry.getKey());
            list.add(new JsonObject().put("userId", entry.getKey()).put("role", who == null ? null : who.role())
                    .put("connections", count)
                    .put("nodes", nodeList(entry.getValue().keySet())));
            last = entry.getKey();
        }
        return new JsonObject().put("room", room).put("members", list).put("count", members.size())
                .put("uniqueUsers", members.size()).put("connections", connections)
                .put(PresencePage.NEXT, last).put(PresencePage.MORE, more);
    }

    /** The counts only: unique users, their connections, and each room's number of users. */
    JsonObject summary() {
        long connections = 0;
        for (Map<String, UserState> byNode : online.values()) {
            for (UserState state : byNode.values()) {
                connections += state.connections();
            }
        }
        JsonObject roomSizes = new JsonObject();
        new TreeMap<>(roomSizes()).forEach(roomSizes::put);
        return new JsonObject().put("uniqueUsers", online.size()).put("connections", connections).put("rooms", roomSizes);
    }

    /** Rooms and how many users are in each. */
    Map<String, Integer> roomSizes() {
        Map<String, Integer> sizes = new HashMap<>();
        rooms.forEach((room, members) -> sizes.put(room, members.size()));
        return sizes;
    }

    boolean isOnline(String user) {
        return online.containsKey(user);
    }

    boolean isMember(String room, String user) {
        Map<String, Map<String, Integer>> members = rooms.get(room);
        return members != null && members.containsKey(user);
    }

    private static <V> List<Map.Entry<String, V>> sorted(Map<String, V> map) {
        List<Map.Entry<String, V>> entries = new ArrayList<>(map.entrySet());
        entries.sort(Map.Entry.comparingByKey(Comparator.naturalOrder()));
        return entries;
    }

    private static JsonArray nodeList(Set<String> nodes) {
        return new JsonArray(nodes.stream().sorted().toList());
    }
}
