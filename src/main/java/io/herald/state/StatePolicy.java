package io.herald.state;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.auth.Access;
import io.herald.auth.Principal;
import io.herald.auth.RoleMatrix;
import io.herald.bridge.ConnectionPolicy;
import io.herald.delivery.Connection;
import io.herald.delivery.filter.EventFilter;
import io.herald.presence.PresencePage;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.Set;

/**
 * {@code herald:state} on the bridge: {@code send} {@code {"type", "limit"?, "next"?, "filter"?}} answers a page of the type's keyed
 * state ({@link StateReader}) holding only the entries the connection may read (its role's access to the type, ownership
 * and targets as live delivery applies them); a role that may not read the type gets {@code access_denied}. The reply
 * goes out as any reply does, against the connection's outbound bound; at most {@value PresencePage#MAX_LIMIT} entries a page,
 * {@code limits.stateQueriesPerMinute} pages a minute per connection (counted before the state is read).
 */
public final class StatePolicy implements ConnectionPolicy {
    public static final String STATE = "herald:state";
    public static final String FILTER = "filter";

    private final RoleMatrix roles;
    /** {@code limits.stateQueriesPerMinute} per connection; each connection's bucket is made on its first query. */
    private final io.herald.limits.TokenBucket.Rate queryRate;
    private final Map<Connection, io.herald.limits.TokenBucket> queryBuckets = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile StateReader reader;

    public StatePolicy(RoleMatrix roles, int queriesPerMinute) {
        this.roles = roles;
        this.queryRate = io.herald.limits.TokenBucket.Rate.perMinute(queriesPerMinute, queriesPerMinute);
    }

    @Override
    public void onClose(Connection connection) {
        queryBuckets.remove(connection);
    }

    /** The node hands the reader over once history is open; until then {@code herald:state} answers {@code unavailable}. */
    public StatePolicy reader(StateReader reader) {
        this.reader = reader;
        return this;
    }

    /** The reader handed over, or null. */
    public StateReader stateReader() {
        return reader;
    }

    @Override
    public Map<String, ControlHandler> controls() {
        return Map.of(STATE, this::state);
    }

    private Future<JsonObject> state(Connection connection, JsonObject body) {
        if (!(body.getValue("type") instanceof String type) || type.isEmpty()) {
            throw new HeraldException(ErrorCode.INVALID_PARAMETER, "herald:state needs a string 'type'");
        }
        // a filter (docs/filters.md) only narrows what the role and ownership allow; a bad one is invalid_filter
        Object filterValue = body.getValue(FILTER);
        EventFilter filter = filterValue == null ? null : EventFilter.parse(filterValue);
        StateReader current = reader;
        if (current == null) {
            throw new HeraldException(ErrorCode.UNAVAILABLE, "state is not ready on this node yet");
        }
        current.checkKeyed(type);
        Principal who = connection.principal();
        Access access = roles.forRole(who.role()).readAccess(type);
        if (access == Access.NONE) {
            throw new HeraldException(ErrorCode.ACCESS_DENIED, "role " + who.role() + " may not read " + type);
        }
        long now = io.herald.limits.TokenBucket.MONOTONIC_MILLIS.getAsLong();
        io.herald.limits.TokenBucket bucket = queryBuckets.computeIfAbsent(connection, c -> new io.herald.limits.TokenBucket(queryRate, now));
        if (!bucket.has(1, now)) {
            throw new HeraldException(ErrorCode.RATE_LIMITED, "at most " + Math.round(queryRate.perMilli() * 60_000)
                    + " state pages a minute (limits.stateQueriesPerMinute)");
        }
        bucket.take(1);
        java.util.function.Predicate<io.herald.history.StateEntry> readable = StateAccess.reader(access, who.userId(), who.role(),
                Set.copyOf(connection.rooms()));
        if (filter != null) {
            readable = readable.and(entry -> filter.matches(type, entry.envelope()));
        }
        return current.read(type, body.getValue(PresencePage.LIMIT), body.getValue(PresencePage.NEXT), readable);
    }
}
