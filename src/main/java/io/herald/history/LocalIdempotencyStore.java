package io.herald.history;

import io.vertx.core.Future;

import java.util.HashMap;
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
    public Future<Map<String, IdempotencyState.Outcome>> claim(Map<String, String> hashes) {
        long now = clock.getAsLong();
        sweep(now);
        Map<String, IdempotencyState.Outcome> outcomes = new HashMap<>();
        hashes.forEach((key, hash) -> outcomes.put(key, apply(key, current -> IdempotencyState.claim(current, hash, now, LEASE_MS))));
        return Future.succeededFuture(outcomes);
    }

    @Override
    public Future<Void> record(Map<String, String[]> answers) {
        long now = clock.getAsLong();
        answers.forEach((key, answer) -> apply(key, current -> IdempotencyState.record(current, answer[0], answer[1], now, windowMs)));
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> release(Map<String, String> hashes) {
        hashes.forEach((key, hash) -> apply(key, current -> IdempotencyState.release(current, hash)));
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

    private void sweep(long now) {
        if (now < nextSweep) {
            return;
        }
        nextSweep = now + SWEEP_EVERY_MS;
        entries.values().removeIf(value -> IdempotencyState.expired(value, now));
    }
}
