package io.herald.soak;

import io.herald.soak.SoakChecker.Kind;
import io.herald.soak.SoakChecker.Result;
import io.herald.soak.SoakHistory.Delivery;
import io.herald.soak.SoakHistory.Err;
import io.herald.soak.SoakHistory.Fault;
import io.herald.soak.SoakHistory.Follow;
import io.herald.soak.SoakHistory.Outcome;
import io.herald.soak.SoakHistory.Publish;
import io.herald.soak.SoakHistory.Snapshot;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checker on synthetic histories: a clean one is clean; each anomaly is found, and only it. */
class SoakCheckerTest {
    static final String T = "order:created";

    /** A small history under construction: two followers of T from time 0, events acked and delivered in order. */
    static final class H {
        final List<Publish> publishes = new ArrayList<>();
        final List<Delivery> deliveries = new ArrayList<>();
        final List<Err> errs = new ArrayList<>();
        final List<Follow> follows = new ArrayList<>(List.of(new Follow("f1", T, 0), new Follow("f2", T, 0)));
        final List<Fault> faults = new ArrayList<>(List.of(new Fault("kill", 1, 300, 500, "")));
        long ord;

        H ack(String pid, String epoch, long seq, long sent, long done) {
            publishes.add(new Publish(pid, T, "p1", "http", 0, sent, done, Outcome.ACKED, epoch, seq, "202"));
            return this;
        }

        H publish(String pid, Outcome outcome, long sent) {
            publishes.add(new Publish(pid, T, "p1", "http", 0, sent, sent + 5, outcome, null, 0, outcome.name()));
            return this;
        }

        H deliver(String follower, String pid, String epoch, long seq, long at) {
            deliveries.add(new Delivery(follower, T, pid, epoch, seq, at, 0, ++ord));
            return this;
        }

        H both(String pid, String epoch, long seq, long at) {
            return deliver("f1", pid, epoch, seq, at).deliver("f2", pid, epoch, seq, at + 1);
        }

        H err(String follower, String code, long at) {
            errs.add(new Err(follower, T, code, at, 0, ++ord));
            return this;
        }

        /** n events e1..en acked in epoch A and delivered to both followers, 100 ms apart. */
        H clean(int n) {
            for (int i = 1; i <= n; i++) {
                ack("e" + i, "A", i, i * 100L, i * 100L + 10).both("e" + i, "A", i, i * 100L + 20);
            }
            return this;
        }

        final List<SoakHistory.StateEntry> state = new ArrayList<>();

        Result check() {
            return SoakChecker.check(new Snapshot(publishes, deliveries, errs, follows, faults, List.of(), 2000, state));
        }
    }

    static void assertOnly(Result result, Kind... kinds) {
        Set<Kind> expected = kinds.length == 0 ? EnumSet.noneOf(Kind.class) : EnumSet.of(kinds[0], kinds);
        for (Kind kind : Kind.values()) {
            assertEquals(expected.contains(kind), result.count(kind) > 0, kind + " in " + result.summary() + " " + result.found().get(kind).examples);
        }
    }

    @Test
    void aRolledBackOutboxRowThatIsDeliveredIsAPhantomAndOneThatIsNotIsNothing() {
        H h = new H().clean(3).publish("rb-1", Outcome.ROLLED_BACK, 400).publish("rb-2", Outcome.ROLLED_BACK, 500);
        assertOnly(h.check());
        assertOnly(h.both("rb-2", "A", 4, 600).check(), Kind.PHANTOM);
        // an outbox row committed is acked without epoch and seq: delivered once to each, clean; missing, lost
        H outbox = new H().clean(2);
        outbox.publishes.add(new Publish("o-1", T, "o0", "outbox", -1, 300, 305, Outcome.ACKED, null, 0, "committed"));
        assertOnly(outbox.check(), Kind.LOST);
        assertOnly(outbox.both("o-1", "A", 3, 320).check());
    }

    @Test
    void aCleanHistoryIsClean() {
        Result result = new H().clean(10).check();
        assertTrue(result.clean(), result.summary());
        assertEquals(10, result.acked());
        assertEquals(1, result.epochs().size());
        assertEquals(0, result.faultLags().stream().mapToLong(SoakChecker.FaultLag::maxLagMs).filter(l -> l > 10).count());
    }

    @Test
    void indeterminatePublishesMayAppearOrNot() {
        H h = new H().clean(3).publish("maybe1", Outcome.INDETERMINATE, 350).publish("maybe2", Outcome.INDETERMINATE, 360)
                .publish("no", Outcome.REFUSED, 370).ack("e4", "A", 5, 400, 410);
        h.both("maybe1", "A", 4, 405).both("e4", "A", 5, 420);
        Result result = h.check();
        assertOnly(result);
        assertEquals(2, result.indeterminate());
        assertEquals(1, result.indeterminateDelivered());
        assertEquals(1, result.refused());
    }

