package io.herald.history;

import io.vertx.core.Future;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The idempotency keys of a node without a cluster ({@code HERALD_CLUSTER=false}), in memory, with the same
 * {@link IdempotencyState} as the cluster's; expired keys are swept at most once a second, so memory holds what
 * one window publishes.
 */
public final class LocalIdempotencyStore implements IdempotencyStore {
    private static final long SWEEP_EVERY_MS = 1000;

    private final Map<String, String> entries = new ConcurrentHashMap<>();
    /**
     * Every claim's key with the time its lease runs out, and every record's with the end of its window, each in the order
     * they were made: the lease and the window are fixed, so each queue runs out in that order, and a sweep takes from
     * their heads only what has run out (it walked every key, parsing each, once a second: at the benchmark's rate,
     * millions of keys on the event loop).
     */
    private final java.util.ArrayDeque<Expiry> leases = new java.util.ArrayDeque<>();
    private final java.util.ArrayDeque<Expiry> windows = new java.util.ArrayDeque<>();

    private record Expiry(String key, long at) {
    }

    private final long windowMs;
    private final LongSupplier clock;
    private volatile long nextSweep;

    public LocalIdempotencyStore(long windowMs) {
        this(windowMs, System::currentTimeMillis);
    }

    LocalIdempotencyStore(long windowMs, LongSupplier clock) {
        this.windowMs = windowMs;
        this.clock = clock;
    }

    @Override
    public Future<Map<String, IdempotencyState.Outcome>> claim(Map<String, String[]> claims) {
        long now = clock.getAsLong();
        sweep(now);
        Map<String, IdempotencyState.Outcome> outcomes = new HashMap<>();
        // one node, one member that never leaves: a claim is taken over only after its lease (an append stalled that long),
        // and is kept for the window so that the taker still learns its id
        long keep = Math.max(windowMs, LEASE_MS);
        claims.forEach((key, claim) -> outcomes.put(key, apply(key, current -> IdempotencyState.claim(current, claim[0], claim[1], "local",
                now, LEASE_MS, keep, member -> false))));
        expire(leases, claims.keySet(), now + keep);
        return Future.succeededFuture(outcomes);
    }

    @Override
    public Future<Void> record(Map<String, String[]> answers) {
        long now = clock.getAsLong();
        answers.forEach((key, answer) -> apply(key, current -> IdempotencyState.record(current, answer[0], answer[1], now, windowMs)));
        expire(windows, answers.keySet(), now + windowMs);
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> release(Map<String, String> hashes) {
        long now = clock.getAsLong();
        long keep = Math.max(windowMs, LEASE_MS);
        hashes.forEach((key, hash) -> apply(key, current -> IdempotencyState.release(current, hash, "local", now, keep)));
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> withdraw(Map<String, String[]> claims) {
        claims.forEach((key, claim) -> apply(key, current -> IdempotencyState.withdraw(current, claim[0], claim[1], "local")));
        return Future.succeededFuture();
    }

    /** Keys held (expired ones included until the next sweep). */
    int size() {
        return entries.size();
    }

    private IdempotencyState.Outcome apply(String key, java.util.function.Function<String, IdempotencyState.Step> step) {
        IdempotencyState.Outcome[] outcome = new IdempotencyState.Outcome[1];
        entries.compute(key, (k, current) -> {
            IdempotencyState.Step s = step.apply(current);
            outcome[0] = s.outcome();
            return s.remove() ? null : s.value() != null ? s.value() : current;
        });
        return outcome[0];
    }

    private synchronized void expire(java.util.ArrayDeque<Expiry> queue, java.util.Set<String> keys, long at) {
        for (String key : keys) {
            queue.addLast(new Expiry(key, at));
        }
    }

    private synchronized void sweep(long now) {
        if (now < nextSweep) {
            return;
        }
        nextSweep = now + SWEEP_EVERY_MS;
        for (java.util.ArrayDeque<Expiry> queue : List.of(leases, windows)) {
            while (!queue.isEmpty() && queue.peekFirst().at() <= now) {
                // the key may have been claimed or recorded again since: it goes only if what it holds now has run out
                entries.computeIfPresent(queue.pollFirst().key(), (key, value) -> IdempotencyState.expired(value, now) ? null : value);
            }
        }
    }
}
