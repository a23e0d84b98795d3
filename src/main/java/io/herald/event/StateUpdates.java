package io.herald.event;

import io.herald.catalog.EventCatalog;
import io.vertx.core.json.JsonObject;

/** What the publisher reads of an event for its type's keyed state (docs/state.md). */
public final class StateUpdates {
    /** The longest key kept: an event with a longer one is not kept in state (unkeyed). */
    public static final int MAX_KEY_LENGTH = 1024;
    public static final String APPLIED = "applied";
    public static final String FAILED = "failed";
    public static final String UNKEYED = "unkeyed";

    private StateUpdates() {
    }

    /** The event's key: its data's key field as text, when a string or a number of at most {@value #MAX_KEY_LENGTH} characters; else null. */
    public static String key(JsonObject data, EventCatalog.StateOptions keyed) {
        Object value = data == null ? null : data.getValue(keyed.key());
        String key = value instanceof String text ? text : value instanceof Number number ? number.toString() : null;
        return key == null || key.isEmpty() || key.length() > MAX_KEY_LENGTH ? null : key;
    }
}
