package io.herald.auth;

import io.herald.config.HeraldConfig;

import java.util.Locale;

/**
 * When the JWKS is fetched again, as plain arithmetic on a clock given by the caller (tests move it by hand):
 * after a success, the response's {@code Cache-Control} max-age bounded by {@code auth.jwksMinRefreshSeconds} and
 * {@code auth.jwksMaxRefreshSeconds} (no max-age: the upper bound; {@code no-cache}/{@code no-store}: the lower);
 * after a failure, a backoff from 1 s doubling to {@value #MAX_BACKOFF_MS} ms (or the upper bound, when lower); and
 * a token with an unknown {@code kid} may cause one fetch per {@code auth.jwksMinRefetchSeconds}. Not thread-safe:
 * {@link JwksKeys} holds it under its lock.
 */
public final class JwksSchedule {
    static final long FIRST_BACKOFF_MS = 1000;
    static final long MAX_BACKOFF_MS = 60_000;

    private final long minRefetchMs;
    private final long minRefreshMs;
    private final long maxRefreshMs;
    private int failuresInARow;
    private long lastUnknownKidFetch = Long.MIN_VALUE;

    public JwksSchedule(HeraldConfig.Jwks config) {
        this.minRefetchMs = config.minRefetchSeconds() * 1000L;
        this.minRefreshMs = config.minRefreshSeconds() * 1000L;
        this.maxRefreshMs = config.maxRefreshSeconds() * 1000L;
    }

    /** A fetch succeeded with this {@code Cache-Control} header (or null): the wait until the next one. */
    public long afterSuccess(String cacheControl) {
        failuresInARow = 0;
        long maxAge = maxAgeSeconds(cacheControl);
        long wanted = maxAge < 0 ? maxRefreshMs : maxAge * 1000;
        return Math.max(minRefreshMs, Math.min(maxRefreshMs, wanted));
    }

    /** A fetch failed: the wait until the next attempt (1 s, 2 s, 4 s, … at most a minute). */
    public long afterFailure() {
        failuresInARow++;
        long cap = Math.min(MAX_BACKOFF_MS, Math.max(FIRST_BACKOFF_MS, maxRefreshMs));
        long delay = FIRST_BACKOFF_MS;
        for (int i = 1; i < failuresInARow && delay < cap; i++) {
            delay *= 2;
        }
        return Math.min(delay, cap);
    }

    public int failuresInARow() {
        return failuresInARow;
    }

    /** A token names a {@code kid} the set lacks, at {@code nowMs}: whether it may fetch the set again (and if so, counts it). */
    public boolean mayRefetchForUnknownKid(long nowMs) {
        if (lastUnknownKidFetch != Long.MIN_VALUE && nowMs - lastUnknownKidFetch < minRefetchMs) {
            return false;
        }
        lastUnknownKidFetch = nowMs;
        return true;
    }

    /** The max-age of a {@code Cache-Control} header in seconds: 0 for no-cache or no-store, -1 for none (or unreadable). */
    static long maxAgeSeconds(String cacheControl) {
        if (cacheControl == null) {
            return -1;
        }
        long maxAge = -1;
        for (String directive : cacheControl.split(",")) {
            String d = directive.trim().toLowerCase(Locale.ROOT);
            if (d.equals("no-cache") || d.equals("no-store")) {
                return 0;
            }
            if (d.startsWith("max-age=")) {
                try {
                    maxAge = Long.parseLong(d.substring("max-age=".length()).replace("\"", "").trim());
                } catch (NumberFormatException e) {
                    maxAge = -1;
                }
            }
        }
        return maxAge < 0 ? -1 : maxAge;
    }
}
