package io.herald.presence;

import io.herald.Addresses;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.auth.Principal;
import io.herald.delivery.Connection;
import io.herald.bridge.ConnectionPolicy;
import io.herald.delivery.Refresh;
import io.herald.limits.TokenBucket;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rooms and presence on the bridge. A connection opens in its token's {@code rooms} (at most {@code maxPerConnection}, named as a join's; and is always in its
 * automatic rooms {@code user:<sub>} and {@code role:<role>}, which events match from the token); {@code herald:join} / {@code herald:leave}
 * {@code {"room":…}} add and remove others as {@code conf/rooms.json} allows, and membership ends with the
 * socket. {@code herald:presence} answers who is online ({@code {}}, for the roles of
 * {@code rooms.presenceRoles}) or who is in a room (also for its members, where they see each other).
 * Connections, joins and leaves are counted in this node's part of presence, unless presence is off.
 */
public final class PresencePolicy implements ConnectionPolicy {
    public static final String JOIN = "herald:join";
    public static final String LEAVE = "herald:leave";
    public static final String PRESENCE = "herald:presence";

    private final RoomRules rules;
    /** Null when presence is off: rooms still work, nobody is counted. */
    private final LocalPresence local;
    private final EventBus bus;
    /** {@code limits.presenceQueriesPerMinute} per connection; each connection's bucket is made on its first query. */
    private final TokenBucket.Rate queryRate;
    private final Map<Connection, TokenBucket> queryBuckets = new ConcurrentHashMap<>();
    /** Room signals ({@code herald:signal}): told of joins and leaves; a join's reply carries the room's current ones. Null: none. */
    private final Signals signals;

    public PresencePolicy(RoomRules rules, LocalPresence local, EventBus bus) {
        this(rules, local, bus, 30);
    }

    public PresencePolicy(RoomRules rules, LocalPresence local, EventBus bus, int queriesPerMinute) {
        this(rules, local, bus, queriesPerMinute, null);
    }

    public PresencePolicy(RoomRules rules, LocalPresence local, EventBus bus, int queriesPerMinute, Signals signals) {
        this.signals = signals;
        this.rules = rules;
        this.local = local;
        this.bus = bus;
        this.queryRate = TokenBucket.Rate.perMinute(queriesPerMinute, queriesPerMinute);
    }

    @Override
    public Future<Void> onOpen(Connection connection) {
        Principal who = connection.principal();
        if (local != null) {
            local.opened(who, System.currentTimeMillis());
        }
        for (String room : who.rooms()) {
            if (!RoomRules.isAutomatic(room) && connection.join(room) && local != null) {
                local.joined(room, who);
            }
        }
        return Future.succeededFuture();
    }

    /**
     * The token's {@code rooms} claim: at most {@code maxPerConnection} rooms ({@code too_many_rooms}), each named as a
     * join's must be ({@code token_invalid}); the connection (or the refresh) is refused otherwise.
     */
    @Override
    public void checkClaims(Connection connection, Principal claims) {
        if (claims.rooms().size() > rules.maxPerConnection()) {
            throw new HeraldException(ErrorCode.TOO_MANY_ROOMS, "the token's rooms claim names " + claims.rooms().size()
                    + " rooms; a connection may be in at most " + rules.maxPerConnection());
        }
        for (String room : claims.rooms()) {
            try {
                RoomRules.checkName(room);
            } catch (HeraldException invalid) {
                throw new HeraldException(ErrorCode.TOKEN_INVALID, "the token's rooms claim holds an invalid room name: room names have 1 to "
                        + RoomRules.MAX_ROOM_LENGTH + " characters, letters, digits and : _ - . @ only");
            }
        }
    }

    /**
     * A refreshed token: the connection leaves the rooms the new claims do not allow (neither in its new
     * {@code rooms} claim nor joinable by its new role and claims), whether it joined them or the old token named
     * them, and enters the rooms of the new claim; presence knows it by its new role.
     */
    @Override
    public void onRefresh(Connection connection, Refresh refresh) {
        Principal previous = refresh.previous();
        Principal now = connection.principal();
        for (String room : new ArrayList<>(connection.rooms())) {
            if (!now.rooms().contains(room) && !rules.mayJoin(now, room)) {
                connection.leave(room);
                if (signals != null) {
                    signals.left(connection, room);
                }
                if (local != null) {
                    local.left(room, previous);
                }
                refresh.leftRoom(room);
            }
        }
        for (String room : now.rooms()) {
            if (!RoomRules.isAutomatic(room) && connection.join(room)) {
                if (signals != null) {
                    signals.joined(connection, room);
                }
                if (local != null) {
                    local.joined(room, now);
                }
            }
        }
        if (local != null) {
            local.refreshed(now);
        }
    }

