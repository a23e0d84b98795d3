package io.herald.history;

import io.herald.catalog.EventCatalog.StateOptions;

import com.hazelcast.config.EvictionConfig;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MaxSizePolicy;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.partition.PartitionService;
import com.hazelcast.query.Predicates;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * The cluster's keyed state: a Hazelcast map per keyed type ({@code herald.state.<type>}, one synchronous backup),
 * key → {@link StateEntry}, updated with the {@link KeepNewer} entry processor, so the entry with the higher
 * {@code seq} stays whichever node's update lands last; each node sends its updates of a type in rounds, one entry
 * processor per key a round ({@code Writer}).
 *
 * <p>Eviction is Hazelcast's, per partition: each of the cluster's partitions (271 by default) keeps at most
 * {@code ceil(maxKeys / partitions)} keys, and past that evicts by its sampled LRU (of a few entries sampled in the
 * partition, the least recently touched goes). Only updates touch an entry (pages read by query, which does not), so
 * that is the least recently updated of the sample: approximate, and the whole state holds about {@code maxKeys}, fewer
 * when keys crowd some partitions.
 *
 * <p>Pages read partition by partition (a query of a few partitions at a time, sized by the state's size), each in key
 * order; the cursor names the partition and the last key, so an entry present all along is read exactly once.
 */
public final class HazelcastKeyedState implements KeyedState {
    private static final Logger LOG = Logger.getLogger(HazelcastKeyedState.class.getName());
    public static final String MAP_PREFIX = "herald.state.";
    /** The most partitions one query of a page reads. */
    static final int MAX_PARTITIONS_PER_QUERY = 64;
    /** The most queries one page makes (a page of entries the reader may not read ends early, with more). */
    static final int MAX_QUERIES_PER_PAGE = 16;

    private final Vertx vertx;
    private final Map<String, IMap<String, StateEntry>> maps;
    private final PartitionService partitions;
    /** A key that lives in each partition, by partition id: what a query of chosen partitions names. */
    private final String[] partitionKeys;
    /** This node's updates, per type. */
    private final Map<String, Writer> writers = new HashMap<>();

    private HazelcastKeyedState(Vertx vertx, Map<String, IMap<String, StateEntry>> maps, PartitionService partitions, String[] partitionKeys) {
        this.vertx = vertx;
        this.maps = maps;
        this.partitions = partitions;
        this.partitionKeys = partitionKeys;
        maps.forEach((type, map) -> writers.put(type, new Writer(map)));
    }

    /** Configures the maps of the keyed types (a dynamic config, shared with every member); talks to the cluster, so off the event loop. */
    public static Future<KeyedState> open(Vertx vertx, HazelcastInstance hazelcast, Map<String, StateOptions> types) {
        if (types.isEmpty()) {
            return Future.succeededFuture(KeyedState.NONE);
        }
        return vertx.executeBlocking(() -> {
            PartitionService partitions = hazelcast.getPartitionService();
            int count = partitions.getPartitions().size();
            Map<String, IMap<String, StateEntry>> maps = new HashMap<>();
            types.forEach((type, options) -> {
                configure(hazelcast, type, options, count);
                maps.put(type, hazelcast.getMap(MAP_PREFIX + type));
            });
            return new HazelcastKeyedState(vertx, Map.copyOf(maps), partitions, partitionKeys(partitions, count));
        }, false);
    }

    private static void configure(HazelcastInstance hazelcast, String type, StateOptions options, int partitionCount) {
        int perPartition = (int) Math.max(1, (options.maxKeys() + (long) partitionCount - 1) / partitionCount);
        MapConfig config = new MapConfig(MAP_PREFIX + type)
                .setBackupCount(1)
                .setAsyncBackupCount(0)
                // entries are immutable: the entry processor reads and replaces the object, no deserialisation per update
                .setInMemoryFormat(com.hazelcast.config.InMemoryFormat.OBJECT)
                .setEvictionConfig(new EvictionConfig()
                        .setEvictionPolicy(EvictionPolicy.LRU)
                        .setMaxSizePolicy(MaxSizePolicy.PER_PARTITION)
                        .setSize(perPartition));
        try {
            hazelcast.getConfig().addMapConfig(config);
        } catch (InvalidConfigurationException e) {
            LOG.warning("the state of " + type + " keeps the settings the cluster already has, not maxKeys " + options.maxKeys()
                    + " (restart the whole cluster to change them): " + e.getMessage());
        }
    }

    /** For each partition, a string key Hazelcast places in it (found by trying; a few thousand hashes at start). */
    static String[] partitionKeys(PartitionService partitions, int count) {
        String[] keys = new String[count];
        int found = 0;
        for (int i = 0; found < count && i < count * 1000; i++) {
            String key = "p" + i;
            int id = partitions.getPartition(key).getPartitionId();
            if (keys[id] == null) {
                keys[id] = key;
                found++;
            }
        }
        if (found < count) {
            throw new IllegalStateException("no key found for " + (count - found) + " of " + count + " partitions");
        }
        return keys;
    }

    private IMap<String, StateEntry> map(String type) {
        IMap<String, StateEntry> map = maps.get(type);
        if (map == null) {
            throw new IllegalArgumentException(type + " keeps no state");
        }
        return map;
    }

    @Override
    public Future<Void> update(String type, List<StateEntry> entries) {
        Writer writer = writers.get(type);
        if (writer == null) {
            throw new IllegalArgumentException(type + " keeps no state");
        }
        return Future.fromCompletionStage(writer.add(entries), vertx.getOrCreateContext());
    }

    @Override
    public Future<Void> settled(String type) {
        Writer writer = writers.get(type);
        if (writer == null) {
            return Future.succeededFuture();
        }
        return Future.fromCompletionStage(writer.settled().handle((v, failed) -> (Void) null), vertx.getOrCreateContext());
    }

    /**
     * A type's updates from this node, group-committed as appends are: while one round of entry processors is in
     * flight, what comes meanwhile waits, and several events of one key keep only the newest ({@link StateRule}: the
     * rule takes the highest seq, so applying the newest alone ends alike). A busy type then costs one entry
     * processor per key per round trip, not per event (ingest: per event had cost a clustered node most of its batch
     * throughput). Thread-safe: appends complete on several event loops.
     */
    private final class Writer {
        private final IMap<String, StateEntry> map;
        private Map<String, StateEntry> pending = new HashMap<>();
        private List<CompletableFuture<Void>> pendingWaiters = new ArrayList<>();
        /** The waiters of the round in flight; null when none is. */
        private List<CompletableFuture<Void>> inFlightWaiters;

        Writer(IMap<String, StateEntry> map) {
            this.map = map;
        }

        CompletableFuture<Void> add(List<StateEntry> entries) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            boolean start;
            synchronized (this) {
                for (StateEntry entry : entries) {
                    pending.merge(entry.key(), entry, (current, incoming) -> StateRule.next(current, incoming) == null ? current : incoming);
                }
                pendingWaiters.add(done);
                start = inFlightWaiters == null;
                if (start) {
                    inFlightWaiters = new ArrayList<>();
                }
            }
            if (start) {
                flush();
            }
            return done;
        }

        /** Completes once what is in flight and what waits now have landed. */
        CompletableFuture<Void> settled() {
            CompletableFuture<Void> done = new CompletableFuture<>();
            synchronized (this) {
                if (inFlightWaiters == null) {
                    return CompletableFuture.completedFuture(null);
                }
                (pending.isEmpty() ? inFlightWaiters : pendingWaiters).add(done);
            }
            return done;
        }

        private void flush() {
            Map<String, StateEntry> round;
            synchronized (this) {
                if (pending.isEmpty()) {
                    List<CompletableFuture<Void>> waiting = inFlightWaiters;
                    inFlightWaiters = null;
                    waiting.forEach(w -> w.complete(null));
                    return;
                }
                round = pending;
                pending = new HashMap<>();
                inFlightWaiters.addAll(pendingWaiters);
                pendingWaiters = new ArrayList<>();
            }
            CompletableFuture<Void> sent;
            try {
                List<CompletableFuture<Boolean>> all = new ArrayList<>(round.size());
                for (StateEntry entry : round.values()) {
                    all.add(map.submitToKey(entry.key(), new KeepNewer(entry)).toCompletableFuture());
                }
                sent = CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
            } catch (RuntimeException notSent) { // Hazelcast shutting down: the round fails, the next one tries again
                sent = CompletableFuture.failedFuture(notSent);
            }
            sent.whenComplete((v, failed) -> {
                List<CompletableFuture<Void>> landed;
                synchronized (this) {
                    landed = inFlightWaiters;
                    inFlightWaiters = new ArrayList<>();
                }
                for (CompletableFuture<Void> waiter : landed) {
                    if (failed == null) {
                        waiter.complete(null);
                    } else {
                        waiter.completeExceptionally(failed);
                    }
                }
                flush();
            });
        }
    }

    @Override
    public Future<StatePage> page(String type, StateCursor after, int limit, Predicate<StateEntry> readable) {
        IMap<String, StateEntry> map = map(type);
        StateCursor from = after == null ? StateCursor.START : after;
        int count = partitionKeys.length;
        return vertx.executeBlocking(() -> {
            StatePager pager = new StatePager(from, limit, readable);
            // about twice a page's worth of entries a query: the state's size over the partitions says how many partitions that is
            long perPartition = Math.max(1, map.size() / count);
            int step = (int) Math.max(1, Math.min(MAX_PARTITIONS_PER_QUERY, 2L * limit / perPartition));
            int queries = 0;
            for (int first = Math.min(from.bucket(), count); first < count && !pager.done() && queries < MAX_QUERIES_PER_PAGE; queries++) {
                int end = Math.min(count, first + step);
                Set<String> keys = new HashSet<>();
                for (int p = first; p < end; p++) {
                    keys.add(partitionKeys[p]);
                }
                Collection<Map.Entry<String, StateEntry>> found = map.entrySet(Predicates.multiPartitionPredicate(keys, Predicates.alwaysTrue()));
                List<List<StateEntry>> byPartition = new ArrayList<>(end - first);
                for (int p = first; p < end; p++) {
                    byPartition.add(new ArrayList<>());
                }
                for (Map.Entry<String, StateEntry> entry : found) {
                    int p = partitions.getPartition(entry.getKey()).getPartitionId();
                    if (p >= first && p < end) {
                        byPartition.get(p - first).add(entry.getValue());
                    }
                }
                for (int p = first; p < end && !pager.done(); p++) {
                    pager.offer(p, byPartition.get(p - first));
                }
                first = end;
                step = Math.min(MAX_PARTITIONS_PER_QUERY, step * 2); // still room in the page: the state is sparser than its size said
            }
            return pager.page(count);
        }, false);
    }
}
