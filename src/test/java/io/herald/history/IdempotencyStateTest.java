package io.herald.history;

import io.herald.history.IdempotencyState.Kind;
import io.herald.history.IdempotencyState.Outcome;
import io.herald.history.IdempotencyState.Step;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The claim / answer state machine of one idempotency key, with a fake clock. */
class IdempotencyStateTest {
    static final long LEASE = 30_000;
    static final long WINDOW = 600_000;
    static final String ANSWER = "{\"id\":\"e-1\",\"seq\":7,\"epoch\":\"ep\"}";

    @Test
    void aFreeKeyIsClaimedForTheLease() {
        Step step = IdempotencyState.claim(null, "h1", 1000, LEASE);
        assertEquals(Kind.CLAIMED, step.outcome().kind());
        assertEquals(LEASE, step.ttlMs());
        assertFalse(IdempotencyState.expired(step.value(), 1000 + LEASE - 1));
        assertTrue(IdempotencyState.expired(step.value(), 1000 + LEASE));
    }

    @Test
    void aClaimedKeyIsInFlightForTheSameBodyAndAConflictForAnother() {
        String claimed = IdempotencyState.claim(null, "h1", 1000, LEASE).value();
        Step again = IdempotencyState.claim(claimed, "h1", 2000, LEASE);
        assertEquals(Kind.IN_FLIGHT, again.outcome().kind());
        assertNull(again.value(), "a repeat changes nothing");
        assertEquals(Kind.CONFLICT, IdempotencyState.claim(claimed, "h2", 2000, LEASE).outcome().kind());
    }

    @Test
    void aRecordedAnswerIsGivenAgainForTheWindowAndOnlyForTheSameBody() {
        String claimed = IdempotencyState.claim(null, "h1", 1000, LEASE).value();
        Step recorded = IdempotencyState.record(claimed, "h1", ANSWER, 1500, WINDOW);
        assertEquals(WINDOW, recorded.ttlMs());
        Step repeat = IdempotencyState.claim(recorded.value(), "h1", 1500 + WINDOW - 1, LEASE);
        assertEquals(new Outcome(Kind.DONE, ANSWER), repeat.outcome());
        assertNull(repeat.value());
        assertEquals(Kind.CONFLICT, IdempotencyState.claim(recorded.value(), "h2", 2000, LEASE).outcome().kind());
        // past the window the key is free again
        assertEquals(Kind.CLAIMED, IdempotencyState.claim(recorded.value(), "h2", 1500 + WINDOW, LEASE).outcome().kind());
    }

    @Test
    void anAnswerIsNeverReplaced() {
        String done = IdempotencyState.record(null, "h1", ANSWER, 1000, WINDOW).value();
        Step second = IdempotencyState.record(done, "h1", "{\"id\":\"other\"}", 2000, WINDOW);
        assertEquals(ANSWER, second.outcome().answer());
        assertNull(second.value());
    }

    @Test
    void aFailedPublishReleasesItsClaimSoThatTheRetryPublishes() {
        String claimed = IdempotencyState.claim(null, "h1", 1000, LEASE).value();
        assertTrue(IdempotencyState.release(claimed, "h1").remove());
        assertFalse(IdempotencyState.release(claimed, "h2").remove(), "only the claim of the same body");
        String done = IdempotencyState.record(claimed, "h1", ANSWER, 1000, WINDOW).value();
        assertFalse(IdempotencyState.release(done, "h1").remove(), "an answer is never released");
    }

    @Test
    void aClaimWhoseNodeDiedFreesTheKeyAfterItsLease() {
        String claimed = IdempotencyState.claim(null, "h1", 1000, LEASE).value();
        assertEquals(Kind.IN_FLIGHT, IdempotencyState.claim(claimed, "h1", 1000 + LEASE - 1, LEASE).outcome().kind());
        Step taken = IdempotencyState.claim(claimed, "h1", 1000 + LEASE, LEASE);
        assertEquals(Kind.CLAIMED, taken.outcome().kind());
        // and a body of another hash may claim an expired key too
        assertEquals(Kind.CLAIMED, IdempotencyState.claim(claimed, "h2", 1000 + LEASE, LEASE).outcome().kind());
    }

    @Test
    void outcomesCrossTheWireUnchanged() {
        for (Outcome outcome : new Outcome[]{Outcome.CLAIMED, Outcome.IN_FLIGHT, Outcome.CONFLICT, new Outcome(Kind.DONE, ANSWER)}) {
            assertEquals(outcome, Outcome.decode(outcome.encode()));
        }
    }

    @Test
    void theLocalStoreRunsTheSameMachineAndForgetsExpiredKeys() {
        AtomicLong now = new AtomicLong(1000);
        LocalIdempotencyStore store = new LocalIdempotencyStore(WINDOW, now::get);
        assertEquals(Kind.CLAIMED, store.claim(Map.of("k1", "h1", "k2", "h2")).result().get("k1").kind());
        assertEquals(Kind.IN_FLIGHT, store.claim(Map.of("k1", "h1")).result().get("k1").kind());
        store.record(Map.of("k1", new String[]{"h1", ANSWER}));
        store.release(Map.of("k2", "h2"));
        assertEquals(new Outcome(Kind.DONE, ANSWER), store.claim(Map.of("k1", "h1")).result().get("k1"));
        assertEquals(Kind.CONFLICT, store.claim(Map.of("k1", "other")).result().get("k1").kind());
        assertEquals(Kind.CLAIMED, store.claim(Map.of("k2", "h2")).result().get("k2").kind(), "released: a retry publishes");
        now.addAndGet(WINDOW + 1);
        store.claim(Map.of("k3", "h3"));
        assertEquals(1, store.size(), "expired keys are swept; only k3's claim is left");
    }

    @Test
    void aSweepTakesOnlyWhatHasRunOutAndKeepsAKeyRecordedSinceItsClaim() {
        AtomicLong now = new AtomicLong(1000);
        LocalIdempotencyStore store = new LocalIdempotencyStore(WINDOW, now::get);
        store.claim(Map.of("k1", "h1"));
        store.record(Map.of("k1", new String[]{"h1", ANSWER}));
        store.claim(Map.of("k2", "h2")); // never recorded: goes when its lease runs out
        now.addAndGet(IdempotencyStore.LEASE_MS + 1);
        store.claim(Map.of("k3", "h3"));
        assertEquals(2, store.size(), "k2's lease ran out; k1's claim ran out too, but its answer holds for the window");
        assertEquals(new Outcome(Kind.DONE, ANSWER), store.claim(Map.of("k1", "h1")).result().get("k1"));
    }
}
