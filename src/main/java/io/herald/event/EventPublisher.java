package io.herald.event;

import io.herald.Addresses;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.WireVersion;
import io.herald.catalog.EventCatalog;
import io.herald.history.EventLog;
import io.herald.history.Inbox;
import io.herald.history.InboxEntry;
import io.herald.history.KeyedState;
import io.herald.history.StateEntry;
import io.herald.history.HistorySearch;
import io.herald.history.IdempotencyState;
import io.herald.history.IdempotencyStore;
import io.herald.history.LocalIdempotencyStore;
import io.herald.Counters;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntSupplier;

/**
 * The one way events enter the hub, whoever publishes them: checks the type against the catalog,
 * appends the event to its type's stream in the {@link EventLog} (which numbers it), encodes the
 * envelope once and publishes it on the bus to every node's delivery.
 *
 * <p>Appends are group-committed: what an event loop publishes of one type within one turn (the
 * requests of one read from the network, say) goes out together at the end of the turn, as one log
 * operation and one bus message; while that append is in flight, what comes meanwhile waits for the
 * next. An idle hub appends each event at once; a busy one gets larger batches instead of a longer
 * queue. Events published from one event loop keep their order in {@code seq}.
 *
 * <p>A publish with an {@link IdempotencyKey} is checked inside the same group commit, by the append itself
 * ({@link EventLog#appendKeyed}: where the stream is appended to, in memory): an event whose key already has its event
 * gets that answer again ({@link Published#replayed()}), one whose key was used for another body fails with
 * {@code idempotency_conflict}. While a node of the release before is in the cluster ({@link EventLog#checksKeys}
 * false), keys are claimed in the {@link IdempotencyStore} instead, in one call before the append, and the answers
 * recorded in one call after it; a key in flight there waits and claims again. An append without keys does exactly
 * what it did before keys existed.
 */
public final class EventPublisher {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(EventPublisher.class.getName());
    /** Events of one type that may wait on one event loop behind an append in flight (history slow or unreachable). */
    static final int MAX_WAITING = 100_000;
    /** The most events one append carries (one Hazelcast operation); a history shorter than that keeps an append's last events. */
    static final int MAX_APPEND = 500;

    private final Vertx vertx;
    private final EventCatalog catalog;
    private final EventLog log;
    private final Counters stats;
    /** The key of each event loop's {@link Appender} in its context's data. */
    private final Object appenderKey = new Object();

    /** The wire version history records are written in ({@code ClusterWire#writes}). */
    private final IntSupplier wireVersion;
    /** The state of the keyed types, updated after each append (docs/state.md). */
    private volatile KeyedState state = KeyedState.NONE;
    private final IdempotencyStore keys;
    /** The longest a publish waits between claims of a key in flight elsewhere. */
    static final long MAX_KEY_WAIT_MS = 200;

    public EventPublisher(Vertx vertx, EventCatalog catalog, EventLog log, Counters stats) {
        this(vertx, catalog, log, stats, () -> WireVersion.CURRENT);
    }

    public EventPublisher(Vertx vertx, EventCatalog catalog, EventLog log, Counters stats, IntSupplier wireVersion) {
        this(vertx, catalog, log, stats, wireVersion, new LocalIdempotencyStore(600_000));
    }

    public EventPublisher(Vertx vertx, EventCatalog catalog, EventLog log, Counters stats, IntSupplier wireVersion, IdempotencyStore keys) {
        this.keys = keys;
        this.wireVersion = wireVersion;
        this.vertx = vertx;
        this.catalog = catalog;
        this.log = log;
        this.stats = stats;
    }

    /** The per-user inbox of the types the catalog marks {@code "inbox": true}, filed after each append (docs/backends.md). */
    private volatile Inbox inbox = Inbox.NONE;

    /** Where the inbox types' events are filed: the node sets it before anything is published. */
    public EventPublisher inbox(Inbox inbox) {
        this.inbox = inbox;
        return this;
    }

    /** Where the keyed types' state is kept: the node sets it before anything is published. */
    public EventPublisher keyedState(KeyedState state) {
        this.state = state;
        return this;
    }

    /** Refuses what cannot be published; called before anything is logged, so a bad batch costs nothing. */
    public void validate(PublishRequest request) {
        if (!catalog.contains(request.type())) {
            throw new HeraldException(ErrorCode.UNKNOWN_EVENT_TYPE, "unknown event type '" + request.type() + "'");
        }
        if (request.delete()) {
            EventCatalog.StateOptions keyed = catalog.state(request.type());
            if (keyed == null) {
                throw new HeraldException(ErrorCode.INVALID_EVENT, "'delete' applies to types that keep state; " + request.type() + " keeps none");
            }
            if (StateUpdates.key(request.data(), keyed) == null) {
                throw new HeraldException(ErrorCode.INVALID_EVENT, "a delete names its key in data." + keyed.key() + " (a string or a number)");
            }
        }
    }

