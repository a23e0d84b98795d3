package io.herald.webhooks;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@link WebhookStore} of a node without a cluster: memory (its history is memory too, lost with it). */
public final class LocalWebhookStore implements WebhookStore {
    private final Map<String, JsonObject> states = new ConcurrentHashMap<>();

    @Override
    public Future<JsonObject> load(String key) {
        JsonObject state = states.get(key);
        return Future.succeededFuture(state == null ? null : state.copy());
    }

    @Override
    public Future<Void> save(String key, JsonObject state) {
        states.put(key, state.copy());
        return Future.succeededFuture();
    }

    @Override
    public Future<Map<String, JsonObject>> loadAll(Collection<String> keys) {
        Map<String, JsonObject> result = new LinkedHashMap<>();
        for (String key : keys) {
            JsonObject state = states.get(key);
            if (state != null) {
                result.put(key, state.copy());
            }
        }
        return Future.succeededFuture(result);
    }
}
