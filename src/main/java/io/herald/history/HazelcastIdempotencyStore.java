package io.herald.history;

import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.partition.PartitionAwareKey;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.logging.Logger;

/**
 * The cluster's idempotency keys: the map {@value #MAP} (one synchronous backup), each entry living for the claim's lease
 * or the answer's window (a per-entry TTL). A key is spread over one of {@value #BUCKETS} partitions by its hash, so
 * one group commit's keys go out as one {@code submitToKeys} call per member that owns some of them, each carrying
 * only its own keys' arguments, run by {@link IdempotencyProcessor} on the owning members.
 */
public final class HazelcastIdempotencyStore implements IdempotencyStore {
    private static final Logger LOG = Logger.getLogger(HazelcastIdempotencyStore.class.getName());
    public static final String MAP = "herald.idempotency";
    static final int BUCKETS = 16;
    private static final String[] PARTITION_KEYS = new String[BUCKETS];
    static {
        for (int i = 0; i < BUCKETS; i++) {
            PARTITION_KEYS[i] = MAP + "." + i;
        }
    }

    private final Vertx vertx;
    private final IMap<PartitionAwareKey<String, String>, String> map;
    private final long windowMs;
    /** This member's UUID, stored in its claims: a claim whose member left the cluster is taken over at once. */
    private final String member;
    private final com.hazelcast.partition.PartitionService partitions;

    public HazelcastIdempotencyStore(Vertx vertx, HazelcastInstance hazelcast, long windowMs) {
        this.vertx = vertx;
        this.windowMs = windowMs;
        try {
            hazelcast.getConfig().addMapConfig(new MapConfig(MAP).setBackupCount(1).setAsyncBackupCount(0)
                    .setInMemoryFormat(InMemoryFormat.BINARY));
        } catch (InvalidConfigurationException e) {
            LOG.warning(MAP + " keeps the configuration the cluster already has: " + e.getMessage());
        }
        this.map = hazelcast.getMap(MAP);
        this.member = hazelcast.getCluster().getLocalMember().getUuid().toString();
        this.partitions = hazelcast.getPartitionService();
    }

    @Override
    public Future<Map<String, IdempotencyState.Outcome>> claim(Map<String, String[]> claims) {
        Map<String, String> args = new HashMap<>(claims.size() * 2);
        claims.forEach((key, claim) -> args.put(key, claim[0] + "\n" + claim[1]));
        // a claim's entry is kept for the window (its lease is in the value): a retry after its node died finds its id
        return run(IdempotencyProcessor.CLAIM, args, Math.max(windowMs, LEASE_MS)).map(results -> {
            Map<String, IdempotencyState.Outcome> outcomes = new HashMap<>(results.size() * 2);
            results.forEach((key, outcome) -> outcomes.put(key, IdempotencyState.Outcome.decode(outcome)));
            return outcomes;
        });
    }

    @Override
    public Future<Void> record(Map<String, String[]> answers) {
        Map<String, String> args = new HashMap<>(answers.size() * 2);
        answers.forEach((key, answer) -> args.put(key, answer[0] + "\n" + answer[1]));
        return run(IdempotencyProcessor.RECORD, args, windowMs).mapEmpty();
    }

    @Override
    public Future<Void> release(Map<String, String> hashes) {
        return run(IdempotencyProcessor.RELEASE, hashes, Math.max(windowMs, LEASE_MS)).mapEmpty();
    }

    @Override
    public Future<Void> withdraw(Map<String, String[]> claims) {
        Map<String, String> args = new HashMap<>(claims.size() * 2);
        claims.forEach((key, claim) -> args.put(key, claim[0] + "\n" + claim[1]));
        return run(IdempotencyProcessor.WITHDRAW, args, Math.max(windowMs, LEASE_MS)).mapEmpty();
    }

    /**
     * One call per member that owns the buckets the keys fall in (it was one per bucket: up to 16 calls where Hazelcast
     * groups one call's keys by member anyway), each carrying only its own keys' arguments; answers key → the
     * processor's result. A bucket that moves meanwhile costs Hazelcast another operation, not a wrong answer.
     */
    private Future<Map<String, String>> run(int op, Map<String, String> args, long ttlMs) {
        Context context = vertx.getOrCreateContext();
        Map<Object, HashMap<String, String>> byOwner = new HashMap<>();
        Map<Object, Set<PartitionAwareKey<String, String>>> keysByOwner = new HashMap<>();
        Object[] ownerOfBucket = new Object[BUCKETS];
        args.forEach((key, arg) -> {
            int bucket = bucket(key);
            String partitionKey = PARTITION_KEYS[bucket];
            Object group = ownerOfBucket[bucket];
            if (group == null) {
                com.hazelcast.cluster.Member owner = partitions.getPartition(partitionKey).getOwner();
                group = ownerOfBucket[bucket] = owner == null ? partitionKey : owner.getUuid();
            }
            byOwner.computeIfAbsent(group, g -> new HashMap<>()).put(key, arg);
            keysByOwner.computeIfAbsent(group, g -> new HashSet<>()).add(new PartitionAwareKey<>(key, partitionKey));
        });
        List<Future<Map<PartitionAwareKey<String, String>, String>>> calls = new ArrayList<>(byOwner.size());
        byOwner.forEach((group, groupArgs) -> {
            CompletionStage<Map<PartitionAwareKey<String, String>, String>> stage =
                    map.submitToKeys(keysByOwner.get(group), new IdempotencyProcessor(op, groupArgs, ttlMs, member));
            calls.add(Future.fromCompletionStage(stage, context));
        });
        return Future.all(calls).map(all -> {
            Map<String, String> results = new HashMap<>(args.size() * 2);
            calls.forEach(call -> call.result().forEach((key, result) -> results.put(key.getKey(), result)));
            return results;
        });
    }

    static int bucket(String key) {
        return Math.floorMod(key.hashCode(), BUCKETS);
    }
}
