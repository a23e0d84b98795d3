package io.herald.webhooks;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.Collection;
import java.util.Map;

/**
 * Where each webhook's {@link LaneState} per event type is kept: in a cluster, an IMap with a backup
 * ({@link HazelcastWebhookStore}), so that the node taking over resumes where the one that died stopped; on a single
 * node, memory. Keys are {@link #key(String, String)}. Futures complete on the caller's context.
 */
public interface WebhookStore {
    Future<JsonObject> load(String key);

    Future<Void> save(String key, JsonObject state);

    /** The states of these keys (absent ones left out). */
    Future<Map<String, JsonObject>> loadAll(Collection<String> keys);

    static String key(String webhookId, String type) {
        return webhookId + " " + type;
    }
}