    public Future<Published> publish(PublishRequest request) {
        return publish(request, null);
    }

    /** Publishes once per {@code key} (null: no key) within the window; a repeat gets the first answer, replayed. */
    public Future<Published> publish(PublishRequest request, IdempotencyKey key) {
        return publish(request, key, null);
    }

    /**
     * As {@link #publish(PublishRequest, IdempotencyKey)}, as one of a run that must land in the order published
     * ({@code inOrder}, null: none): see {@link InOrder}.
     */
    public Future<Published> publish(PublishRequest request, IdempotencyKey key, InOrder inOrder) {
        try {
            validate(request);
        } catch (HeraldException e) {
            return Future.failedFuture(e);
        }
        return appender().append(new Pending(request, catalog.namespaceOf(request.type()).ownerField(), hashing(key, request), inOrder));
    }

    /**
     * Publishes that must reach history in the order they were published (a Kafka partition's records): once one fails
     * {@code unavailable}, every later publish of the run fails too, unappended, and the caller retries the run from the
     * first that failed. Where keys are claimed in the map ({@link EventLog#checksKeys} false), a publish whose key is in
     * flight elsewhere does not wait (the others would be appended meanwhile, ahead of it) but fails {@code unavailable}
     * at once, and claims made by the stopped ones are withdrawn. Touched only from the publishing event loop.
     */
    public static final class InOrder {
        private boolean stopped;

        /** Whether a publish of the run failed to be retried: the later ones are not appended. */
        public boolean stopped() {
            return stopped;
        }
    }

    private static final HeraldException STOPPED = new HeraldException(ErrorCode.UNAVAILABLE,
            "an earlier event of its ordered run was not published; the event was not published, retry the run from there");

    /** Publishes a validated batch; events of one type get the batch's order in their seq. */
    public Future<List<Published>> publishAll(List<PublishRequest> requests) {
        return publishAll(requests, null);
    }

    /** As {@link #publishAll(List)}, each event with its idempotency key ({@code keys} null, or null entries: none). */
    public Future<List<Published>> publishAll(List<PublishRequest> requests, List<IdempotencyKey> keys) {
        requests.forEach(this::validate);
        Appender appender = appender();
        List<Future<Published>> all = new ArrayList<>(requests.size());
        Map<String, Boolean> checked = keys == null ? null : new HashMap<>(); // asked once per type, not per event
        for (int i = 0; i < requests.size(); i++) {
            PublishRequest request = requests.get(i);
            IdempotencyKey key = keys == null ? null : keys.get(i);
            if (key != null && key.hashedByPublisher() && !checked.computeIfAbsent(request.type(), log::checksKeys)) {
                key = key.hashedAsBefore();
            }
            all.add(appender.append(new Pending(request, catalog.namespaceOf(request.type()).ownerField(), key, null)));
        }
        // every event's outcome is known before the batch answers (with keys, a refused one does not stop the others)
        return Future.join(all).transform(done -> {
            List<Published> results = new ArrayList<>(all.size());
            for (Future<Published> f : all) {
                if (f.failed()) {
                    return Future.failedFuture(f.cause()); // the first refused event, in the batch's order
                }
                results.add(f.result());
            }
            return Future.succeededFuture(results);
        });
    }

    /**
     * A key the publisher hashes from the event ({@link IdempotencyKey#ofEvent(String, String, JsonObject)}), hashed as
     * the release before did (the JSON as sent) while keys are claimed in the map its nodes share, so that a retry on a
     * node of either release hashes alike; otherwise left to {@link Pending}, which hashes what it encodes anyway.
     */
    private IdempotencyKey hashing(IdempotencyKey key, PublishRequest request) {
        return key != null && key.hashedByPublisher() && !log.checksKeys(request.type()) ? key.hashedAsBefore() : key;
    }

    /** The calling event loop's appender: publishing happens on a Vert.x context (a verticle, a handler). */
    private Appender appender() {
        Context context = Vertx.currentContext();
        if (context == null) {
            throw new IllegalStateException("publish from a Vert.x context (a verticle or one of its handlers)");
        }
        Appender appender = context.get(appenderKey);
        if (appender == null) {
            appender = new Appender(context);
            context.put(appenderKey, appender);
        }
        return appender;
    }

