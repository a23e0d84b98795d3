package io.herald.event;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.catalog.EventCatalog;
import io.herald.config.HeraldConfig;
import io.herald.history.EventLog;
import io.herald.history.HistoryPage;
import io.herald.history.IdempotencyState;
import io.herald.history.IdempotencyStore;
import io.herald.history.LocalEventLog;
import io.herald.history.LocalIdempotencyStore;
import io.herald.history.StreamPosition;
import io.herald.stats.NodeStats;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The publisher's group commit with idempotency keys, on one Vert.x without a cluster (a local log and key store). */
class EventPublisherKeysTest {
    static final EventCatalog CATALOG = EventCatalog.fromJson(HeraldConfig.readJson(Path.of("conf/catalog.json"), "catalog"));
    static final String TYPE = "order:created";
    final Vertx vertx = Vertx.vertx();
    {
        vertx.eventBus().registerDefaultCodec(EventBatch.class, new EventBatchCodec());
    }
    final LocalEventLog local = new LocalEventLog(type -> new HeraldConfig.HistoryBounds(1000, 3600));
    /** Appends that fail before reaching the log (history unreachable). */
    final AtomicInteger failNext = new AtomicInteger();
    /** Appends that land, then fail (the answer lost: a node that lost its majority, or died, after appending). */
    final AtomicInteger failAfterNext = new AtomicInteger();
    /** Reads of history that fail (a takeover's search). */
    final AtomicInteger failReads = new AtomicInteger();
    final EventLog log = new EventLog() {
        @Override
        public Future<Appended> append(String type, List<String> records) {
            if (failAfterNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                local.append(type, records);
                return Future.failedFuture(new IllegalStateException("answer lost"));
            }
            return failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0
                    ? Future.failedFuture(new IllegalStateException("history down")) : local.append(type, records);
        }

        @Override
        public Future<Appended> appendLookingFirst(String type, List<String> records) {
            return local.appendLookingFirst(type, records);
        }

        @Override
        public Future<HistoryPage> read(String type, long fromSeq, int limit) {
            if (failReads.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                return Future.failedFuture(new IllegalStateException("history unreadable"));
            }
            return local.read(type, fromSeq, limit);
        }

        @Override
        public Future<StreamPosition> position(String type) {
            return local.position(type);
        }
    };
    final AtomicInteger storeCalls = new AtomicInteger();
    final LocalIdempotencyStore keys = new LocalIdempotencyStore(600_000);
    final IdempotencyStore counted = new IdempotencyStore() {
        @Override
        public Future<Map<String, IdempotencyState.Outcome>> claim(Map<String, String[]> hashes) {
            storeCalls.incrementAndGet();
            return keys.claim(hashes);
        }

        @Override
        public Future<Void> record(Map<String, String[]> answers) {
            storeCalls.incrementAndGet();
            return keys.record(answers);
        }

        @Override
        public Future<Void> release(Map<String, String> hashes) {
            storeCalls.incrementAndGet();
            return keys.release(hashes);
        }

        @Override
        public Future<Void> withdraw(Map<String, String[]> claims) {
            storeCalls.incrementAndGet();
            return keys.withdraw(claims);
        }
    };
    final EventPublisher publisher = new EventPublisher(vertx, CATALOG, log, new NodeStats("test"), () -> io.herald.WireVersion.CURRENT, counted);

    @AfterEach
    void close() {
        vertx.close().await();
    }

    /** Runs {@code publish} on an event loop (publishing needs a context) and waits for its outcome. */
    <T> T onLoop(Supplier<Future<T>> publish) {
        io.vertx.core.Promise<T> result = io.vertx.core.Promise.promise();
        vertx.getOrCreateContext().runOnContext(v -> publish.get().onComplete(result));
        return result.future().await();
    }

    static PublishRequest request(int n) {
        return new PublishRequest(TYPE, new JsonObject().put("n", n), null, null, null);
    }

    static IdempotencyKey key(String key, int n) {
        return IdempotencyKey.of(IdempotencyKey.HTTP, key, request(n).toJson().encode().getBytes(StandardCharsets.UTF_8));
    }

    long tail() {
        return local.position(TYPE).await().tail();
    }

