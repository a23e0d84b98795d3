package io.herald.history;

import io.herald.history.IdempotencyState.Kind;
import io.herald.history.IdempotencyState.Outcome;
import io.herald.history.IdempotencyState.Step;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The claim / answer state machine of one idempotency key, with a fake clock. */
class IdempotencyStateTest {
    static final long LEASE = 30_000;
    static final long WINDOW = 600_000;
    static String[] c(String hash) {
        return new String[]{hash, "e-" + hash};
    }

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

    static final Predicate<String> NOBODY_LEFT = member -> false;

    static Step claim(String current, String hash, String id, String member, long now, Predicate<String> gone) {
        return IdempotencyState.claim(current, hash, id, member, now, LEASE, WINDOW, gone);
    }

    @Test
    void aFailedPublishEndsItsClaimSoThatTheRetryTakesItOverAtOnce() {
        String claimed = claim(null, "h1", "e-1", "m1", 1000, NOBODY_LEFT).value();
        Step released = IdempotencyState.release(claimed, "h1", "m1", 1200, WINDOW);
        assertFalse(released.remove(), "the failed append may have landed: the claim keeps its id");
        assertEquals(WINDOW, released.ttlMs());
        assertTrue(IdempotencyState.expired(released.value(), 1200));
        Step retry = claim(released.value(), "h1", "e-2", "m2", 1300, NOBODY_LEFT);
        assertEquals(IdempotencyState.Outcome.takenOver("e-1", 1000), retry.outcome(), "no lease to wait for; the first id");
        assertNull(IdempotencyState.release(claimed, "h2", "m1", 1200, WINDOW).value(), "only the claim of the same body");
        assertFalse(IdempotencyState.release(claimed, "h2", "m1", 1200, WINDOW).remove());
        String done = IdempotencyState.record(claimed, "h1", ANSWER, 1000, WINDOW).value();
        assertNull(IdempotencyState.release(done, "h1", "m1", 1200, WINDOW).value(), "an answer is never released");
        assertFalse(IdempotencyState.release(done, "h1", "m1", 1200, WINDOW).remove());
    }

    @Test
    void aClaimNeverSentToHistoryIsWithdrawnOnlyByItsMemberWithItsId() {
        String claimed = claim(null, "h1", "e-1", "m1", 1000, NOBODY_LEFT).value();
        assertTrue(IdempotencyState.withdraw(claimed, "h1", "e-1", "m1").remove(), "removed: a retry claims afresh");
        assertFalse(IdempotencyState.withdraw(claimed, "h1", "e-1", "m2").remove(), "another member's claim stays");
        assertFalse(IdempotencyState.withdraw(claimed, "h1", "e-2", "m1").remove(), "a claim of another id (taken over) stays");
        assertFalse(IdempotencyState.withdraw(claimed, "h2", "e-1", "m1").remove(), "another body's claim stays");
        String done = IdempotencyState.record(claimed, "h1", ANSWER, 1500, WINDOW).value();
        assertFalse(IdempotencyState.withdraw(done, "h1", "e-1", "m1").remove(), "an answer is never withdrawn");
        assertFalse(IdempotencyState.withdraw(null, "h1", "e-1", "m1").remove());
    }

    @Test
    void aClaimantThatFailsAfterATakeoverLeavesTheTakersClaimAlone() {
        String first = claim(null, "h1", "e-1", "m1", 1000, NOBODY_LEFT).value();
        String taken = claim(first, "h1", "e-2", "m2", 2000, member -> member.equals("m1")).value();
        Step late = IdempotencyState.release(taken, "h1", "m1", 3000, WINDOW);
        assertNull(late.value());
        assertFalse(late.remove());
        assertEquals(Kind.IN_FLIGHT, claim(taken, "h1", "e-3", "m3", 3000, member -> member.equals("m1")).outcome().kind(),
                "the taker (m2) is still there: its claim holds");
    }

    @Test
    void aClaimCarriesTheEventIdItsTimeAndItsMemberAndIsKeptForTheWindow() {
        Step step = claim(null, "h1", "e-1", "m1", 1000, NOBODY_LEFT);
        assertEquals(Outcome.CLAIMED, step.outcome());
        assertEquals("C\nh1\n" + (1000 + LEASE) + "\ne-1\n1000\nm1", step.value());
        assertEquals(WINDOW, step.ttlMs(), "kept past its lease, so that a late retry still learns the id");
    }

    @Test
    void aClaimWhoseMemberLeftIsTakenOverAtOnceWithTheFirstIdAndTime() {
        String claimed = claim(null, "h1", "e-1", "m1", 1000, NOBODY_LEFT).value();
        assertEquals(Kind.IN_FLIGHT, claim(claimed, "h1", "e-2", "m2", 1500, NOBODY_LEFT).outcome().kind(), "m1 is there: wait");
        Step taken = claim(claimed, "h1", "e-2", "m2", 1500, member -> member.equals("m1"));
        assertEquals(Kind.TAKEN_OVER, taken.outcome().kind(), "no 30 s wait: m1 left the cluster");
        assertEquals("e-1", taken.outcome().eventId());
        assertEquals(1000, taken.outcome().claimedAt());
        assertEquals("C\nh1\n" + (1500 + LEASE) + "\ne-1\n1000\nm2", taken.value(), "the same id and first time, a new lease, m2's");
        // a second takeover (m2 died too) still answers the first claim's id and time
        Step again = claim(taken.value(), "h1", "e-3", "m3", 1700, member -> !member.equals("m3"));
        assertEquals(IdempotencyState.Outcome.takenOver("e-1", 1000), again.outcome());
        // and the taker's answer is recorded as any claimant's
        assertEquals(new Outcome(Kind.DONE, ANSWER), IdempotencyState.record(again.value(), "h1", ANSWER, 1800, WINDOW).outcome());
    }

