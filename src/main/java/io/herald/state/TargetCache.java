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
 * are (a rolling upgrade reads them unchanged); what is decoded is kept here, bounded: targets of at most
 * {@link #MAX_JSON_CHARS} characters each (a longer one is decoded each time, never kept), in two generations of at
 * most {@link #MAX_ENTRIES} each. When the current one is full it becomes the old one (the one before is dropped) and a
 * new current one starts; a target found in the old one is promoted to the current one. So targets read again and
 * again (an inbox read page after page, a busy user's) stay decoded however many others pass through (inbox targets
 * are per user: more distinct ones than {@link #MAX_ENTRIES} on a busy node), and at most 2 × {@link #MAX_ENTRIES} are
 * kept. A cache, never a source of truth: a dropped target is decoded again. Readers on several event loops share
 * one: a hit reads without a lock; a miss or a promotion takes this cache's lock for one put (and, once a generation,
 * the swap), after the decoding.
 */
public final class TargetCache {
    public static final int MAX_ENTRIES = 2048;
    public static final int MAX_JSON_CHARS = 512;
    /** The one every reader of a node shares. */
    public static final TargetCache SHARED = new TargetCache();

    /** A decoded target; {@code target} null for an empty one (everyone allowed). */
    private record Decoded(Target target) {
    }

    private final int maxEntries;
    private final int maxChars;
    /** The generation new and promoted targets go to (at most {@code maxEntries}); replaced under this cache's lock. */
    private volatile ConcurrentHashMap<String, Decoded> current = new ConcurrentHashMap<>();
    /** The generation before (at most {@code maxEntries}), dropped when the current one fills again. */
    private volatile ConcurrentHashMap<String, Decoded> old = new ConcurrentHashMap<>();
    private final LongAdder decodes = new LongAdder();
    private final Function<String, Target> decoder = json -> {
        decodes.increment();
        return Target.fromJson(new JsonObject(json));
    };

    /** A cache of its own, of the node's bounds (a reader that must not share {@link #SHARED}, a test). */
    public TargetCache() {
        this(MAX_ENTRIES, MAX_JSON_CHARS);
    }

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
        Decoded known = current.get(json);
        if (known == null) {
            Decoded aged = old.get(json);
            known = aged != null ? aged : new Decoded(decoder.apply(json));
            keep(json, known);
        }
        return known.target();
    }

    /** Puts a target in the current generation, which becomes the old one first when it is full. */
    private synchronized void keep(String json, Decoded known) {
        ConcurrentHashMap<String, Decoded> into = current;
        if (into.size() >= maxEntries && !into.containsKey(json)) {
            old = into;
            into = new ConcurrentHashMap<>();
            current = into;
        }
        into.put(json, known);
    }

    /** How many targets were decoded (parsed) so far. */
    public long decodes() {
        return decodes.sum();
    }

    /** How many are kept now (both generations; one in both counts twice). */
    int size() {
        return current.size() + old.size();
    }
}