    /** An event on its way into the log: encoded once, for its history record and, once numbered, its envelope. */
    private static final class Pending {
        final PublishRequest request;
        /** Chosen before the key is claimed; the first claimant's, if this publish takes the key's claim over. */
        String id = newId();
        final long ts = System.currentTimeMillis();
        final String dataJson;
        final String ownerId;
        final Promise<Published> result = Promise.promise();
        /** Null without a key: nothing else differs. */
        final IdempotencyKey key;
        /** How many times the key was found in flight. */
        int waits;
        /** The ordered run it belongs to, or null. */
        final InOrder inOrder;

        Pending(PublishRequest request, String ownerField, IdempotencyKey key, InOrder inOrder) {
            this.inOrder = inOrder;
            if (inOrder != null) {
                // a failure to be retried stops the run's later publishes (those refused for good are dead-lettered)
                result.future().onFailure(failure -> {
                    if (!(failure instanceof HeraldException refused) || refused.code() == ErrorCode.UNAVAILABLE) {
                        inOrder.stopped = true;
                    }
                });
            }
            this.request = request;
            this.dataJson = request.data().encode();
            this.key = key == null || !key.hashedByPublisher() ? key
                    : key.ofEvent(request.type(), dataJson, request.target(), request.userId(), request.storeId(), request.delete());
            // (a key to be hashed as the release before did was hashed by hashing(): the map of keys its nodes share)
            Object owner = ownerField == null ? null : request.data().getValue(ownerField);
            this.ownerId = owner == null ? null : owner.toString();
        }

        String record(int version) {
            return EventRecord.encode(version, id, ts, dataJson, request.userId(), request.storeId(), request.target(), request.delete(),
                    key == null ? null : key.scoped(), key == null ? null : key.hash());
        }

        BusEvent numbered(long seq, String epoch) {
            return new BusEvent(seq, ts, Envelope.encode(id, request.type(), ts, seq, epoch, dataJson, request.userId(), request.storeId(),
                    request.delete()), ownerId, request.target());
        }
    }

    /** One event loop's appends, by type. Touched only from that event loop. */
    private final class Appender {
        private final Context context;
        private final Map<String, TypeQueue> queues = new HashMap<>();

        Appender(Context context) {
            this.context = context;
        }

        Future<Published> append(Pending pending) {
            TypeQueue queue = queues.computeIfAbsent(pending.request.type(), type -> new TypeQueue(type, context));
            if (queue.waiting.size() >= MAX_WAITING) {
                pending.result.fail(new HeraldException(ErrorCode.UNAVAILABLE, "history is behind; the event was not published"));
                return pending.result.future();
            }
            queue.offer(pending);
            return pending.result.future();
        }
    }

    private final class TypeQueue {
        private final String type;
        private final Context context;
        private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
        private boolean inFlight;
        /** An append is due at the end of the current turn. */
        private boolean scheduled;
        /** The type is kept in the per-user inbox: read once, so that other types pay nothing per append. */
        private final boolean inboxType;

        TypeQueue(String type, Context context) {
            this.type = type;
            this.context = context;
            this.inboxType = catalog.inbox(type);
        }

        void offer(Pending pending) {
            waiting.add(pending);
            if (!inFlight && !scheduled) {
                scheduled = true;
                context.runOnContext(v -> {
                    scheduled = false;
                    if (!inFlight && !waiting.isEmpty()) {
                        appendWaiting();
                    }
                });
            }
        }

        void appendWaiting() {
            List<Pending> batch = new ArrayList<>(Math.min(waiting.size(), MAX_APPEND));
            boolean keyed = false;
            while (!waiting.isEmpty() && batch.size() < MAX_APPEND) {
                Pending pending = waiting.poll();
                if (pending.inOrder != null && pending.inOrder.stopped) {
                    pending.result.fail(STOPPED);
                    continue;
                }
                batch.add(pending);
                keyed |= pending.key != null;
            }
            if (batch.isEmpty()) {
                return;
            }
            inFlight = true;
            if (keyed && log.checksKeys(type)) {
                appendKeyed(batch);
            } else if (keyed) {
                claimThenAppend(batch);
            } else {
                append(batch, null);
            }
        }