    @Override
    public void onClose(Connection connection) {
        queryBuckets.remove(connection);
        if (local == null) {
            return;
        }
        Principal who = connection.principal();
        for (String room : connection.rooms()) {
            local.left(room, who);
        }
        local.closed(who);
    }

    @Override
    public Map<String, ControlHandler> controls() {
        return Map.of(JOIN, this::join, LEAVE, this::leave, PRESENCE, this::presence);
    }

    private Future<JsonObject> join(Connection connection, JsonObject body) {
        String room = RoomRules.checkName(body.getValue("room"));
        Principal who = connection.principal();
        JsonObject joined = new JsonObject().put("room", room).put("joined", true);
        if (signals != null && signals.signalRoom(room)) {
            // the room's current signals (typing, …): what a member that joins now has missed of them
            joined.put("signals", signals.current(room));
        }
        if (connection.inRoom(room) || RoomRules.automaticRooms(who).contains(room)) {
            return Future.succeededFuture(joined);
        }
        if (RoomRules.isAutomatic(room) || !rules.mayJoin(who, room)) {
            throw new HeraldException(ErrorCode.ACCESS_DENIED, "role " + who.role() + " may not join room " + room);
        }
        if (connection.rooms().size() >= rules.maxPerConnection()) {
            throw new HeraldException(ErrorCode.TOO_MANY_ROOMS, "a connection may be in at most " + rules.maxPerConnection() + " rooms");
        }
        connection.join(room);
        if (signals != null) {
            signals.joined(connection, room);
        }
        if (local != null) {
            local.joined(room, who);
        }
        return Future.succeededFuture(joined);
    }

    private Future<JsonObject> leave(Connection connection, JsonObject body) {
        String room = RoomRules.checkName(body.getValue("room"));
        if (RoomRules.isAutomatic(room)) {
            throw new HeraldException(ErrorCode.ACCESS_DENIED, "room " + room + " is automatic: a connection stays in it");
        }
        if (connection.leave(room)) {
            if (signals != null) {
                signals.left(connection, room);
            }
            if (local != null) {
                local.left(room, connection.principal());
            }
        }
        return Future.succeededFuture(new JsonObject().put("room", room).put("joined", false));
    }

    private Future<JsonObject> presence(Connection connection, JsonObject body) {
        Object room = body.getValue("room");
        String role = connection.principal().role();
        if (room != null) {
            String name = RoomRules.checkName(room);
            boolean member = connection.inRoom(name) && rules.membersSeeEachOther(name);
            if (!member && !rules.maySeePresence(role)) {
                throw new HeraldException(ErrorCode.ACCESS_DENIED, "role " + role + " may not see who is in room " + name);
            }
        } else if (!rules.maySeePresence(role)) {
            throw new HeraldException(ErrorCode.ACCESS_DENIED, "role " + role + " may not see who is online");
        }
        if (local == null) {
            throw new HeraldException(ErrorCode.UNAVAILABLE, "presence is off on this hub (presence.enabled)");
        }
        PresencePage page = PresencePage.of(body.getValue(PresencePage.LIMIT), body.getValue(PresencePage.NEXT));
        long now = TokenBucket.MONOTONIC_MILLIS.getAsLong();
        TokenBucket bucket = queryBuckets.computeIfAbsent(connection, c -> new TokenBucket(queryRate, now));
        if (!bucket.has(1, now)) {
            throw new HeraldException(ErrorCode.RATE_LIMITED, "at most " + Math.round(queryRate.perMilli() * 60_000)
                    + " presence queries a minute (limits.presenceQueriesPerMinute)");
        }
        bucket.take(1);
        return bus.<JsonObject>request(Addresses.PRESENCE_QUERY, page.into(room == null ? new JsonObject() : new JsonObject().put("room", room)))
                .map(reply -> reply.body())
                .recover(err -> Future.failedFuture(new HeraldException(ErrorCode.UNAVAILABLE, "presence cannot be read now")));
    }
}
