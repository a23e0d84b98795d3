package io.herald.auth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's copy of the revocations ({@code POST /api/disconnect} with {@code revokeTokensIssuedBefore}): user id
 * → the time (epoch seconds) before which that user's tokens are refused, until the entry expires
 * ({@code auth.maxTokenLifetimeSeconds} after it was made). Clustered, the entries live in a Hazelcast map with
 * that TTL and reach this copy through an entry listener; the check at connect and refresh reads only this copy.
 * Thread-safe: read by every auth instance, written by the revocation verticle and Hazelcast's event threads.
 */
public final class Revocations {
    /** One user's revocation: tokens issued before {@code before} (seconds) are refused until {@code expiresAtMs}. */
    public record Entry(long before, long expiresAtMs) {
    }

    private final Map<String, Entry> byUser = new ConcurrentHashMap<>();

    /** Records (or strengthens: the later cutoff wins) a user's revocation. */
    public void put(String userId, long before, long expiresAtMs) {
        byUser.merge(userId, new Entry(before, expiresAtMs),
                (old, added) -> new Entry(Math.max(old.before(), added.before()), Math.max(old.expiresAtMs(), added.expiresAtMs())));
    }

    /** Sets a user's revocation as the cluster's map holds it (its value wins over this copy's). */
    public void replace(String userId, long before, long expiresAtMs) {
        byUser.put(userId, new Entry(before, expiresAtMs));
    }

    public void remove(String userId) {
        byUser.remove(userId);
    }

    /** The cutoff in force for a user (epoch seconds), or 0 for none. */
    public long cutoff(String userId, long nowMs) {
        Entry entry = userId == null ? null : byUser.get(userId);
        return entry == null || entry.expiresAtMs() <= nowMs ? 0 : entry.before();
    }

    /** Whether a verified token is revoked: its user has a live entry and its {@code iat} is earlier, or missing. */
    public boolean revoked(Principal principal, long nowMs) {
        long cutoff = cutoff(principal.userId(), nowMs);
        return cutoff > 0 && (principal.issuedAt() <= 0 || principal.issuedAt() < cutoff);
    }

    /** Drops expired entries; answers how many are left. */
    public int sweep(long nowMs) {
        byUser.values().removeIf(entry -> entry.expiresAtMs() <= nowMs);
        return byUser.size();
    }

    public int size() {
        return byUser.size();
    }
}