        /**
         * Appends a batch with keys where history checks them ({@link EventLog#appendKeyed}), as one operation: an event
         * whose key was published before (within the window, or earlier in the batch) gets that answer again, one whose
         * key was used for another body fails with {@code idempotency_conflict}, the others are appended and answered.
         */
        private void appendKeyed(List<Pending> batch) {
            int n = batch.size();
            List<String> records = new ArrayList<>(n);
            List<String> ids = new ArrayList<>(n);
            List<String> scoped = new ArrayList<>(n);
            List<String> hashes = new ArrayList<>(n);
            int version = wireVersion.getAsInt();
            for (Pending pending : batch) {
                records.add(pending.record(version));
                ids.add(pending.id);
                scoped.add(pending.key == null ? null : pending.key.scoped());
                hashes.add(pending.key == null ? null : pending.key.hash());
            }
            log.appendKeyed(type, records, ids, scoped, hashes).onComplete(appended -> {
                if (appended.failed()) {
                    HeraldException failure = appendFailure(appended.cause());
                    batch.forEach(p -> p.result.fail(failure));
                    next();
                    return;
                }
                EventLog.KeyedAppended result = appended.result();
                List<Pending> own = new ArrayList<>(n);
                long[] seqs = new long[n];
                for (int i = 0; i < n; i++) {
                    Pending pending = batch.get(i);
                    if (result.conflict(i)) {
                        pending.result.fail(new HeraldException(ErrorCode.IDEMPOTENCY_CONFLICT,
                                "this idempotency key was used for another event within the window"));
                    } else if (!pending.id.equals(result.ids()[i])) {
                        pending.result.complete(new Published(result.ids()[i], result.seqs()[i], result.epoch()).replay());
                    } else {
                        seqs[own.size()] = result.seqs()[i];
                        own.add(pending);
                    }
                }
                if (!own.isEmpty()) {
                    stats.appended(own.size());
                    long[] ownSeqs = java.util.Arrays.copyOf(seqs, own.size());
                    publishNumbered(own, ownSeqs, result.epoch());
                    if (HALT_AFTER_APPEND_OF != null) {
                        haltIfTesting(own.stream().filter(p -> p.key != null).map(p -> p.key.scoped()).collect(java.util.stream.Collectors.toSet()));
                    }
                    for (int i = 0; i < own.size(); i++) {
                        Pending pending = own.get(i);
                        pending.result.complete(new Published(pending.id, ownSeqs[i], result.epoch()));
                    }
                }
                next();
            });
        }

        /**
         * Claims the batch's keys in one call, then appends what may be appended: the events without a key and those
         * whose key it claimed. The others get the key's first answer, a conflict, or wait (in flight elsewhere, or a
         * second event with the same key in this batch) and come back for another claim.
         */
        private void claimThenAppend(List<Pending> batch) {
            Map<String, String[]> claims = new HashMap<>();
            for (Pending pending : batch) {
                if (pending.key != null) {
                    claims.putIfAbsent(pending.key.scoped(), new String[]{pending.key.hash(), pending.id});
                }
            }
            keys.claim(claims).onComplete(claimed -> {
                List<Pending> append = new ArrayList<>(batch.size());
                Map<String, String> mine = new HashMap<>();
                List<Pending> takenOver = new ArrayList<>();
                long firstClaim = Long.MAX_VALUE;
                Map<String, String[]> withdrawn = new HashMap<>();
                Map<String, String> released = new HashMap<>();
                for (Pending pending : batch) {
                    // an earlier publish of its ordered run failed: it is not appended (a key it claimed is withdrawn,
                    // one it took over released), though an answer or a conflict it finds is given as usual
                    boolean stopped = pending.inOrder != null && pending.inOrder.stopped;
                    if (pending.key == null) {
                        if (stopped) {
                            pending.result.fail(STOPPED);
                        } else {
                            append.add(pending);
                        }
                        continue;
                    }
                    if (claimed.failed()) {
                        pending.result.fail(new HeraldException(ErrorCode.UNAVAILABLE, "idempotency keys are not reachable ("
                                + claimed.cause().getClass().getSimpleName() + "); the event was not published"));
                        continue;
                    }
                    String scoped = pending.key.scoped();
                    IdempotencyState.Outcome outcome = claimed.result().get(scoped);
                    if (outcome.kind() == IdempotencyState.Kind.CLAIMED && !mine.containsKey(scoped) && stopped) {
                        // its event never went to history (a second event of the batch with the key finds it withdrawn)
                        withdrawn.putIfAbsent(scoped, new String[]{pending.key.hash(), pending.id});
                        pending.result.fail(STOPPED);
                    } else if (outcome.kind() == IdempotencyState.Kind.CLAIMED && !mine.containsKey(scoped)) {
                        mine.put(scoped, pending.key.hash());
                        append.add(pending);
                    } else if (outcome.kind() == IdempotencyState.Kind.TAKEN_OVER && !mine.containsKey(scoped) && stopped) {
                        released.put(scoped, pending.key.hash()); // its first claimant may have appended it: a retry looks
                        pending.result.fail(STOPPED);
                    } else if (outcome.kind() == IdempotencyState.Kind.TAKEN_OVER && !mine.containsKey(scoped)) {
                        // its first claimant's node left (or stalled past the lease), maybe after appending: the same
                        // event (its id) is looked for in history, and appended only if it is not there
                        mine.put(scoped, pending.key.hash());
                        pending.id = outcome.eventId();
                        firstClaim = Math.min(firstClaim, outcome.claimedAt());
                        takenOver.add(pending);
                        append.add(pending); // in the batch's order: per type, the order of publishing stays the order of seq
                    } else if (outcome.kind() == IdempotencyState.Kind.DONE) {
                        pending.result.complete(Published.fromJson(new io.vertx.core.json.JsonObject(outcome.answer())).replay());
                    } else if (outcome.kind() == IdempotencyState.Kind.CONFLICT) {
                        pending.result.fail(new HeraldException(ErrorCode.IDEMPOTENCY_CONFLICT,
                                "this idempotency key was used for another event within the window"));
                    } else if (stopped) {
                        pending.result.fail(STOPPED);
                    } else if (pending.inOrder != null && !mine.containsKey(scoped)) {
                        pending.result.fail(new HeraldException(ErrorCode.UNAVAILABLE, "its idempotency key is in flight on another"
                                + " node; the event was not published, retry (an ordered publish does not wait: the others would pass it)"));
                    } else {
                        waitAndClaim(pending); // in flight elsewhere, or claimed by an earlier event of this batch
                    }
                }
                if (!withdrawn.isEmpty()) {
                    keys.withdraw(withdrawn); // if this fails, the claims' lease runs out
                }
                if (!released.isEmpty()) {
                    keys.release(released);
                }
                if (append.isEmpty()) {
                    next();
                } else if (takenOver.isEmpty()) {
                    append(append, mine.isEmpty() ? null : mine);
                } else {
                    takeOver(append, new java.util.HashSet<>(takenOver), firstClaim).onComplete(v -> next());
                }
            });
        }