    @Test
    void anAppendThatLandedButFailedIsFoundByTheRetryNotAppendedAgain() {
        onLoop(() -> publisher.publish(request(0))); // someone else's event before
        failAfterNext.set(1);
        assertThrows(HeraldException.class, () -> onLoop(() -> publisher.publish(request(1), key("k", 1))));
        assertEquals(2, tail(), "the failed attempt landed");
        onLoop(() -> publisher.publish(request(2))); // and someone else's after
        String firstId = io.herald.event.EventRecord.decode(local.read(TYPE, 2, 1).await().events().get(0).record()).id();
        Published retry = onLoop(() -> publisher.publish(request(1), key("k", 1)));
        assertEquals(3, tail(), "nothing appended again");
        assertEquals(firstId, retry.id(), "the first attempt's event, found by its id");
        assertEquals(2, retry.seq());
        assertTrue(retry.replayed());
        Published again = onLoop(() -> publisher.publish(request(1), key("k", 1)));
        assertEquals(new Published(firstId, 2, retry.epoch()).replay(), again, "and recorded");
    }

    @Test
    void aTakeoverThatFindsNothingAppendsTheEventUnderTheFirstClaimsId() {
        failNext.set(1); // failed before reaching history: the claim ends, with its id
        assertThrows(HeraldException.class, () -> onLoop(() -> publisher.publish(request(1), key("k", 1))));
        assertEquals(0, tail());
        Published retry = onLoop(() -> publisher.publish(request(1), key("k", 1)));
        assertFalse(retry.replayed());
        assertEquals(1, tail());
        String stored = io.herald.event.EventRecord.decode(local.read(TYPE, 1, 1).await().events().get(0).record()).id();
        assertEquals(stored, retry.id());
        assertEquals(retry.replay(), onLoop(() -> publisher.publish(request(1), key("k", 1))));
    }

    @Test
    void aBatchMixingTakeoversAndNewEventsKeepsItsOrderInSeq() {
        failAfterNext.set(1); // k1 lands, its answer lost
        assertThrows(HeraldException.class, () -> onLoop(() -> publisher.publish(request(1), key("k1", 1))));
        failNext.set(1); // k3 never lands
        assertThrows(HeraldException.class, () -> onLoop(() -> publisher.publish(request(3), key("k3", 3))));
        assertEquals(1, tail());
        // a source publishes again from the start: k1 (found), k2 (new), k3 (taken over, not found), k4 (new)
        List<Published> results = onLoop(() -> publisher.publishAll(List.of(request(1), request(2), request(3), request(4)),
                List.of(key("k1", 1), key("k2", 2), key("k3", 3), key("k4", 4))));
        assertTrue(results.get(0).replayed());
        assertEquals(1, results.get(0).seq());
        assertEquals(List.of(2L, 3L, 4L), results.subList(1, 4).stream().map(Published::seq).toList(), "k2, k3, k4 in their order");
        assertEquals(4, tail(), "k1 once");
        List<Integer> ns = local.read(TYPE, 1, 10).await().events().stream()
                .map(e -> io.herald.event.EventRecord.decode(e.record()).data().getInteger("n")).toList();
        assertEquals(List.of(1, 2, 3, 4), ns);
    }

    @Test
    void aTakeoverWhoseSearchFailsEndsItsClaimSoThatTheNextRetryTakesItOverAtOnce() {
        failAfterNext.set(1);
        assertThrows(HeraldException.class, () -> onLoop(() -> publisher.publish(request(1), key("k", 1))));
        failReads.set(1);
        HeraldException failed = assertThrows(HeraldException.class, () -> onLoop(() -> publisher.publish(request(1), key("k", 1))));
        assertEquals(ErrorCode.UNAVAILABLE, failed.code());
        int before = storeCalls.get();
        Published retry = onLoop(() -> publisher.publish(request(1), key("k", 1)));
        assertEquals(2, storeCalls.get() - before, "one claim, taken over at once (not in flight for a lease: no claims again), one record");
        assertTrue(retry.replayed());
        assertEquals(1, tail(), "found, not appended again");
    }

