package io.herald.history;

import io.vertx.core.Future;

import java.util.Map;

/**
 * Where publishes with an idempotency key are remembered, cluster-wide ({@link HazelcastIdempotencyStore}) or on a
 * single node ({@link LocalIdempotencyStore}). Keys are scoped by the caller ({@code "<scope>\n<key>"}); each call
 * takes many keys at once (one group commit's), so a batch costs a few calls, not one per event. Futures complete on
 * the caller's context. See {@link IdempotencyState} for what each step does to a key.
 */
public interface IdempotencyStore {
    /**
     * How long a claim holds a key for a publish in flight: a claim whose node is still in the cluster but silent is
     * taken over after that (one whose node left the cluster at once).
     */
    long LEASE_MS = 30_000;

    /**
     * Claims each key (key → {hash of its publish's body, the event id it would publish as}); answers each key's
     * outcome ({@link IdempotencyState.Kind#TAKEN_OVER} with the id to publish as instead).
     */
    Future<Map<String, IdempotencyState.Outcome>> claim(Map<String, String[]> claims);

    /** Records the answers (key → {@code {hash, answer}}) of publishes that claimed their keys and succeeded. */
    Future<Void> record(Map<String, String[]> answers);

    /** Frees keys (key → hash) whose publishes failed, if this node still holds their claims. */
    Future<Void> release(Map<String, String> hashes);

    /**
     * Removes this node's claims (key → {hash, event id}) of publishes it never sent to history (stopped before their
     * append): a retry claims them afresh.
     */
    Future<Void> withdraw(Map<String, String[]> claims);
}