        /** The keys (key → hash) of those of {@code batch} that have one. */
        private Map<String, String> keysOf(List<Pending> batch) {
            Map<String, String> claimed = new HashMap<>();
            for (Pending pending : batch) {
                if (pending.key != null) {
                    claimed.put(pending.key.scoped(), pending.key.hash());
                }
            }
            return claimed.isEmpty() ? null : claimed;
        }

        /**
         * Publishes events whose keys this node took over: looks for their ids in history (since the first claim less a
         * clock allowance, bounded: {@link HistorySearch}); those found get their seq as the answer (recorded, and
         * given as a replay: nothing is appended), the others are appended one at a time, each looking first (a first
         * claimant that stalled may append it meanwhile). Never fails the future: each publish gets its own outcome.
         */
        private Future<Void> takeOver(List<Pending> batch, java.util.Set<Pending> takenOver, long firstClaim) {
            java.util.Set<String> ids = new java.util.HashSet<>();
            takenOver.forEach(p -> ids.add(p.id));
            long started = System.nanoTime();
            return HistorySearch.find(vertx, log, type, ids, firstClaim - HistorySearch.CLOCK_ALLOWANCE_MS, HistorySearch.MAX_RECORDS)
                    .transform(searched -> {
                        if (searched.failed()) {
                            // the claims end now, keeping their ids: a retry takes them over again at once and searches again
                            Map<String, String> ended = new HashMap<>();
                            takenOver.forEach(p -> ended.put(p.key.scoped(), p.key.hash()));
                            keys.release(ended);
                            HeraldException failure = new HeraldException(ErrorCode.UNAVAILABLE, "history could not be searched for"
                                    + " an event whose first publish may have been appended (" + searched.cause().getClass().getSimpleName()
                                    + "); the event was not published, retry with the same key");
                            takenOver.forEach(p -> p.result.fail(failure));
                            List<Pending> others = new ArrayList<>(batch);
                            others.removeAll(takenOver);
                            return others.isEmpty() ? Future.succeededFuture() : appendUnlessStopped(others);
                        }
                        HistorySearch.Found found = searched.result();
                        if (!found.complete()) {
                            LOG.warning("the search for " + ids.size() + " " + type + " events taken over stopped after " + found.read()
                                    + " records, before the first claim's time: those not found are appended (a first claimant stalled"
                                    + " longer than that may have appended them too)");
                        }
                        Map<String, String[]> answers = new HashMap<>();
                        List<Pending> replayed = new ArrayList<>();
                        List<Published> replays = new ArrayList<>();
                        List<Pending> missing = new ArrayList<>();
                        for (Pending pending : takenOver) {
                            Long seq = found.seqs().get(pending.id);
                            if (seq == null) {
                                missing.add(pending);
                                continue;
                            }
                            Published published = new Published(pending.id, seq, found.epoch());
                            answers.put(pending.key.scoped(), new String[]{pending.key.hash(), published.toJson().encode()});
                            replayed.add(pending);
                            replays.add(published);
                        }
                        LOG.info("took over " + takenOver.size() + " idempotency keys of " + type + " events whose first claimant left: "
                                + replayed.size() + " found in history (" + found.read() + " records read, "
                                + (System.nanoTime() - started) / 1_000_000 + " ms), " + missing.size() + " to append");
                        Future<Void> recorded = answers.isEmpty() ? Future.succeededFuture()
                                : keys.record(answers).otherwise(failed -> null).mapEmpty();
                        return recorded.compose(v -> {
                            for (int i = 0; i < replayed.size(); i++) {
                                replayed.get(i).result.complete(replays.get(i).replay());
                            }
                            // in the batch's order: runs of events of their own as one append each, a taken-over event
                            // not found as an append of its own that looks first
                            java.util.Set<Pending> answered = new java.util.HashSet<>(replayed);
                            Future<Void> chain = Future.succeededFuture();
                            List<Pending> run = new ArrayList<>();
                            for (Pending pending : batch) {
                                if (answered.contains(pending)) {
                                    continue;
                                }
                                if (!takenOver.contains(pending)) {
                                    run.add(pending);
                                    continue;
                                }
                                if (!run.isEmpty()) {
                                    List<Pending> segment = List.copyOf(run);
                                    run.clear();
                                    chain = chain.compose(x -> appendUnlessStopped(segment));
                                }
                                chain = chain.compose(x -> appendTakenOver(pending));
                            }
                            if (!run.isEmpty()) {
                                List<Pending> segment = List.copyOf(run);
                                chain = chain.compose(x -> appendUnlessStopped(segment));
                            }
                            return chain;
                        });
                    });
        }

