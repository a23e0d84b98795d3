package io.herald.state;

import io.herald.event.Target;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * The targets of kept events (inbox entries, keyed state), decoded from the JSON they are stored as once and then
 * looked up by that text: a page of an inbox or of a state tests every entry's target (the unread count counts every
 * readable entry), and reading it again, on any node, would parse each of them again. The stored bytes stay as they
 * are (a rolling upgrade reads them unchanged); what is decoded is kept here, bounded: at most {@link #MAX_ENTRIES}
 * targets of at most {@link #MAX_JSON_CHARS} characters each (a longer one is decoded each time, never kept), the whole
 * set dropped when full (a cache, never a source of truth: a dropped target is decoded again).
 */
public final class TargetCache {
    public static final int MAX_ENTRIES = 2048;
    public static final int MAX_JSON_CHARS = 512;
    /** The one every reader of a node shares. */
    public static final TargetCache SHARED = new TargetCache(MAX_ENTRIES, MAX_JSON_CHARS);

    /** A decoded target; {@code target} null for an empty one (everyone allowed). */
    private record Decoded(Target target) {
    }

    private final int maxEntries;
    private final int maxChars;
    private final ConcurrentHashMap<String, Decoded> decoded = new ConcurrentHashMap<>();
    private final LongAdder decodes = new LongAdder();
    private final Function<String, Target> decoder = json -> {
        decodes.increment();
        return Target.fromJson(new JsonObject(json));
    };

    TargetCache(int maxEntries, int maxChars) {
        this.maxEntries = maxEntries;
        this.maxChars = maxChars;
    }

    /** The target stored as {@code json} (null: none, as is an empty one); a bad one throws as {@link Target#fromJson} does, and is not kept. */
    public Target target(String json) {
        if (json == null) {
            return null;
        }
        if (json.length() > maxChars) {
            return decoder.apply(json);
        }
        Decoded known = decoded.get(json);
        if (known == null) {
            known = new Decoded(decoder.apply(json));
            if (decoded.size() >= maxEntries) {
                decoded.clear();
            }
            decoded.put(json, known);
        }
        return known.target();
    }

    /** How many targets were decoded (parsed) so far. */
    public long decodes() {
        return decodes.sum();
    }

    /** How many are kept now. */
    int size() {
        return decoded.size();
    }
}
