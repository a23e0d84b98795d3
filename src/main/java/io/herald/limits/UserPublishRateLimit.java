package io.herald.limits;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.auth.Principal;
import io.herald.delivery.Connection;
import io.herald.bridge.ConnectionPolicy;
import io.herald.bridge.PublishFrame;
import io.vertx.core.Future;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Client publishes per user per minute on this node ({@code limits.userPublishesPerMinute}), across all of the user's
 * connections: ten tabs share one allowance instead of having ten. Anonymous connections share one per client
 * address. A publish (or send) of a catalog type over the rate gets a {@code rate_limited} err addressed to it and
 * is not published; the connection stays open (its frame rate, {@link FrameRateLimit}, closes floods). One bucket per
 * user with connections here; a user's bucket outlives its last connection until it is full again, so reconnecting
 * does not refill it.
 */
public final class UserPublishRateLimit implements ConnectionPolicy {
    private static final class Entry {
        final TokenBucket bucket;
        int connections;

        Entry(TokenBucket bucket) {
            this.bucket = bucket;
        }
    }

    private final TokenBucket.Rate rate;
    private final LongSupplier clock;
    private final Map<String, Entry> byUser = new ConcurrentHashMap<>();
    private final Map<Connection, String> keys = new ConcurrentHashMap<>();

    public UserPublishRateLimit(int publishesPerMinute, LongSupplier clock) {
        this.rate = TokenBucket.Rate.perMinute(publishesPerMinute, publishesPerMinute);
        this.clock = clock;
    }

    /** Whose allowance a connection spends: its user's, or its client address's when anonymous. */
    static String keyOf(Principal principal, String remoteAddress) {
        return principal.isAnonymous() ? "ip:" + (remoteAddress == null ? "unknown" : remoteAddress) : "user:" + principal.userId();
    }

    @Override
    public Future<Void> onOpen(Connection connection) {
        String key = keyOf(connection.principal(), connection.remoteAddress());
        long now = clock.getAsLong();
        keys.put(connection, key);
        byUser.compute(key, (k, entry) -> {
            Entry e = entry != null ? entry : new Entry(new TokenBucket(rate, now));
            e.connections++;
            return e;
        });
        return Future.succeededFuture();
    }

    @Override
    public void onPublish(Connection connection, PublishFrame publish) {
        if (!publish.allowed()) {
            return; // refused anyway (access_denied): costs no allowance
        }
        String key = keys.get(connection);
        Entry entry = key == null ? null : byUser.get(key);
        if (entry == null) {
            throw new HeraldException(ErrorCode.RATE_LIMITED, "the connection is closed");
        }
        boolean taken;
        synchronized (entry) {
            taken = entry.bucket.tryTake(clock.getAsLong());
        }
        if (!taken) {
            throw new HeraldException(ErrorCode.RATE_LIMITED, "too many publishes from this user across its connections: slow down");
        }
    }

    @Override
    public void onClose(Connection connection) {
        String key = keys.remove(connection);
        if (key == null) {
            return;
        }
        long now = clock.getAsLong();
        byUser.computeIfPresent(key, (k, e) -> {
            e.connections--;
            return e.connections <= 0 && full(e, now) ? null : e;
        });
        if (byUser.size() > 2 * keys.size() + 1024) {
            byUser.entrySet().removeIf(en -> en.getValue().connections <= 0 && full(en.getValue(), now));
        }
    }

    private static boolean full(Entry e, long now) {
        synchronized (e) {
            return e.bucket.full(now);
        }
    }

    /** Users (and anonymous addresses) with a bucket (for tests). */
    public int tracked() {
        return byUser.size();
    }
}