        /**
         * Appends a run of events whose keys this node claimed (or that have none), after taken-over ones: those of an
         * ordered run that one of them stopped meanwhile are not appended, and their claims withdrawn.
         */
        private Future<Void> appendUnlessStopped(List<Pending> segment) {
            List<Pending> go = new ArrayList<>(segment.size());
            Map<String, String[]> withdrawn = new HashMap<>();
            for (Pending pending : segment) {
                if (pending.inOrder == null || !pending.inOrder.stopped) {
                    go.add(pending);
                    continue;
                }
                if (pending.key != null) {
                    withdrawn.put(pending.key.scoped(), new String[]{pending.key.hash(), pending.id});
                }
                pending.result.fail(STOPPED);
            }
            if (!withdrawn.isEmpty()) {
                keys.withdraw(withdrawn);
            }
            return go.isEmpty() ? Future.succeededFuture() : appendOnly(go, keysOf(go));
        }

        /** Appends one taken-over event, looking first; answers as a claimed append does. Never fails the future. */
        private Future<Void> appendTakenOver(Pending pending) {
            Map<String, String> claimed = Map.of(pending.key.scoped(), pending.key.hash());
            if (pending.inOrder != null && pending.inOrder.stopped) {
                keys.release(claimed); // its first claimant may have appended it: a retry takes it over and looks again
                pending.result.fail(STOPPED);
                return Future.succeededFuture();
            }
            stats.appended(1);
            return log.appendLookingFirst(type, List.of(pending.record(wireVersion.getAsInt()))).transform(appended -> {
                if (appended.succeeded()) {
                    deliver(List.of(pending), appended.result(), claimed);
                } else {
                    keys.release(claimed); // ends the claim, keeping its id: a retry takes it over and looks again
                    pending.result.fail(appendFailure(appended.cause()));
                }
                return Future.succeededFuture();
            });
        }

        /** Offers the publish again after a while (10 ms, doubling to {@link #MAX_KEY_WAIT_MS}); the claim's lease bounds the wait. */
        private void waitAndClaim(Pending pending) {
            long delay = Math.min(MAX_KEY_WAIT_MS, 10L << Math.min(pending.waits++, 5));
            vertx.setTimer(delay, id -> context.runOnContext(v -> offer(pending)));
        }

