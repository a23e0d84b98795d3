package io.herald.event;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.ringbuffer.OverflowPolicy;
import com.hazelcast.ringbuffer.Ringbuffer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The cluster's event log: a Hazelcast ring buffer per event type ({@code herald.events.<type>},
 * sized in cluster.xml). The ring buffer's sequence gives {@code seq}, its items are the history.
 */
public final class HazelcastEventLog implements EventLog {
    public static final String RING_PREFIX = "herald.events.";

    private final Vertx vertx;
    private final Map<String, Ringbuffer<String>> rings;

    private HazelcastEventLog(Vertx vertx, Map<String, Ringbuffer<String>> rings) {
        this.vertx = vertx;
        this.rings = rings;
    }

    /** Creates the ring buffer proxies of every catalog type; that talks to the cluster, so off the event loop. */
    public static Future<HazelcastEventLog> open(Vertx vertx, HazelcastInstance hazelcast, Collection<String> types) {
        return vertx.executeBlocking(() -> {
            Map<String, Ringbuffer<String>> rings = new HashMap<>();
            for (String type : types) {
                rings.put(type, hazelcast.getRingbuffer(RING_PREFIX + type));
            }
            return new HazelcastEventLog(vertx, Map.copyOf(rings));
        });
    }

    @Override
    public Future<Long> append(String type, JsonObject record) {
        Ringbuffer<String> ring = rings.get(type);
        if (ring == null) {
            return Future.failedFuture(new IllegalArgumentException("no ring buffer for " + type));
        }
        return Future.fromCompletionStage(ring.addAsync(record.encode(), OverflowPolicy.OVERWRITE), vertx.getOrCreateContext())
                .map(sequence -> sequence + 1);
    }
}