    /**
     * A Kafka partition's records as one ordered run: k2's key is in flight elsewhere, so k2 is not waited for (k3 and k4
     * would be appended ahead of it) but fails at once, and k3 and k4 with it, their claims withdrawn; once k2's claim
     * ends, the run published again lands as k1 (found), k2, k3, k4, in order.
     */
    @Test
    void anOrderedRunStopsAtAKeyInFlightElsewhereAndNothingBehindItPasses() {
        String inFlightId = "someone-elses-id";
        keys.claim(Map.of(key("k2", 2).scoped(), new String[]{key("k2", 2).hash(), inFlightId})).await(); // another publisher's claim
        List<Integer> ns = List.of(1, 2, 3, 4);
        List<Future<Published>> first = onLoop(() -> {
            EventPublisher.InOrder run = new EventPublisher.InOrder();
            List<Future<Published>> all = ns.stream().map(n -> publisher.publish(request(n), key("k" + n, n), run)).toList();
            return Future.join(all).transform(x -> Future.succeededFuture(all));
        });
        assertTrue(first.get(0).succeeded(), "k1, before the key in flight, is appended");
        for (int i = 1; i < 4; i++) {
            HeraldException failed = (HeraldException) first.get(i).cause();
            assertEquals(ErrorCode.UNAVAILABLE, failed.code(), "k" + ns.get(i) + " to be retried");
        }
        assertEquals(1, tail(), "nothing behind k2 was appended");
        IdempotencyState.Kind k3 = keys.claim(Map.of(key("k3", 3).scoped(), new String[]{key("k3", 3).hash(), "x"})).await()
                .get(key("k3", 3).scoped()).kind();
        assertEquals(IdempotencyState.Kind.CLAIMED, k3, "k3's claim was withdrawn, not left in flight nor to be taken over");
        keys.withdraw(Map.of(key("k3", 3).scoped(), new String[]{key("k3", 3).hash(), "x"})).await();

        keys.release(Map.of(key("k2", 2).scoped(), key("k2", 2).hash())).await(); // the other publisher's claim ends
        List<Published> again = onLoop(() -> {
            EventPublisher.InOrder run = new EventPublisher.InOrder();
            List<Future<Published>> all = ns.stream().map(n -> publisher.publish(request(n), key("k" + n, n), run)).toList();
            return Future.all(all).map(x -> all.stream().map(Future::result).toList());
        });
        assertTrue(again.get(0).replayed(), "k1 found");
        assertEquals(inFlightId, again.get(1).id(), "k2 published as the claim it took over");
        List<Integer> stored = local.read(TYPE, 1, 10).await().events().stream()
                .map(e -> io.herald.event.EventRecord.decode(e.record()).data().getInteger("n")).toList();
        assertEquals(ns, stored, "each once, in the run's order");
    }

    /** Without a run, a publish whose key is in flight waits for it, and the others pass (HTTP clients race anyway). */
    @Test
    void withoutARunAKeyInFlightWaitsAndTheOthersPass() {
        keys.claim(Map.of(key("k2", 2).scoped(), new String[]{key("k2", 2).hash(), "other"})).await();
        Future<Published> waiting = onLoop(() -> Future.succeededFuture(publisher.publish(request(2), key("k2", 2))));
        onLoop(() -> publisher.publish(request(3), key("k3", 3)));
        assertFalse(waiting.isComplete(), "k2 waits");
        assertEquals(1, tail(), "k3 passed it");
        keys.release(Map.of(key("k2", 2).scoped(), key("k2", 2).hash())).await();
        Published k2 = onLoop(() -> waiting);
        assertEquals(2, k2.seq());
    }

    @Test
    void withoutKeysTheStoreIsNeverAsked() {
        onLoop(() -> publisher.publish(request(1)));
        onLoop(() -> publisher.publishAll(List.of(request(2), request(3))));
        assertEquals(0, storeCalls.get());
        assertEquals(3, tail());
    }

    @Test
    void aFailedAppendFreesItsKeySoThatTheRetryPublishes() {
        failNext.set(1);
        HeraldException failed = assertThrows(HeraldException.class, () -> onLoop(() -> publisher.publish(request(1), key("k", 1))));
        assertEquals(ErrorCode.UNAVAILABLE, failed.code());
        assertEquals(0, tail());
        Published retry = onLoop(() -> publisher.publish(request(1), key("k", 1)));
        assertFalse(retry.replayed(), "the failed attempt was not remembered");
        Published again = onLoop(() -> publisher.publish(request(1), key("k", 1)));
        assertTrue(again.replayed());
        assertEquals(retry.id(), again.id());
        assertEquals(retry.seq(), again.seq());
        assertEquals(1, tail());
    }

