package io.herald.webhooks;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@link WebhookStore} in the cluster: the IMap {@value #MAP} (one synchronous backup), each state as its JSON text.
 * Reads and writes use Hazelcast's async calls (no event loop waits); the map's proxy is made once, off the loop.
 */
public final class HazelcastWebhookStore implements WebhookStore {
    public static final String MAP = "herald.webhooks";

    private final Vertx vertx;
    private final IMap<String, String> map;

    private HazelcastWebhookStore(Vertx vertx, IMap<String, String> map) {
        this.vertx = vertx;
        this.map = map;
    }

    /** Declares the map on a member's config before it starts (cluster.xml may say more): one backup. */
    public static void configure(Config config) {
        if (config.getMapConfigOrNull(MAP) == null) {
            config.addMapConfig(new MapConfig(MAP).setBackupCount(1));
        }
    }

    public static Future<WebhookStore> open(Vertx vertx, HazelcastInstance hazelcast) {
        return vertx.executeBlocking(() -> new HazelcastWebhookStore(vertx, hazelcast.<String, String>getMap(MAP)), false);
    }

    @Override
    public Future<JsonObject> load(String key) {
        return Future.fromCompletionStage(map.getAsync(key), vertx.getOrCreateContext())
                .map(text -> text == null ? null : new JsonObject(text));
    }

    @Override
    public Future<Void> save(String key, JsonObject state) {
        return Future.fromCompletionStage(map.setAsync(key, state.encode()), vertx.getOrCreateContext()).mapEmpty();
    }

    @Override
    public Future<Map<String, JsonObject>> loadAll(Collection<String> keys) {
        Set<String> wanted = Set.copyOf(keys);
        return vertx.executeBlocking(() -> {
            Map<String, String> found = map.getAll(wanted);
            Map<String, JsonObject> result = new LinkedHashMap<>();
            for (String key : keys) {
                String text = found.get(key);
                if (text != null) {
                    result.put(key, new JsonObject(text));
                }
            }
            return result;
        }, false);
    }
}
