package io.herald.event;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The event log of a single node run without a cluster (HERALD_CLUSTER=false): numbering in memory. */
public final class LocalEventLog implements EventLog {
    private final ConcurrentHashMap<String, AtomicLong> sequences = new ConcurrentHashMap<>();

    @Override
    public Future<Long> append(String type, JsonObject record) {
        return Future.succeededFuture(sequences.computeIfAbsent(type, t -> new AtomicLong()).incrementAndGet());
    }
}
