package io.herald.history;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.cluster.ClusterQuorum;
import io.herald.cluster.ClusterWire;
import io.herald.config.HeraldConfig.HistoryBounds;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.config.RingbufferConfig;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.partition.PartitionAwareKey;
import com.hazelcast.ringbuffer.OverflowPolicy;
import com.hazelcast.ringbuffer.ReadResultSet;
import com.hazelcast.ringbuffer.Ringbuffer;
import com.hazelcast.spi.merge.DiscardMergePolicy;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The cluster's history: a Hazelcast ring buffer per event type ({@code herald.events.<type>}, with one
 * synchronous backup, so it survives the loss of any one member), bounded by the type's
 * {@link HistoryBounds}. The ring buffer's sequence is {@code seq}; its items are history records.
 *
 * <p>Each stream's epoch is an entry of the map {@code herald.epochs}, kept in the same partition as
 * the ring buffer (its key is partitioned by the ring buffer's name), so the two are lost together:
 * when an append lands at {@code seq} 1 the stream is new, and whichever node appended first puts a new
 * epoch if the entry is gone. Every node caches the epochs and follows changes with a listener. The map's values carry
 * the wire version they were written in ({@link EpochValue}); history records carry theirs ({@code EventRecord}).
 */
public final class HazelcastEventLog implements EventLog {
    private static final Logger LOG = Logger.getLogger(HazelcastEventLog.class.getName());
    public static final String RING_PREFIX = "herald.events.";
    public static final String EPOCHS_MAP = "herald.epochs";
    /** Hazelcast's split-brain protection of history and epochs: the {@link ClusterQuorum}. */
    public static final String MAJORITY = ClusterQuorum.NAME;
    /** After a partition heals, the smaller side's copies of history and epochs give way to the larger side's. */
    private static final MergePolicyConfig MAJORITY_WINS = new MergePolicyConfig(DiscardMergePolicy.class.getName(), MergePolicyConfig.DEFAULT_BATCH_SIZE);

    /**
     * Split-brain protection, set on the member's config before it starts: history ({@code herald.events.*}) and epochs
     * ({@code herald.epochs}) answer only while the member sees a quorum ({@link ClusterQuorum}: a majority of the voting
     * members, or {@code cluster.minMembers}), so a side of a partition without one appends nothing (publishes get 503)
     * and serves no history; and when the partition heals, the smaller side's copies are discarded for the larger
     * side's, so {@code seq} and history stay the majority's.
     */
    public static void protect(Config config, ClusterQuorum quorum) {
        quorum.protect(config);
        config.getMapConfig(EPOCHS_MAP).setSplitBrainProtectionName(MAJORITY);
        config.getMapConfig(EPOCHS_MAP).setMergePolicyConfig(MAJORITY_WINS);
    }

    private final Vertx vertx;
    private final ClusterQuorum quorum;
    private final com.hazelcast.core.IExecutorService appends;
    private final Map<String, Ringbuffer<String>> rings;
    private final IMap<PartitionAwareKey<String, String>, String> epochs;
    private final Map<String, String> epochByType = new ConcurrentHashMap<>();
    /** The highest seq this node appended per type: a lower one later means the stream was lost and began again. */
    private final Map<String, Long> lastAppended = new ConcurrentHashMap<>();
    /** Appends in flight for longer than {@link #DOUBT_AFTER_MS}, or waiting to be settled. */
    private final java.util.concurrent.atomic.AtomicInteger doubt = new java.util.concurrent.atomic.AtomicInteger();
    /**
     * The latest moment ({@link ClusterQuorum#checkpoint}) an append failed or completed without its backup: until a
     * quorum is heard from after it, this node's history may be a copy the cluster no longer counts.
     */
    private volatile long suspectSince = Long.MIN_VALUE;
    /** An append in flight this long puts this node's history in doubt for delivery. */
    static final long DOUBT_AFTER_MS = 100;
    /** An append this slow may have waited out a backup that never answered (Hazelcast's backup timeout is 5 s). */
    static final long SLOW_APPEND_MS = 4000;
    /** How many times an append is sent to the owner of its ring buffer before it fails. */
    static final int APPEND_ATTEMPTS = 5;
    private final HazelcastInstance hazelcast;
    private final com.hazelcast.partition.PartitionService partitions;
    private final ClusterWire wire;

    private HazelcastEventLog(Vertx vertx, ClusterQuorum quorum, HazelcastInstance hazelcast,
                              Map<String, Ringbuffer<String>> rings, IMap<PartitionAwareKey<String, String>, String> epochs, ClusterWire wire) {
        this.hazelcast = hazelcast;
        this.partitions = hazelcast.getPartitionService();
        this.wire = wire;
        this.vertx = vertx;
        this.quorum = quorum;
        this.appends = hazelcast.getExecutorService(IdempotentAppend.EXECUTOR);
        this.rings = rings;
        this.epochs = epochs;
    }

    /**
     * Configures and creates the ring buffers of every catalog type and reads or creates their epochs;
     * that talks to the cluster, so it runs off the event loop.
     */
    public static Future<HazelcastEventLog> open(Vertx vertx, HazelcastInstance hazelcast, Collection<String> types,
                                                 Function<String, HistoryBounds> bounds, ClusterQuorum quorum, ClusterWire wire) {
        return vertx.executeBlocking(() -> {
            Map<String, Ringbuffer<String>> rings = new HashMap<>();
            for (String type : types) {
                configure(hazelcast, type, bounds.apply(type));
                rings.put(type, hazelcast.getRingbuffer(RING_PREFIX + type));
            }
            HazelcastEventLog log = new HazelcastEventLog(vertx, quorum, hazelcast, Map.copyOf(rings), hazelcast.getMap(EPOCHS_MAP), wire);
            log.epochs.addEntryListener(log.new EpochListener(), true);
            // a node of the previous release joined (a rollback): the epochs put at the newer version are put again at its
            wire.onChange(version -> vertx.executeBlocking(() -> log.writeEpochsDown(types), false));
            if (wire.writes() < wire.reads()) {
                log.writeEpochsDown(types);
            }
            // after a merge this node's cache may hold epochs its side put and the merge discarded: learn them again
            hazelcast.getLifecycleService().addLifecycleListener(event -> {
                if (event.getState() == com.hazelcast.core.LifecycleEvent.LifecycleState.MERGED) {
                    log.epochByType.clear();
                }
            });
            try {
                for (String type : types) {
                    log.epochOf(type);
                }
            } catch (SplitBrainProtectionException belowMinimum) {
                // a node that starts before cluster.minMembers are up learns its epochs at its first read or append
            }
            return log;
        }, false);
    }

    /**
     * The type's bounds as a dynamic ring buffer config, which Hazelcast shares with every member
     * (also JVM services joined with the same cluster.xml, which may own the partition). A member
     * already running with other bounds keeps them: Hazelcast refuses to change a dynamic config.
     */
    private static void configure(HazelcastInstance hazelcast, String type, HistoryBounds bounds) {
        RingbufferConfig config = new RingbufferConfig(RING_PREFIX + type)
                .setCapacity(bounds.maxEvents())
                .setTimeToLiveSeconds(bounds.maxAgeSeconds())
                .setBackupCount(1)
                .setAsyncBackupCount(0)
                .setInMemoryFormat(InMemoryFormat.BINARY)
                .setMergePolicyConfig(MAJORITY_WINS);
        if (hazelcast.getConfig().getSplitBrainProtectionConfigs().containsKey(MAJORITY)) {
            config.setSplitBrainProtectionName(MAJORITY);
        }
        try {
            hazelcast.getConfig().addRingBufferConfig(config);
        } catch (InvalidConfigurationException e) {
            LOG.warning("history of " + type + " keeps the bounds the cluster already has, not " + bounds
                    + " (restart the whole cluster to change them): " + e.getMessage());
        }
    }

    private int writeEpochsDown(Collection<String> types) {
        try {
            int rewritten = EpochValue.writeDown(epochs, types, wire);
            if (rewritten > 0) {
                LOG.info("wire version " + wire.writes() + ": " + rewritten + " epochs written again in it, for the nodes that read only it");
            }
            return rewritten;
        } catch (RuntimeException e) {
            LOG.warning("the epochs could not be written again in wire version " + wire.writes() + " (" + e + "); a later membership change tries again");
            return 0;
        }
    }

    /** Partitioned by the ring buffer's name, so that the epoch lives and dies with the ring buffer. */
    public static PartitionAwareKey<String, String> epochKey(String type) {
        return new PartitionAwareKey<>(type, RING_PREFIX + type);
    }

    private final class EpochListener implements EntryAddedListener<PartitionAwareKey<String, String>, String>,
            EntryUpdatedListener<PartitionAwareKey<String, String>, String> {
        @Override
        public void entryAdded(EntryEvent<PartitionAwareKey<String, String>, String> event) {
            try {
                epochByType.put(event.getKey().getKey(), EpochValue.decode(event.getValue(), wire));
            } catch (io.herald.WireVersion.Unsupported refused) {
                // logged and counted; the cache keeps what it knew, reads go to the map
            }
        }

        @Override
        public void entryUpdated(EntryEvent<PartitionAwareKey<String, String>, String> event) {
            entryAdded(event);
        }
    }

    private Ringbuffer<String> ring(String type) {
        Ringbuffer<String> ring = rings.get(type);
        if (ring == null) {
            throw new IllegalArgumentException("no history for " + type);
        }
        return ring;
    }

    /** Appends while this node may acknowledge ({@link #guarded}). */
    @Override
    public Future<Appended> append(String type, List<String> records) {
        return append(type, records, false);
    }

    @Override
    public Future<Appended> appendLookingFirst(String type, List<String> records) {
        return append(type, records, true);
    }

    private Future<Appended> append(String type, List<String> records, boolean lookFirst) {
        return guarded(type, records.size(), () -> idempotentAppend(type, records, lookFirst)).compose(last -> {
            long first = last - records.size() + 2; // ring sequences count from 0, seq from 1
            return epochAfter(type, first, last + 1).map(epoch -> new Appended(epoch, first));
        });
    }

    @Override
    public boolean checksKeys(String type) {
        // only the cluster's make-up decides, never a moment of it: a partition without an owner (a member just left, a
        // merge) is waited for by the keyed append itself; switching to the map for it would miss the keys the index
        // holds (the soak, seed 41: an outbox row appended twice as a merge settled)
        String without = null;
        for (com.hazelcast.cluster.Member member : hazelcast.getCluster().getMembers()) {
            if (io.herald.cluster.HeraldMembers.isHeraldNode(member) && !KeyedAppend.runsOn(member)) {
                without = "Herald node " + member.getAddress() + " is of the release before"; // it claims keys in the map
                break;
            }
        }
        com.hazelcast.cluster.Member owner = partitions.getPartition(RING_PREFIX + type).getOwner();
        if (without == null && owner != null && !io.herald.cluster.HeraldMembers.isHeraldNode(listed(owner))) {
            without = "the history of " + type + " is owned by " + owner.getAddress() + ", which is not a Herald node";
        }
        boolean checks = without == null;
        if (checks != keysInAppend) {
            keysInAppend = checks;
            LOG.info(checks ? "idempotency keys are checked inside the history append again"
                    : "idempotency keys are claimed in the map " + HazelcastIdempotencyStore.MAP + ": " + without);
        }
        return checks;
    }

    /** What {@link #checksKeys} answered last, to log its changes. */
    private volatile boolean keysInAppend = true;

    @Override
    public Future<KeyedAppended> appendKeyed(String type, List<String> records, List<String> ids, List<String> keys, List<String> hashes) {
        java.util.concurrent.CompletableFuture<KeyIndex.Answer> done = new java.util.concurrent.CompletableFuture<>();
        return guarded(type, records.size(), () -> {
            keyedAttempt(RING_PREFIX + type, records, ids, keys, hashes, System.currentTimeMillis(), 0, done);
            return done;
        }).compose(answer -> {
            long[] seqs = answer.seqs().clone();
            long first = Long.MAX_VALUE;
            long last = 0;
            for (int i = 0; i < seqs.length; i++) {
                if (seqs[i] >= 0) {
                    seqs[i]++; // ring sequences count from 0, seq from 1
                    if (ids.get(i).equals(answer.ids()[i])) { // this publish's own event (not an earlier one's answer)
                        first = Math.min(first, seqs[i]);
                        last = Math.max(last, seqs[i]);
                    }
                }
            }
            return epochAfter(type, first, last).map(epoch -> new KeyedAppended(epoch, seqs, answer.ids()));
        });
    }

    /**
     * Runs an append ({@code attempt}: its ring sequences) only while this node may acknowledge
     * ({@link ClusterQuorum#mayAcknowledge}: a quorum in view and the lease held), checked before the append and again
     * after it: a node that stalled past the heartbeat timeout meanwhile may have appended to a copy of history the
     * cluster no longer counts, which the merge discards, so its events are answered {@code unavailable} (they may or
     * may not be kept) rather than acknowledged.
     */
    private <T> Future<T> guarded(String type, int count, java.util.function.Supplier<java.util.concurrent.CompletableFuture<T>> attempt) {
        Context context = vertx.getOrCreateContext();
        ring(type); // a type of the catalog
        if (!quorum.mayAcknowledge()) {
            return Future.failedFuture(new HeraldException(ErrorCode.UNAVAILABLE,
                    "this node is not in a confirmed majority of its cluster; the event was not published, publish to another node"));
        }
        long started = System.nanoTime();
        // an append that takes long may be waiting for a backup that does not answer: this node may be cut off without
        // knowing it yet; until that is settled, delivery here serves nothing new from history (see confirmed())
        boolean[] done = {false};
        boolean[] doubted = {false};
        long watch = vertx.setTimer(DOUBT_AFTER_MS, id -> {
            if (!done[0]) {
                doubted[0] = true;
                doubt.incrementAndGet();
            }
        });
        return Future.fromCompletionStage(attempt.get(), context)
                .compose(result -> settled(started, result))
                .andThen(result -> {
                    done[0] = true;
                    vertx.cancelTimer(watch);
                    if (result.failed() || (System.nanoTime() - started) / 1_000_000 >= SLOW_APPEND_MS) {
                        suspect();
                    }
                    long holdMs = result.failed() ? quorum.settleMs() - (System.nanoTime() - started) / 1_000_000 : 0;
                    if (holdMs > 0) {
                        // a failed append may still have landed in this node's copy of history, and that copy may be one
                        // the cluster no longer counts (cut off, not knowing it yet: seed 42 delivered two such events at
                        // seqs the majority gave to others); serve nothing new from it until the heartbeat timeout has told
                        if (!doubted[0]) {
                            doubt.incrementAndGet();
                        }
                        vertx.setTimer(holdMs, id -> doubt.decrementAndGet());
                    } else if (doubted[0]) {
                        doubt.decrementAndGet();
                    }
                })
                .compose(result -> {
                    if (!quorum.mayAcknowledge()) {
                        LOG.warning("not acknowledging " + count + " " + type + " events appended while this node lost its"
                                + " majority or its lease (a stall): they may or may not be kept");
                        return Future.failedFuture(new HeraldException(ErrorCode.UNAVAILABLE,
                                "this node lost its majority while publishing; the event may or may not have been published (its id tells)"));
                    }
                    return Future.succeededFuture(result);
                });
    }

    /**
     * The stream's epoch for an append of seqs {@code first} to {@code last} ({@code first} {@code Long.MAX_VALUE}:
     * nothing appended): a stream that appended at seq 1, or lower than this node appended before, is new.
     */
    private Future<String> epochAfter(String type, long first, long last) {
        boolean restarted = !epochByType.containsKey(type);
        if (first != Long.MAX_VALUE) {
            long previous = lastAppended.getOrDefault(type, 0L);
            lastAppended.merge(type, last, Math::max);
            restarted |= first == 1 || first <= previous;
        }
        return restarted ? ensureEpoch(type) : Future.succeededFuture(epochByType.get(type));
    }

    /**
     * A stream at seq 1 (or lower than this node appended before) is new: its epoch is the one in the
     * map, or a new one if the map lost it together with the ring buffer.
     */
    private Future<String> ensureEpoch(String type) {
        return vertx.executeBlocking(() -> putEpoch(type), false);
    }

    @Override
    public long settleMs() {
        return quorum.settleMs();
    }

    @Override
    public boolean confirmed() {
        long suspect = suspectSince;
        return doubt.get() == 0 && quorum.mayAcknowledge() && (suspect == Long.MIN_VALUE || quorum.heardQuorumSince(suspect));
    }

    @Override
    public long checkpoint() {
        return quorum.checkpoint();
    }

    @Override
    public boolean confirmedSince(long checkpoint) {
        return confirmed() && quorum.heardQuorumSince(checkpoint);
    }

    private synchronized void suspect() {
        suspectSince = Math.max(suspectSince, quorum.checkpoint());
    }

    /**
     * Hazelcast completes an append whose synchronous backup did not answer within the backup timeout (5 s) as if it
     * had: that is what a node cut off by the network sees, and it learns it is cut off only after the heartbeat timeout
     * and the master's decision (10 s and 2 more in the soak); the merge then discards what it acknowledged (issue 22's
     * soak, seed 41: four events answered 202 in a partition's first seconds, lost, and their seqs given to other
     * events). So an append that took that long is acknowledged only once the heartbeat timeout has passed since it
     * started and a quorum has been heard from since it completed ({@link ClusterQuorum#heardQuorumSince}: a timer
     * alone was not enough, seed 41 again, where the cut-off node's member list still held its quorum at 11 s). A member
     * that died meanwhile has been dropped by then and the survivors acknowledge, late; a node that hears no quorum
     * answers {@code unavailable} once it knows, or after three settle times.
     */
    private <T> Future<T> settled(long started, T last) {
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        if (tookMs < SLOW_APPEND_MS) {
            return Future.succeededFuture(last);
        }
        long completed = quorum.checkpoint();
        long settleMs = settleMs();
        Promise<T> confirmed = Promise.promise();
        vertx.setPeriodic(Math.min(100, settleMs), id -> {
            long elapsedMs = (System.nanoTime() - started) / 1_000_000;
            if (!quorum.mayAcknowledge() || elapsedMs >= settleMs && quorum.heardQuorumSince(completed)) {
                vertx.cancelTimer(id);
                confirmed.complete(last); // acknowledged, or refused by the check that follows
            } else if (elapsedMs >= 3 * settleMs) {
                vertx.cancelTimer(id);
                confirmed.fail(new HeraldException(ErrorCode.UNAVAILABLE,
                        "this node heard from no majority of its cluster after publishing; the event may or may not have been published (its id tells)"));
            }
        });
        return confirmed.future();
    }

    /**
     * Appends on the ring buffer's owner, so that a retry by Hazelcast after a member left does not append twice. The
     * owner may be leaving gracefully (its executor and its member shut down while its partitions move away): a failed
     * attempt is sent again, a few times, as one that looks for its records before it appends.
     */
    private java.util.concurrent.CompletableFuture<Long> idempotentAppend(String type, List<String> records, boolean lookFirst) {
        java.util.concurrent.CompletableFuture<Long> done = new java.util.concurrent.CompletableFuture<>();
        // an append that must look first goes as a later attempt does: through the owner's executor, looking
        attempt(RING_PREFIX + type, records, System.currentTimeMillis(), lookFirst ? 1 : 0, done);
        return done;
    }

    private void attempt(String name, List<String> records, long createdAt, int attempt,
                         java.util.concurrent.CompletableFuture<Long> done) {
        com.hazelcast.cluster.Member owner = partitions.getPartition(name).getOwner();
        boolean local = owner != null && owner.localMember() && attempt == 0;
        if (local || owner != null && !io.herald.cluster.HeraldMembers.isHeraldNode(owner)) {
            // this node owns the ring's partition: an operation on its own member is never retried after it ran (a retry
            // follows a target that left, and this member does not leave under its own invocation), so it appends
            // directly, without the executor's hop and serialisation (ingest: the executor had cost a fifth of a
            // single node's publishes). Or a JVM service joined with the same cluster.xml owns the partition and need
            // not have Herald's classes (it publishes with a plain eventBus().publish): append directly, as before the
            // executor, which Hazelcast may retry once more across a member change
            ring(name.substring(RING_PREFIX.length())).addAllAsync(records, OverflowPolicy.OVERWRITE).whenComplete((last, failed) -> {
                if (failed != null && local) {
                    retryOrFail(name, attempt, next -> attempt(name, records, createdAt, next, done), done, failed); // it may have appended: the next attempt looks
                } else if (failed != null) {
                    done.completeExceptionally(failed);
                } else {
                    done.complete(last);
                }
            });
            return;
        }
        if (owner == null) {
            retryOrFail(name, attempt, next -> attempt(name, records, createdAt, next, done), done, new IllegalStateException("the partition of " + name + " has no owner"));
            return;
        }
        // to the owner as a member, not to the key's owner: Hazelcast sends a key-owner task again by itself when the member
        // leaves, also after it ran (seed 42: one publish at two seqs, a retry within RETRY_SUSPECT_MS that did not look);
        // a member-targeted one fails instead, and attempt() sends it again as one that looks first
        java.util.concurrent.Callable<Long> task = wire.writes() > io.herald.WireVersion.PREVIOUS
                ? new AppendTask(name, SerializedRecords.of(hazelcast, records), createdAt, attempt > 0)
                : new IdempotentAppend(name, records, createdAt, attempt > 0, wire.writes());
        appends.submitToMember(task, owner,
                new com.hazelcast.core.ExecutionCallback<Long>() {
                    @Override
                    public void onResponse(Long last) {
                        done.complete(last);
                    }

                    @Override
                    public void onFailure(Throwable t) {
                        retryOrFail(name, attempt, next -> attempt(name, records, createdAt, next, done), done, t);
                    }
                });
    }

    /**
     * A keyed append ({@link KeyedAppend}) on the ring's owner: directly on a worker thread when this node owns it, else
     * through the owner's executor; a failed attempt is sent again as one that looks first, as {@link #attempt} does.
     */
    private void keyedAttempt(String name, List<String> records, List<String> ids, List<String> keys, List<String> hashes,
                              long createdAt, int attempt, java.util.concurrent.CompletableFuture<KeyIndex.Answer> done) {
        java.util.function.IntConsumer again = next -> keyedAttempt(name, records, ids, keys, hashes, createdAt, next, done);
        com.hazelcast.cluster.Member owner = partitions.getPartition(name).getOwner();
        if (owner == null) {
            retryOrFail(name, attempt, again, done, new IllegalStateException("the partition of " + name + " has no owner"));
            return;
        }
        if (!KeyedAppend.runsOn(listed(owner))) {
            done.completeExceptionally(new HeraldException(ErrorCode.UNAVAILABLE, "the owner of " + name
                    + " does not check idempotency keys (a member of another release, or not a Herald node); the event was not published, retry"));
            return;
        }
        if (owner.localMember()) {
            vertx.executeBlocking(() -> KeyedAppend.run(hazelcast, name, records, ids, keys, hashes, createdAt, attempt > 0), false)
                    .onComplete(answer -> {
                        if (answer.succeeded()) {
                            done.complete(answer.result());
                        } else {
                            retryOrFail(name, attempt, again, done, answer.cause());
                        }
                    });
            return;
        }
        appends.submitToMember(new KeyedAppend(name, SerializedRecords.of(hazelcast, records), ids, keys, hashes, createdAt, attempt > 0),
                owner, new com.hazelcast.core.ExecutionCallback<KeyedAppend.Result>() {
                    @Override
                    public void onResponse(KeyedAppend.Result result) {
                        done.complete(result.answer());
                    }

                    @Override
                    public void onFailure(Throwable t) {
                        retryOrFail(name, attempt, again, done, t);
                    }
                });
    }

    /** The member as the member list knows it, with its attributes; itself if the list has it not (yet). */
    private com.hazelcast.cluster.Member listed(com.hazelcast.cluster.Member member) {
        for (com.hazelcast.cluster.Member known : hazelcast.getCluster().getMembers()) {
            if (known.getUuid().equals(member.getUuid())) {
                return known;
            }
        }
        return member;
    }

    private void retryOrFail(String name, int attempt, java.util.function.IntConsumer again,
                             java.util.concurrent.CompletableFuture<?> done, Throwable t) {
        if (attempt + 1 < APPEND_ATTEMPTS && quorum.mayAcknowledge()) {
            LOG.fine("append to " + name + " failed (" + t + "), sending it again");
            vertx.setTimer(200L * (attempt + 1), id -> again.accept(attempt + 1));
        } else {
            done.completeExceptionally(t);
        }
    }

    /**
     * The stream's epoch from the map, or a new one put there if the map has none; this node's cache follows the map,
     * never keeps what it knew before. (It used to keep the newer of the two: an epoch a node put while it was cut off,
     * which the merge discarded, then stayed in its cache as "newer", and the node acknowledged the real stream's events
     * under it while the others used the map's: the soak's parallel epochs, seed 42.) Blocking.
     */
    private String putEpoch(String type) {
        String created = Epochs.newEpoch();
        String existing = epochs.putIfAbsent(epochKey(type), EpochValue.encode(wire.writes(), created));
        String epoch = existing != null ? EpochValue.decode(existing, wire) : created;
        epochByType.put(type, epoch);
        return epoch;
    }

    /** The map's epoch of the stream (put if it has none), which this node's cache then holds. Blocking. */
    private String currentEpoch(String type) {
        String stored = epochs.get(epochKey(type));
        if (stored == null) {
            return putEpoch(type);
        }
        String epoch = EpochValue.decode(stored, wire);
        epochByType.put(type, epoch);
        return epoch;
    }

    /** The epoch this node knows, or the map's. Blocking. */
    private String epochOf(String type) {
        String known = epochByType.get(type);
        return known != null ? known : putEpoch(type);
    }

    @Override
    public Future<HistoryPage> read(String type, long fromSeq, int limit) {
        Context context = vertx.getOrCreateContext();
        Ringbuffer<String> ring = ring(type);
        return position(type).compose(position -> {
            long start = Math.max(fromSeq, position.head());
            long available = position.tail() - start + 1;
            if (available <= 0) {
                return Future.succeededFuture(new HistoryPage(position, List.of()));
            }
            int count = (int) Math.min(Math.min(limit, MAX_READ), available);
            if (count <= 0) {
                return Future.succeededFuture(new HistoryPage(position, List.of()));
            }
            // readMany starts at the head when items before it have gone meanwhile, and says each item's sequence
            return Future.fromCompletionStage(ring.readManyAsync(start - 1, 0, count, null), context)
                    .map(result -> new HistoryPage(position, stored(result)));
        });
    }

    private static List<HistoryPage.Stored> stored(ReadResultSet<String> result) {
        List<HistoryPage.Stored> events = new ArrayList<>(result.size());
        for (int i = 0; i < result.size(); i++) {
            events.add(new HistoryPage.Stored(result.getSequence(i) + 1, result.get(i)));
        }
        return events;
    }

    @Override
    public Future<StreamPosition> position(String type) {
        Ringbuffer<String> ring = ring(type);
        return vertx.executeBlocking(() -> {
            long tail = ring.tailSequence() + 1;
            long head = ring.headSequence() + 1;
            // the map, not the cache: a position is what delivery resynchronises on after a stall or a merge
            return new StreamPosition(currentEpoch(type), head, tail);
        }, false);
    }
}
