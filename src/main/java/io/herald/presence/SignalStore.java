package io.herald.presence;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The unexpired room signals this node heard (its own connections' and the other nodes'), so that a {@code herald:join}
 * reply carries the room's current ones. Each sender's latest signal in a room is kept (a user's new signal replaces its
 * earlier one; anonymous senders are each kept apart); at most {@code maxPerRoom} a room (a full room drops the one that
 * expires first) and {@code maxTotal} in all (past it a signal is still delivered, not kept). Expired ones are never
 * answered and are dropped by {@link #sweep()}. Thread-safe: the bridges' event loops and the signal consumer share one.
 */
public final class SignalStore {
    public static final int MAX_PER_ROOM = 64;
    public static final int MAX_TOTAL = 20_000;

    private record Kept(long expiresAt, String bodyJson) {
    }

    private final int maxPerRoom;
    private final int maxTotal;
    /** Wall-clock ms (expiry times cross nodes). */
    private final LongSupplier clock;
    private final Map<String, LinkedHashMap<String, Kept>> rooms = new HashMap<>();
    private int total;
    private long anonymous;

    public SignalStore(LongSupplier clock) {
        this(MAX_PER_ROOM, MAX_TOTAL, clock);
    }

    public SignalStore(int maxPerRoom, int maxTotal, LongSupplier clock) {
        this.maxPerRoom = maxPerRoom;
        this.maxTotal = maxTotal;
        this.clock = clock;
    }

    /**
     * Keeps a signal of {@code room} from {@code sender} (a user id; null: anonymous) until {@code expiresAt}; answers
     * whether it was kept (not when expired already, or past {@code maxTotal}).
     */
    public synchronized boolean keep(String room, String sender, long expiresAt, String bodyJson) {
        if (expiresAt <= clock.getAsLong()) {
            return false;
        }
        LinkedHashMap<String, Kept> signals = rooms.get(room);
        String key = sender != null ? sender : "\0" + anonymous++;
        Kept previous = signals == null ? null : signals.remove(key);
        if (previous != null) {
            total--;
        } else if (total >= maxTotal) {
            return false;
        }
        if (signals == null) {
            signals = new LinkedHashMap<>();
            rooms.put(room, signals);
        }
        if (signals.size() >= maxPerRoom) {
            dropFirstToExpire(signals);
        }
        signals.put(key, new Kept(expiresAt, bodyJson));
        total++;
        return true;
    }

    private void dropFirstToExpire(LinkedHashMap<String, Kept> signals) {
        String first = null;
        long earliest = Long.MAX_VALUE;
        for (Map.Entry<String, Kept> entry : signals.entrySet()) {
            if (entry.getValue().expiresAt() < earliest) {
                earliest = entry.getValue().expiresAt();
                first = entry.getKey();
            }
        }
        signals.remove(first);
        total--;
    }

    /** The room's unexpired signals (their bodies, as clients get them), oldest first. */
    public synchronized JsonArray current(String room) {
        JsonArray result = new JsonArray();
        LinkedHashMap<String, Kept> signals = rooms.get(room);
        if (signals == null) {
            return result;
        }
        long now = clock.getAsLong();
        List<String> bodies = new ArrayList<>(signals.size());
        for (Kept kept : signals.values()) {
            if (kept.expiresAt() > now) {
                bodies.add(kept.bodyJson());
            }
        }
        bodies.forEach(body -> result.add(new JsonObject(body)));
        return result;
    }

    /** Drops the expired signals (and rooms left empty); answers how many. */
    public synchronized int sweep() {
        long now = clock.getAsLong();
        int dropped = 0;
        for (Iterator<LinkedHashMap<String, Kept>> roomIt = rooms.values().iterator(); roomIt.hasNext(); ) {
            LinkedHashMap<String, Kept> signals = roomIt.next();
            for (Iterator<Kept> it = signals.values().iterator(); it.hasNext(); ) {
                if (it.next().expiresAt() <= now) {
                    it.remove();
                    dropped++;
                }
            }
            if (signals.isEmpty()) {
                roomIt.remove();
            }
        }
        total -= dropped;
        return dropped;
    }

    /** Signals kept, expired or not (until swept). */
    public synchronized int size() {
        return total;
    }

    /** Rooms with a kept signal. */
    public synchronized int rooms() {
        return rooms.size();
    }
}
