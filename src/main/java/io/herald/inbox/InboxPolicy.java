package io.herald.inbox;

import io.herald.Addresses;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.auth.Principal;
import io.herald.auth.RoleMatrix;
import io.herald.auth.RolePermissions;
import io.herald.bridge.ConnectionPolicy;
import io.herald.delivery.Connection;
import io.herald.history.InboxEntry;
import io.herald.limits.TokenBucket;
import io.herald.presence.PresencePage;
import io.herald.state.StateAccess;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The per-user inbox on the bridge (docs/backends.md, "Per-user inbox"): {@code send} to {@code herald:inbox}
 * {@code {"limit"?, "next"?}} answers a page of the connection's user's inbox holding only the entries the connection may
 * read now (its role's access to each entry's type, ownership and targets, as live delivery applies them: a role that
 * may no longer read a type does not see its entries); {@code herald:ack} {@code {"ids": […]}} removes entries
 * ({@code {"acked": n}}). Both count against {@code inbox.requestsPerMinute} per connection ({@code rate_limited}),
 * besides the frame rate; replies go out as any reply does, against the connection's outbound bound. An anonymous
 * connection has no inbox ({@code access_denied}).
 */
public final class InboxPolicy implements ConnectionPolicy {
    private final RoleMatrix roles;
    private final TokenBucket.Rate rate;
    private final LongSupplier clock;
    private final Map<Connection, TokenBucket> buckets = new ConcurrentHashMap<>();
    private volatile InboxReader reader;

    public InboxPolicy(RoleMatrix roles, int requestsPerMinute, LongSupplier clock) {
        this.roles = roles;
        this.rate = TokenBucket.Rate.perMinute(requestsPerMinute, requestsPerMinute);
        this.clock = clock;
    }

    /** The node hands the reader over once the inbox is open; until then both addresses answer {@code unavailable}. */
    public InboxPolicy reader(InboxReader reader) {
        this.reader = reader;
        return this;
    }

    /** The reader handed over, or null. */
    public InboxReader inboxReader() {
        return reader;
    }

    @Override
    public Map<String, ControlHandler> controls() {
        return Map.of(Addresses.INBOX, this::inbox, Addresses.INBOX_ACK, this::ack);
    }

    @Override
    public void onClose(Connection connection) {
        buckets.remove(connection);
    }

    private Future<JsonObject> inbox(Connection connection, JsonObject body) {
        // bad input is refused before it costs a token
        InboxReader.checkPage(body.getValue(PresencePage.LIMIT), body.getValue(PresencePage.NEXT));
        InboxReader current = admit(connection, Addresses.INBOX);
        Principal who = connection.principal();
        return current.read(who.userId(), body.getValue(PresencePage.LIMIT), body.getValue(PresencePage.NEXT),
                readable(current.targets(), roles.forRole(who.role()), who.userId(), who.role(), Set.copyOf(connection.rooms())));
    }

    private Future<JsonObject> ack(Connection connection, JsonObject body) {
        InboxReader.ids(body.getValue(InboxReader.IDS));
        InboxReader current = admit(connection, Addresses.INBOX_ACK);
        return current.ack(connection.principal().userId(), body.getValue(InboxReader.IDS));
    }

    /** What a reader of this role, user and rooms may read of an inbox: each entry as its live delivery would be decided. */
    static Predicate<InboxEntry> readable(io.herald.state.TargetCache targets, RolePermissions permissions, String userId, String role,
                                          Set<String> rooms) {
        if (permissions == null) {
            return entry -> false; // a role the matrix does not define reads nothing
        }
        return entry -> StateAccess.readable(targets, entry.ownerId(), entry.target(), permissions.readAccess(entry.type()), userId, role, rooms);
    }

    private InboxReader admit(Connection connection, String address) {
        Principal who = connection.principal();
        if (who.isAnonymous() || who.userId() == null) {
            throw new HeraldException(ErrorCode.ACCESS_DENIED, "an anonymous connection has no inbox (" + address + ")");
        }
        InboxReader current = reader;
        if (current == null) {
            throw new HeraldException(ErrorCode.UNAVAILABLE, "the inbox is not ready on this node yet");
        }
        long now = clock.getAsLong();
        TokenBucket bucket = buckets.computeIfAbsent(connection, c -> new TokenBucket(rate, now));
        if (!bucket.tryTake(now)) {
            throw new HeraldException(ErrorCode.RATE_LIMITED, "at most " + Math.round(rate.perMilli() * 60_000)
                    + " inbox requests a minute (inbox.requestsPerMinute)");
        }
        return current;
    }
}