    @Test
    void anAckedEventNoFollowerGotIsLost() {
        Result result = new H().clean(3).ack("gone", "A", 4, 400, 410).check();
        assertOnly(result, Kind.LOST);
        assertEquals(2, result.count(Kind.LOST));
        assertEquals(1, result.lostEvents());
        assertEquals(1, result.lostEverywhere());
    }

    @Test
    void anEventOneFollowerMissedIsLostAndItsStreamSkipped() {
        Result result = new H().clean(3).ack("e4", "A", 4, 400, 410).ack("e5", "A", 5, 500, 510).both("e5", "A", 5, 520)
                .deliver("f2", "e4", "A", 4, 530).check();
        assertEquals(1, result.count(Kind.LOST), result.summary()); // f1 never got e4
        assertTrue(result.count(Kind.SKIPPED) >= 1, result.summary());
        assertTrue(result.count(Kind.REORDERED) >= 1, result.summary()); // f2 got 4 after 5
    }

    @Test
    void anEventLeftOutOfTheFollowersStreamIsNotLostIfItWasNeverFollowed() {
        H h = new H().clean(3);
        h.follows.clear();
        h.follows.add(new Follow("f1", T, 0));
        h.follows.add(new Follow("f2", T, 250)); // f2 starts after e1, e2 were sent
        h.deliveries.removeIf(d -> d.follower().equals("f2") && d.seq() < 3);
        assertOnly(h.check());
    }

    @Test
    void theSameEventTwiceToOneFollowerIsDuplicated() {
        Result result = new H().clean(3).deliver("f1", "e3", "A", 3, 400).check();
        assertOnly(result, Kind.DUPLICATED);
        assertEquals(1, result.count(Kind.DUPLICATED));
    }

    @Test
    void oneAcknowledgedPublishAppendedTwiceIsADoubleAppend() {
        H h = new H().clean(3).both("e2", "A", 4, 400);
        Result result = h.check();
        assertTrue(result.count(Kind.DOUBLE_APPEND) == 1 && result.count(Kind.DUPLICATED) == 2, result.summary());
    }

    @Test
    void aLowerSeqAfterAHigherOneIsReordered() {
        H h = new H().ack("e1", "A", 1, 100, 110).ack("e2", "A", 2, 100, 110).ack("e3", "A", 3, 100, 110);
        h.both("e1", "A", 1, 120).both("e3", "A", 3, 130).deliver("f1", "e2", "A", 2, 140).deliver("f2", "e2", "A", 2, 140);
        Result result = h.check();
        assertTrue(result.count(Kind.REORDERED) == 2, result.summary());
    }

    @Test
    void anEventAcknowledgedBeforeAnotherWasSentButSequencedAfterItIsReordered() {
        H h = new H().ack("e1", "A", 2, 100, 110).ack("e2", "A", 1, 200, 210); // e1 acked before e2 was sent, yet seq 2 > 1
        h.both("e2", "A", 1, 220).both("e1", "A", 2, 230);
        assertOnly(h.check(), Kind.REORDERED);
    }

    /** Seed 2027's 30-minute run: a bus publish stamped (by another process's clock) 27 ms after its own first delivery. */
    @Test
    void anEventIsSentNoLaterThanItIsFirstDelivered() {
        H h = new H().ack("e1", "A", 2, 100, 150).ack("e2", "A", 1, 160, 170); // e2 stamped after e1's ack...
        h.both("e2", "A", 1, 120).both("e1", "A", 2, 155); // ...but delivered before it: it was sent by 120
        assertOnly(h.check());
    }

    @Test
    void aDeliveryNobodyPublishedIsUnknown() {
        assertOnly(new H().clean(2).both("ghost", "A", 3, 300).check(), Kind.UNKNOWN);
        assertOnly(new H().clean(2).both(null, "A", 3, 300).check(), Kind.UNKNOWN);
        assertOnly(new H().clean(2).publish("refused", Outcome.REFUSED, 250).both("refused", "A", 3, 300).check(), Kind.UNKNOWN);
    }

    @Test
    void twoPublishesAtOnePositionAreAReusedSeq() {
        H h = new H().clean(3).ack("twin", "A", 3, 350, 360); // acked with e3's position; followers got e3 only
        Result result = h.check();
        assertTrue(result.count(Kind.REUSED_SEQ) == 1 && result.count(Kind.LOST) == 2, result.summary());
    }

    @Test
    void anEpochChangeWithoutRecoveryIncompleteIsSilent() {
        H h = new H().clean(3).ack("e4", "B", 1, 400, 410).both("e4", "B", 1, 420);
        assertOnly(h.check(), Kind.SILENT_EPOCH_CHANGE);
        assertEquals(2, h.check().count(Kind.SILENT_EPOCH_CHANGE));
    }

    @Test
    void anEpochChangeAnnouncedByRecoveryIncompleteIsAllowed() {
        H h = new H().clean(3).ack("e4", "B", 1, 400, 410).err("f1", "recovery_incomplete", 415).err("f2", "recovery_incomplete", 415)
                .both("e4", "B", 1, 420).ack("e5", "B", 5, 500, 510).err("f1", "recovery_incomplete", 515).err("f2", "recovery_incomplete", 515)
                .both("e5", "B", 5, 520);
        Result result = h.check();
        assertOnly(result);
        assertEquals(4, result.errCodes().get("recovery_incomplete"));
    }

