package io.herald.presence;

import io.herald.Addresses;
import io.herald.Counters;
import io.herald.auth.Principal;
import io.herald.delivery.BridgeFrames;
import io.herald.delivery.Connection;
import io.herald.delivery.Utf8;
import io.herald.delivery.WriteCoalescer;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Room signals on this node ({@code herald:signal}: typing and the like). A member's signal is kept here
 * ({@link SignalStore}), written to the other members on this node that registered {@code herald:signal} (each event
 * loop's {@link SignalListeners}, the frame encoded once for all of them), and published once to the other nodes
 * ({@link Addresses#SIGNAL}), whose one consumer each ({@link SignalVerticle}) does the same there. Never kept in history.
 * The sending connection does not get its own signal (its user's other connections do), as Socket.IO's broadcast.
 */
public final class Signals {
    /** The control address clients send signals to and register to receive them on. */
    public static final String ADDRESS = "herald:signal";

    private final EventBus bus;
    private final String nodeId;
    private final RoomRules rules;
    private final SignalStore store;
    private final Counters stats;
    /** Wall-clock ms: {@code expiresAt} crosses nodes. */
    private final LongSupplier clock;
    /** Each event loop's listeners, by its thread (a handler may run on any context of the loop; all share the thread). */
    private final Map<Thread, Loop> loops = new ConcurrentHashMap<>();

    /** One event loop's part: its listeners and a writer that flushes what it wrote as the fan-out does. */
    private final class Loop {
        final Context context;
        final Thread thread = Thread.currentThread();
        final SignalListeners listeners = new SignalListeners(rules::membersSeeEachOther);
        final WriteCoalescer writes;

        Loop(Context context) {
            this.context = context;
            this.writes = new WriteCoalescer(new WriteCoalescer.Loop() {
                @Override
                public void runSoon(Runnable task) {
                    context.runOnContext(v -> task.run());
                }

                @Override
                public void runAfter(long delayMs, Runnable task) {
                    context.owner().setTimer(delayMs, id -> task.run());
                }
            }, 0);
        }

        void deliver(String room, String frame, int bytes, Connection except) {
            Connection[] members = listeners.members(room);
            if (members.length == 0) {
                return;
            }
            int written = writes.writeOnce(frame, members, except);
            if (stats != null && written > 0) {
                stats.framesOut(written, (long) written * bytes);
            }
        }
    }

    public Signals(EventBus bus, String nodeId, RoomRules rules, SignalStore store, Counters stats, LongSupplier clock) {
        this.bus = bus;
        this.nodeId = nodeId;
        this.rules = rules;
        this.store = store;
        this.stats = stats;
        this.clock = clock;
    }

    public SignalStore store() {
        return store;
    }

    /** Whether signals may be sent in {@code room}: its rule shows its members to each other. */
    public boolean signalRoom(String room) {
        return rules.membersSeeEachOther(room);
    }

    /** The connection registered {@code herald:signal}: it gets the signals of its signal rooms, now and as it joins. */
    void register(Connection connection) {
        loops.computeIfAbsent(Thread.currentThread(), t -> new Loop(Vertx.currentContext())).listeners.register(connection);
    }

    void unregister(Connection connection) {
        Loop loop = loops.get(Thread.currentThread());
        if (loop != null) {
            loop.listeners.unregister(connection);
        }
    }

    void joined(Connection connection, String room) {
        Loop loop = loops.get(Thread.currentThread());
        if (loop != null) {
            loop.listeners.joined(connection, room);
        }
    }

    void left(Connection connection, String room) {
        Loop loop = loops.get(Thread.currentThread());
        if (loop != null) {
            loop.listeners.left(connection, room);
        }
    }

    /** The room's current signals, for a join's reply. */
    JsonArray current(String room) {
        return store.current(room);
    }

    /**
     * A member's checked signal: kept, written to the room's other members on this node, published to the other nodes.
     * Answers its {@code expiresAt}.
     */
    long send(Connection from, SignalRequest request) {
        Principal who = from.principal();
        long expiresAt = clock.getAsLong() + request.ttlMs();
        String body = "{\"room\":" + Json.encode(request.room())
                + ",\"from\":" + new JsonObject().put("userId", who.userId()).put("role", who.role()).encode()
                + ",\"data\":" + request.dataJson() + ",\"expiresAt\":" + expiresAt + "}";
        heard(request.room(), who.userId(), expiresAt, body, from);
        bus.publish(Addresses.SIGNAL, new JsonObject().put("node", nodeId).put("room", request.room()).put("sender", who.userId())
                .put("expiresAt", expiresAt).put("body", body));
        return expiresAt;
    }

    /** A signal published by a node ({@link Addresses#SIGNAL}); this node's own were handled when sent. */
    public void received(JsonObject message) {
        if (nodeId.equals(message.getString("node")) || !(message.getValue("room") instanceof String room)
                || !(message.getValue("expiresAt") instanceof Number expiresAt) || !(message.getValue("body") instanceof String body)) {
            return;
        }
        heard(room, message.getString("sender"), expiresAt.longValue(), body, null);
    }

    private void heard(String room, String sender, long expiresAt, String body, Connection except) {
        store.keep(room, sender, expiresAt, body);
        String frame = BridgeFrames.rec(ADDRESS, body);
        int bytes = Utf8.length(frame);
        Thread current = Thread.currentThread();
        for (Loop loop : loops.values()) {
            if (loop.thread == current) {
                loop.deliver(room, frame, bytes, except);
            } else {
                loop.context.runOnContext(v -> loop.deliver(room, frame, bytes, except));
            }
        }
    }
}
