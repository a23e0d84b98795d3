package io.herald.history;

import com.hazelcast.config.EvictionConfig;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MaxSizePolicy;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * The cluster's inbox: the Hazelcast map {@code herald.inbox}, user id → {@link InboxBox}, one synchronous backup. Filing
 * and acknowledging are entry processors on the user's key ({@link InboxFile}, {@link InboxAck}), so two nodes filing
 * for one user at once both land; reading is one {@code getAsync}. Neither blocks an event loop.
 *
 * <p>Bounded: each inbox by {@link InboxBounds#maxPerUser()} and {@link InboxBounds#maxAgeMs()} (entries older are
 * dropped when the inbox is next filed, and never read); the map's time to live is {@code maxAge} since the inbox was last
 * written, so an inbox nobody files to goes whole once all its entries are too old; and the number of inboxes by
 * Hazelcast's eviction per partition (each of the cluster's partitions keeps at most {@code ceil(maxUsers / partitions)}
 * inboxes, and past that evicts by sampled LRU: approximate, as keyed state's is).
 */
public final class HazelcastInbox implements Inbox {
    private static final Logger LOG = Logger.getLogger(HazelcastInbox.class.getName());
    public static final String MAP = "herald.inbox";

    private final Vertx vertx;
    private final IMap<String, InboxBox> map;
    private final InboxBounds bounds;
    private final LongSupplier clock;

    private HazelcastInbox(Vertx vertx, IMap<String, InboxBox> map, InboxBounds bounds, LongSupplier clock) {
        this.vertx = vertx;
        this.map = map;
        this.bounds = bounds;
        this.clock = clock;
    }

    /** Configures the map (a dynamic config, shared with every member); talks to the cluster, so off the event loop. */
    public static Future<Inbox> open(Vertx vertx, HazelcastInstance hazelcast, InboxBounds bounds) {
        return vertx.executeBlocking(() -> {
            int partitions = hazelcast.getPartitionService().getPartitions().size();
            int perPartition = (int) Math.max(1, (bounds.maxUsers() + (long) partitions - 1) / partitions);
            MapConfig config = new MapConfig(MAP)
                    .setBackupCount(1)
                    .setAsyncBackupCount(0)
                    .setInMemoryFormat(InMemoryFormat.OBJECT)
                    .setTimeToLiveSeconds((int) Math.min(Integer.MAX_VALUE, Math.max(1, bounds.maxAgeMs() / 1000)))
                    .setEvictionConfig(new EvictionConfig()
                            .setEvictionPolicy(EvictionPolicy.LRU)
                            .setMaxSizePolicy(MaxSizePolicy.PER_PARTITION)
                            .setSize(perPartition));
            try {
                hazelcast.getConfig().addMapConfig(config);
            } catch (InvalidConfigurationException e) {
                LOG.warning("the inbox keeps the settings the cluster already has, not maxUsers " + bounds.maxUsers() + " and maxAgeSeconds "
                        + bounds.maxAgeMs() / 1000 + " for the map (restart the whole cluster to change them): " + e.getMessage());
            }
            return new HazelcastInbox(vertx, hazelcast.getMap(MAP), bounds, System::currentTimeMillis);
        }, false);
    }

    @Override
    public Future<Void> file(Map<String, List<InboxEntry>> byUser) {
        long now = clock.getAsLong();
        CompletableFuture<?>[] all = new CompletableFuture<?>[byUser.size()];
        int i = 0;
        try {
            for (Map.Entry<String, List<InboxEntry>> user : byUser.entrySet()) {
                all[i++] = map.submitToKey(user.getKey(), new InboxFile(user.getValue(), bounds, now)).toCompletableFuture();
            }
        } catch (RuntimeException notSent) { // Hazelcast shutting down
            return Future.failedFuture(notSent);
        }
        return Future.fromCompletionStage(CompletableFuture.allOf(all), vertx.getOrCreateContext()).mapEmpty();
    }

    @Override
    public Future<List<InboxEntry>> entries(String userId) {
        long oldest = clock.getAsLong() - bounds.maxAgeMs();
        try {
            return Future.fromCompletionStage(map.getAsync(userId), vertx.getOrCreateContext()).map(box -> {
                if (box == null) {
                    return List.<InboxEntry>of();
                }
                List<InboxEntry> fresh = new ArrayList<>(box.entries().size());
                for (InboxEntry entry : box.entries()) {
                    if (entry.ts() >= oldest) {
                        fresh.add(entry);
                    }
                }
                return fresh;
            });
        } catch (RuntimeException notSent) {
            return Future.failedFuture(notSent);
        }
    }

    @Override
    public Future<Integer> ack(String userId, Set<String> ids) {
        try {
            return Future.fromCompletionStage(map.submitToKey(userId, new InboxAck(ids)), vertx.getOrCreateContext());
        } catch (RuntimeException notSent) {
            return Future.failedFuture(notSent);
        }
    }
}