        private void next() {
            inFlight = false;
            if (!waiting.isEmpty()) {
                appendWaiting();
            }
        }

        /** Appends the batch as one log operation, then the next; {@code claimed} (key → hash, or null) are the keys it holds. */
        private void append(List<Pending> batch, Map<String, String> claimed) {
            appendOnly(batch, claimed).onComplete(v -> next());
        }

        /** Appends the batch as one log operation and answers its publishes; never fails. */
        private Future<Void> appendOnly(List<Pending> batch, Map<String, String> claimed) {
            List<String> records = new ArrayList<>(batch.size());
            int version = wireVersion.getAsInt();
            for (Pending pending : batch) {
                records.add(pending.record(version));
            }
            stats.appended(batch.size());
            return log.append(type, records).transform(appended -> {
                if (appended.succeeded()) {
                    deliver(batch, appended.result(), claimed);
                } else {
                    if (claimed != null) {
                        keys.release(claimed); // a retry may publish; if this fails, the claim's lease runs out
                    }
                    HeraldException failure = appendFailure(appended.cause());
                    batch.forEach(p -> p.result.fail(failure));
                }
                return Future.succeededFuture();
            });
        }

        /** Sends the numbered events to every node's delivery, then to the type's state and inbox, if it keeps them. */
        private void publishNumbered(List<Pending> batch, long[] seqs, String epoch) {
            List<BusEvent> events = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                events.add(batch.get(i).numbered(seqs[i], epoch));
            }
            vertx.eventBus().publish(Addresses.delivery(type), new EventBatch(type, epoch, events));
            stats.published(type, batch.size());
            EventCatalog.StateOptions stateOptions = catalog.state(type);
            if (stateOptions != null) {
                updateState(stateOptions, batch, events, epoch);
            }
            if (inboxType) {
                fileInbox(batch, events, epoch);
            }
        }