    @Test
    void twoEpochsAcknowledgedAtTheSameTimeRunInParallel() {
        H h = new H().clean(2).ack("b1", "B", 1, 150, 160).ack("e3", "A", 3, 300, 310).both("e3", "A", 3, 320);
        h.follows.clear(); // nobody follows: only the acks speak
        h.deliveries.clear();
        assertOnly(h.check(), Kind.PARALLEL_EPOCHS);
    }

    @Test
    void lagIsTheAgeOfTheOldestUndeliveredEventAndIsMeasuredPerFault() {
        H h = new H().ack("e1", "A", 1, 300, 310).both("e1", "A", 1, 1310); // delivered a second late
        Result result = h.check();
        assertOnly(result);
        long maxF1 = result.faultLags().stream().filter(l -> l.follower().equals("f1")).mapToLong(SoakChecker.FaultLag::maxLagMs).max().orElseThrow();
        assertTrue(maxF1 >= 900 && maxF1 <= 1000, "lag " + maxF1);
    }

    /** Issue 22's 30-minute soak: three followers lagged 63 s on a node that told them nothing; only a SIGTERM ended it. */
    @Test
    void aFollowerThatLagsLongerThanAllowedIsStalled() {
        H h = new H().ack("e1", "A", 1, 300, 310).both("e1", "A", 1, 1310);
        assertOnly(SoakChecker.check(new Snapshot(h.publishes, h.deliveries, h.errs, h.follows, h.faults, List.of(), 2000), 500),
                Kind.STALLED);
        assertOnly(SoakChecker.check(new Snapshot(h.publishes, h.deliveries, h.errs, h.follows, h.faults, List.of(), 2000), 1500));
    }

    @Test
    void aFollowerThatStopsReceivingWhileTheTypeGoesOnIsSilent() {
        H h = new H().clean(3);
        for (int i = 4; i <= 8; i++) {
            h.ack("e" + i, "A", i, i * 100L, i * 100L + 10).deliver("f2", "e" + i, "A", i, i * 100L + 20);
        }
        Result result = h.check();
        SoakChecker.Silence longest = result.silences().get(0);
        assertEquals("f1", longest.follower());
        assertEquals(5, longest.ackedMeanwhile());
        assertEquals(320, longest.fromMs()); // its last event, e3, came at 320 ms; nothing since, to the end
        assertEquals(5, result.count(Kind.LOST));
    }

    @Test
    void availabilityCountsAckedOverAttemptedBySendTime() {
        Result result = new H().clean(3).publish("x", Outcome.INDETERMINATE, 150).publish("y", Outcome.REFUSED, 160).check();
        int attempted = result.availability().stream().mapToInt(SoakChecker.Bucket::attempted).sum();
        int acked = result.availability().stream().mapToInt(SoakChecker.Bucket::acked).sum();
        assertEquals(5, attempted);
        assertEquals(3, acked);
    }

    @Test
    void aWebhookReceiverMayGetAnEventAgainButNotLoseOrReorderOne() {
        H h = new H().clean(4);
        h.follows.add(new Follow("w0", T, 0));
        h.deliver("w0", "e1", "A", 1, 150).deliver("w0", "e2", "A", 2, 250).deliver("w0", "e1", "A", 1, 260)
                .deliver("w0", "e2", "A", 2, 270).deliver("w0", "e3", "A", 3, 350).deliver("w0", "e4", "A", 4, 450);
        assertOnly(h.check());

        H skipped = new H().clean(4);
        skipped.follows.add(new Follow("w0", T, 0));
        skipped.deliver("w0", "e1", "A", 1, 150).deliver("w0", "e3", "A", 3, 350).deliver("w0", "e4", "A", 4, 450);
        assertOnly(skipped.check(), Kind.LOST, Kind.SKIPPED);

        H twice = new H().clean(2);
        twice.deliver("f1", "e1", "A", 1, 500);
        assertOnly(twice.check(), Kind.DUPLICATED); // the same for a follower that receives exactly once
    }

    @Test
    void keyedStateMustHoldEachKeysLastEvent() {
        H h = new H().clean(12);
        java.util.Map<String, Delivery> last = new java.util.TreeMap<>();
        for (Delivery d : h.deliveries) {
            last.merge(SoakChecker.keyOf(d.pid()), d, (a, b) -> b.seq() > a.seq() ? b : a);
        }
        last.forEach((key, d) -> h.state.add(new SoakHistory.StateEntry(T, key, d.pid(), "A", d.seq())));
        assertOnly(h.check());

        SoakHistory.StateEntry first = h.state.get(0);
        h.state.set(0, new SoakHistory.StateEntry(T, first.key(), "e0", "A", first.seq() - 1)); // an older event of the key
        Result stale = h.check();
        assertOnly(stale, Kind.STATE);
        h.state.remove(0);
        assertOnly(h.check(), Kind.STATE); // a key missing
    }

}
