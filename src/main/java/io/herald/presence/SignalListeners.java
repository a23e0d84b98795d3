package io.herald.presence;

import io.herald.delivery.Connection;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One event loop's connections that registered {@code herald:signal}, by the signal rooms they are in: who a signal of a
 * room goes to on this loop, found without looking at the others. Kept as they register, join, leave and close. Touched
 * only on its event loop.
 */
final class SignalListeners {
    private static final Connection[] NONE = new Connection[0];
    /** Whether signals may be sent in a room (its members see each other): only those rooms are indexed. */
    private final Predicate<String> signalRoom;
    private final Set<Connection> registered = new HashSet<>();
    private final Map<String, Set<Connection>> byRoom = new HashMap<>();

    SignalListeners(Predicate<String> signalRoom) {
        this.signalRoom = signalRoom;
    }

    void register(Connection connection) {
        if (registered.add(connection)) {
            for (String room : connection.rooms()) {
                joined(connection, room);
            }
        }
    }

    void unregister(Connection connection) {
        if (registered.remove(connection)) {
            for (String room : connection.rooms()) {
                remove(room, connection);
            }
        }
    }

    /** The connection is in {@code room} now (a join, a token's rooms). */
    void joined(Connection connection, String room) {
        if (registered.contains(connection) && signalRoom.test(room)) {
            byRoom.computeIfAbsent(room, r -> new LinkedHashSet<>()).add(connection);
        }
    }

    void left(Connection connection, String room) {
        if (registered.contains(connection)) {
            remove(room, connection);
        }
    }

    private void remove(String room, Connection connection) {
        Set<Connection> members = byRoom.get(room);
        if (members != null && members.remove(connection) && members.isEmpty()) {
            byRoom.remove(room);
        }
    }

    /** The registered members of {@code room} on this loop (a copy: a write may close one). */
    Connection[] members(String room) {
        Set<Connection> members = byRoom.get(room);
        return members == null ? NONE : members.toArray(NONE);
    }

    int registered() {
        return registered.size();
    }

    int rooms() {
        return byRoom.size();
    }
}