    @Test
    void aClaimPastItsLeaseIsTakenOverForTheSameBodyAndFreeForAnother() {
        String claimed = claim(null, "h1", "e-1", "m1", 1000, NOBODY_LEFT).value();
        assertEquals(Kind.IN_FLIGHT, claim(claimed, "h1", "e-2", "m2", 1000 + LEASE - 1, NOBODY_LEFT).outcome().kind());
        Step taken = claim(claimed, "h1", "e-2", "m2", 1000 + LEASE, NOBODY_LEFT);
        assertEquals(IdempotencyState.Outcome.takenOver("e-1", 1000), taken.outcome(), "m1 stalled past its lease");
        Step other = claim(claimed, "h2", "e-2", "m2", 1000 + LEASE, NOBODY_LEFT);
        assertEquals(Outcome.CLAIMED, other.outcome(), "another body may claim an expired key, as its own event");
        assertTrue(other.value().contains("\ne-2\n"));
        assertEquals(Kind.CONFLICT, claim(claimed, "h2", "e-2", "m2", 1500, member -> true).outcome().kind(),
                "another body within the lease conflicts, whether or not its member left");
    }

    @Test
    void aClaimOfTheReleaseBeforeHasNoIdAndIsNeverTakenOver() {
        String legacy = "C\nh1\n" + (1000 + LEASE);
        assertEquals(Kind.IN_FLIGHT, claim(legacy, "h1", "e-2", "m2", 2000, member -> true).outcome().kind());
        Step after = claim(legacy, "h1", "e-2", "m2", 1000 + LEASE, member -> true);
        assertEquals(Outcome.CLAIMED, after.outcome(), "after its lease the key is free, as it was");
        assertTrue(IdempotencyState.release(legacy, "h1", "m2", 2000, WINDOW).remove(), "released as that release did");
    }

    @Test
    void aTakeoverCrossesTheWireWithItsIdAndTime() {
        Outcome taken = IdempotencyState.Outcome.takenOver("7f0c-…", 1_733_000_000_123L);
        Outcome copy = Outcome.decode(taken.encode());
        assertEquals(taken, copy);
        assertEquals("7f0c-…", copy.eventId());
        assertEquals(1_733_000_000_123L, copy.claimedAt());
    }

    @Test
    void outcomesCrossTheWireUnchanged() {
        for (Outcome outcome : new Outcome[]{Outcome.CLAIMED, Outcome.IN_FLIGHT, Outcome.CONFLICT, new Outcome(Kind.DONE, ANSWER),
                Outcome.takenOver("e-1", 1000)}) {
            assertEquals(outcome, Outcome.decode(outcome.encode()));
        }
    }

    @Test
    void theLocalStoreRunsTheSameMachineAndForgetsExpiredKeys() {
        AtomicLong now = new AtomicLong(1000);
        LocalIdempotencyStore store = new LocalIdempotencyStore(WINDOW, now::get);
        assertEquals(Kind.CLAIMED, store.claim(Map.of("k1", c("h1"), "k2", new String[]{"h2", "e-k2"})).result().get("k1").kind());
        assertEquals(Kind.IN_FLIGHT, store.claim(Map.of("k1", c("h1"))).result().get("k1").kind());
        store.record(Map.of("k1", new String[]{"h1", ANSWER}));
        store.release(Map.of("k2", "h2"));
        assertEquals(new Outcome(Kind.DONE, ANSWER), store.claim(Map.of("k1", c("h1"))).result().get("k1"));
        assertEquals(Kind.CONFLICT, store.claim(Map.of("k1", c("other"))).result().get("k1").kind());
        assertEquals(Outcome.takenOver("e-k2", 1000), store.claim(Map.of("k2", c("h2"))).result().get("k2"),
                "released: a retry publishes at once, as the same event, looking first");
        now.addAndGet(WINDOW + 1);
        store.claim(Map.of("k3", c("h3")));
        assertEquals(1, store.size(), "expired keys are swept; only k3's claim is left");
    }

    @Test
    void aSweepTakesOnlyWhatHasRunOutAndKeepsAKeyRecordedSinceItsClaim() {
        AtomicLong now = new AtomicLong(1000);
        LocalIdempotencyStore store = new LocalIdempotencyStore(WINDOW, now::get);
        store.claim(Map.of("k1", c("h1")));
        store.record(Map.of("k1", new String[]{"h1", ANSWER}));
        store.claim(Map.of("k2", new String[]{"h2", "e-k2"})); // never recorded: kept for the window, taken over after its lease
        now.addAndGet(IdempotencyStore.LEASE_MS + 1);
        store.claim(Map.of("k3", c("h3")));
        assertEquals(3, store.size(), "k2's lease ran out, but its id is kept for the window");
        assertEquals(Kind.TAKEN_OVER, store.claim(Map.of("k2", c("h2"))).result().get("k2").kind());
        assertEquals(new Outcome(Kind.DONE, ANSWER), store.claim(Map.of("k1", c("h1"))).result().get("k1"));
        now.addAndGet(WINDOW + 1);
        store.claim(Map.of("k4", c("h4")));
        assertEquals(1, store.size(), "after the window only k4's claim is left");
    }
}
