package io.herald.event;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Where events are kept and numbered: one log per event type, whose sequence is the envelope's
 * {@code seq} (1 for a type's first event, rising by one per event across the whole cluster).
 */
public interface EventLog {
    /** Appends an event record (the envelope without its seq) and answers the seq it got. */
    Future<Long> append(String type, JsonObject record);
}