    @Test
    void oneCommitClaimsAndRecordsAllItsKeysInOneCallEach() {
        List<Published> results = onLoop(() -> publisher.publishAll(List.of(request(1), request(2), request(3)),
                java.util.Arrays.asList(key("a", 1), null, key("c", 3))));
        assertEquals(2, storeCalls.get(), "one claim, one record");
        assertEquals(3, tail());
        results.forEach(p -> assertFalse(p.replayed()));
    }

    @Test
    void theSameKeyTwiceInOneCommitPublishesOnceAndRefusesAnotherBody() {
        List<Published> results = onLoop(() -> publisher.publishAll(List.of(request(1), request(1)),
                List.of(key("dup", 1), key("dup", 1))));
        assertEquals(results.get(0).id(), results.get(1).id());
        assertEquals(results.get(0).seq(), results.get(1).seq());
        assertTrue(results.get(1).replayed(), "the second waited for the first and got its answer");
        assertEquals(1, tail());
        HeraldException conflict = assertThrows(HeraldException.class,
                () -> onLoop(() -> publisher.publishAll(List.of(request(2), request(1)), List.of(key("dup", 2), key("other", 1)))));
        assertEquals(ErrorCode.IDEMPOTENCY_CONFLICT, conflict.code());
        assertEquals(2, tail(), "the batch's other event was published");
    }

    /** The same publisher on a log that checks keys in its append (a local one: every log this release writes does). */
    final EventPublisher checking = new EventPublisher(vertx, CATALOG, local, new NodeStats("test"), () -> io.herald.WireVersion.CURRENT, counted);

    @Test
    void whereHistoryChecksKeysTheStoreIsNeverAskedAndARepeatGetsTheFirstAnswer() {
        Published first = onLoop(() -> checking.publish(request(1), key("k", 1)));
        Published again = onLoop(() -> checking.publish(request(1), key("k", 1)));
        assertFalse(first.replayed());
        assertTrue(again.replayed());
        assertEquals(first.id(), again.id());
        assertEquals(first.seq(), again.seq());
        assertEquals(first.epoch(), again.epoch());
        HeraldException conflict = assertThrows(HeraldException.class, () -> onLoop(() -> checking.publish(request(2), key("k", 2))));
        assertEquals(ErrorCode.IDEMPOTENCY_CONFLICT, conflict.code());
        assertEquals(1, tail());
        assertEquals(0, storeCalls.get(), "no claim, no record");
    }

    @Test
    void whereHistoryChecksKeysABatchKeepsItsOrderAndAnswersEachEvent() {
        onLoop(() -> checking.publish(request(0), key("old", 0)));
        List<Published> results = onLoop(() -> checking.publishAll(List.of(request(1), request(0), request(2), request(1)),
                java.util.Arrays.asList(key("a", 1), key("old", 0), null, key("a", 1))));
        assertEquals(List.of(false, true, false, true), results.stream().map(Published::replayed).toList());
        assertEquals(List.of(2L, 1L, 3L, 2L), results.stream().map(Published::seq).toList());
        assertEquals(3, tail(), "the two new events once each, in the batch's order");
        assertEquals(0, storeCalls.get());
    }

    @Test
    void whileKeysAreClaimedInTheMapABatchKeyIsHashedAsTheReleaseBeforeHashedIt() {
        JsonObject asSent = request(1).toJson().put(IdempotencyKey.FIELD, "b");
        Published first = onLoop(() -> publisher.publishAll(List.of(request(1)), List.of(IdempotencyKey.ofEvent(IdempotencyKey.HTTP, "b", asSent))))
                .get(0);
        // the same batch event retried on a node of the release before, which hashes the JSON as sent
        Published again = onLoop(() -> publisher.publish(request(1), IdempotencyKey.of(IdempotencyKey.HTTP, "b", asSent)));
        assertTrue(again.replayed(), "recognised, not a conflict");
        assertEquals(first.seq(), again.seq());
    }
}
