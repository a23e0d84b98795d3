package io.herald.presence;

import io.herald.auth.Principal;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * This node's part of presence: its users (connections per user id) and the members of its rooms, counted
 * as connections open, join, leave and close on any event loop. A connect costs a map update here and
 * nothing in Hazelcast; the presence verticle {@link #drain drains} what changed into one delta per
 * interval for the other nodes, so a user who connects and leaves within an interval is never sent.
 * Anonymous connections have no user id and are not in presence.
 */
public final class LocalPresence {
    private static final class User {
        String role;
        String storeId;
        final long since;
        int connections;
        /** Whether the other nodes may know this user (a delta or a snapshot named them): a leave must then be sent. */
        boolean published;

        User(String role, String storeId, long since) {
            this.role = role;
            this.storeId = storeId;
            this.since = since;
        }
    }

    private static final class Member {
        int connections;
        boolean published;
    }

    private record RoomMember(String room, String userId) {
    }

    private final Map<String, User> users = new ConcurrentHashMap<>();
    private final Map<RoomMember, Member> members = new ConcurrentHashMap<>();
    private final Set<String> changedUsers = ConcurrentHashMap.newKeySet();
    private final Set<RoomMember> changedMembers = ConcurrentHashMap.newKeySet();
    /** Users with at least one connection here. */
    private final AtomicInteger online = new AtomicInteger();

    public LocalPresence() {
    }

    void opened(Principal who, long now) {
        if (who.isAnonymous()) {
            return;
        }
        users.compute(who.userId(), (id, user) -> {
            User counted = user != null ? user : new User(who.role(), who.storeId(), now);
            if (counted.connections++ == 0) {
                online.incrementAndGet();
            }
            return counted;
        });
        changedUsers.add(who.userId());
    }

    /** A connection of this user refreshed its token: the user is known by the new role and store from now on. */
    void refreshed(Principal who) {
        if (who.isAnonymous()) {
            return;
        }
        users.computeIfPresent(who.userId(), (id, user) -> {
            user.role = who.role();
            user.storeId = who.storeId();
            return user;
        });
        changedUsers.add(who.userId());
    }

    void closed(Principal who) {
        if (who.isAnonymous()) {
            return;
        }
        users.computeIfPresent(who.userId(), (id, user) -> {
            if (--user.connections == 0) {
                online.decrementAndGet();
            }
            return user;
        });
        changedUsers.add(who.userId());
    }

    void joined(String room, Principal who) {
        if (who.isAnonymous()) {
            return;
        }
        RoomMember key = new RoomMember(room, who.userId());
        members.compute(key, (k, member) -> {
            Member counted = member != null ? member : new Member();
            counted.connections++;
            return counted;
        });
        changedMembers.add(key);
    }

    void left(String room, Principal who) {
        if (who.isAnonymous()) {
            return;
        }
        RoomMember key = new RoomMember(room, who.userId());
        members.computeIfPresent(key, (k, member) -> {
            member.connections--;
            return member;
        });
        changedMembers.add(key);
    }

    /** Distinct users with a connection on this node. */
    public int users() {
        return online.get();
    }

    /** This node's rooms (joined ones and token rooms, not the automatic ones), with how many users are in each here. */
    public Map<String, Integer> rooms() {
        Map<String, Integer> rooms = new HashMap<>();
        members.forEach((key, member) -> {
            if (member.connections > 0) {
                rooms.merge(key.room(), 1, Integer::sum);
            }
        });
        return rooms;
    }

    /**
     * What changed since the last drain, as absolute states (null or 0 for gone); entries with no connection
     * left are dropped here. Called from one thread.
     */
    PresenceDelta drain(String node, String member, long seq) {
        Map<String, PresenceDelta.UserState> userChanges = new HashMap<>();
        for (String id : changedUsers) {
            changedUsers.remove(id);
            users.computeIfPresent(id, (key, user) -> {
                if (user.connections > 0) {
                    userChanges.put(id, new PresenceDelta.UserState(user.role, user.storeId, user.since, user.connections));
                    user.published = true;
                    return user;
                }
                if (user.published) {
                    userChanges.put(id, null);
                }
                return null;
            });
        }
        Map<String, Map<String, Integer>> roomChanges = new HashMap<>();
        for (RoomMember key : changedMembers) {
            changedMembers.remove(key);
            members.computeIfPresent(key, (k, state) -> {
                if (state.connections > 0 || state.published) {
                    roomChanges.computeIfAbsent(key.room(), r -> new HashMap<>()).put(key.userId(), Math.max(0, state.connections));
                }
                state.published = state.connections > 0;
                return state.connections > 0 ? state : null;
            });
        }
        return new PresenceDelta(node, member, seq, false, userChanges, roomChanges);
    }

    /** Everything this node has, for a node that asks; what it names counts as known to the others from now on. */
    PresenceDelta snapshot(String node, String member, long seq) {
        Map<String, PresenceDelta.UserState> all = new HashMap<>();
        for (String id : users.keySet()) {
            users.computeIfPresent(id, (key, user) -> {
                if (user.connections > 0) {
                    all.put(id, new PresenceDelta.UserState(user.role, user.storeId, user.since, user.connections));
                    user.published = true;
                }
                return user;
            });
        }
        Map<String, Map<String, Integer>> rooms = new HashMap<>();
        for (RoomMember key : members.keySet()) {
            members.computeIfPresent(key, (k, state) -> {
                if (state.connections > 0) {
                    rooms.computeIfAbsent(key.room(), r -> new HashMap<>()).put(key.userId(), state.connections);
                    state.published = true;
                }
                return state;
            });
        }
        return new PresenceDelta(node, member, seq, true, all, rooms);
    }
}