        private void deliver(List<Pending> batch, EventLog.Appended appended, Map<String, String> claimed) {
            long[] seqs = new long[batch.size()];
            for (int i = 0; i < seqs.length; i++) {
                seqs[i] = appended.firstSeq() + i;
            }
            publishNumbered(batch, seqs, appended.epoch());
            if (claimed == null) {
                for (int i = 0; i < batch.size(); i++) {
                    Pending pending = batch.get(i);
                    pending.result.complete(new Published(pending.id, appended.firstSeq() + i, appended.epoch()));
                }
                return;
            }
            // the answers of the keys it claimed are recorded (one call) before they are given, so that a repeat after the
            // answer finds it; the others are answered at once
            Map<String, String[]> answers = new HashMap<>(claimed.size() * 2);
            List<Pending> keyed = new ArrayList<>(claimed.size());
            List<Published> keyedResults = new ArrayList<>(claimed.size());
            for (int i = 0; i < batch.size(); i++) {
                Pending pending = batch.get(i);
                Published published = new Published(pending.id, appended.firstSeq() + i, appended.epoch());
                if (pending.key == null) {
                    pending.result.complete(published);
                } else {
                    answers.put(pending.key.scoped(), new String[]{pending.key.hash(), published.toJson().encode()});
                    keyed.add(pending);
                    keyedResults.add(published);
                }
            }
            haltIfTesting(answers.keySet());
            keys.record(answers).onComplete(recorded -> {
                if (recorded.failed()) {
                    LOG.warning(answers.size() + " idempotency keys of published " + type + " events could not be recorded ("
                            + recorded.cause() + "); a repeat after their lease (" + IdempotencyStore.LEASE_MS / 1000 + " s) takes them over"
                            + " and finds them in history");
                }
                for (int i = 0; i < keyed.size(); i++) {
                    keyed.get(i).result.complete(keyedResults.get(i));
                }
            });
        }
    }

    /** What a publish whose append failed is answered: the log's refusal, or {@code unavailable}. */
    private static HeraldException appendFailure(Throwable cause) {
        return cause instanceof HeraldException refused ? refused : new HeraldException(ErrorCode.UNAVAILABLE,
                "history is not reachable (" + cause.getClass().getSimpleName() + "); the event was not published");
    }

    /** After a successful append: the keyed type's state gets the batch's events that name their key (docs/state.md). */
    private void updateState(EventCatalog.StateOptions keyed, List<Pending> batch, List<BusEvent> events, String epoch) {
        List<StateEntry> entries = new ArrayList<>(batch.size());
        int unkeyed = 0;
        for (int i = 0; i < batch.size(); i++) {
            Pending pending = batch.get(i);
            String key = StateUpdates.key(pending.request.data(), keyed);
            if (key == null) {
                unkeyed++;
                continue;
            }
            BusEvent event = events.get(i);
            entries.add(new StateEntry(key, event.seq(), epoch, pending.ts, pending.request.delete(), pending.ownerId,
                    pending.request.target() == null ? null : pending.request.target().toJson().encode(), event.envelope()));
        }
        String type = batch.get(0).request.type();
        if (unkeyed > 0) {
            stats.stateUpdated(type, StateUpdates.UNKEYED, unkeyed);
        }
        if (entries.isEmpty()) {
            return;
        }
        int count = entries.size();
        Future<Void> updated;
        try {
            updated = state.update(type, entries);
        } catch (RuntimeException failed) {
            updated = Future.failedFuture(failed); // the events are published all the same: the state misses them (counted)
        }
        updated.onComplete(done -> stats.stateUpdated(type, done.succeeded() ? StateUpdates.APPLIED : StateUpdates.FAILED, count));
    }

    /**
     * After a successful append of an inbox type: each event goes to the inbox of each user it is aimed at
     * ({@code target.users}, {@code user:} rooms) and of its owner (the namespace's owner field); an event aimed at
     * roles or other rooms only, without an owner, is nobody's (counted {@code unaddressed}). Not awaited by the publish.
     */
    private void fileInbox(List<Pending> batch, List<BusEvent> events, String epoch) {
        Map<String, List<InboxEntry>> byUser = new HashMap<>();
        int filed = 0;
        int unaddressed = 0;
        String type = batch.get(0).request.type();
        for (int i = 0; i < batch.size(); i++) {
            Pending pending = batch.get(i);
            Target target = pending.request.target();
            java.util.Set<String> users = target == null ? java.util.Set.of() : target.namedUsers();
            if (users.isEmpty() && pending.ownerId == null) {
                unaddressed++;
                continue;
            }
            BusEvent event = events.get(i);
            InboxEntry entry = new InboxEntry(pending.id, type, event.seq(), epoch, pending.ts, pending.ownerId,
                    target == null ? null : target.toJson().encode(), event.envelope());
            for (String user : users) {
                byUser.computeIfAbsent(user, u -> new ArrayList<>()).add(entry);
            }
            if (pending.ownerId != null && !users.contains(pending.ownerId)) {
                byUser.computeIfAbsent(pending.ownerId, u -> new ArrayList<>()).add(entry);
            }
            filed++;
        }
        if (unaddressed > 0) {
            stats.inboxFiled(type, INBOX_UNADDRESSED, unaddressed);
        }
        if (byUser.isEmpty()) {
            return;
        }
        int count = filed;
        Future<Void> done;
        try {
            done = inbox.file(byUser);
        } catch (RuntimeException failed) {
            done = Future.failedFuture(failed); // the events are published all the same: the inboxes miss them (counted)
        }
        done.onComplete(result -> {
            stats.inboxFiled(type, result.succeeded() ? INBOX_FILED : INBOX_FAILED, count);
            if (result.failed()) {
                LOG.warning(count + " " + type + " events could not be filed in their users' inboxes: " + result.cause());
            }
        });
    }

    /**
     * A test hook, off unless the JVM runs with {@code -Dherald.test.haltAfterAppendOf=<key>}: the node halts (as a
     * SIGKILL would end it: no shutdown, no goodbye to the cluster) right after appending the event of that
     * idempotency key and before recording its answer, inside the window a takeover closes (IdempotencyWindowIT).
     */
    private static final String HALT_AFTER_APPEND_OF = System.getProperty("herald.test.haltAfterAppendOf");

    private static void haltIfTesting(java.util.Set<String> scopedKeys) {
        if (HALT_AFTER_APPEND_OF != null) {
            for (String scoped : scopedKeys) {
                if (scoped.endsWith("\n" + HALT_AFTER_APPEND_OF)) {
                    System.err.println("herald.test.haltAfterAppendOf: halting after the append of " + HALT_AFTER_APPEND_OF);
                    Runtime.getRuntime().halt(9);
                }
            }
        }
    }

    /** Results of {@link Counters#inboxFiled}. */
    public static final String INBOX_FILED = "filed";
    public static final String INBOX_FAILED = "failed";
    public static final String INBOX_UNADDRESSED = "unaddressed";

    /** A random (version 4) UUID without SecureRandom's lock: ids must be unique, not unguessable. */
    static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }
}
