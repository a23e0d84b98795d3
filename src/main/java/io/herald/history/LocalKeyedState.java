package io.herald.history;

import io.herald.catalog.EventCatalog.StateOptions;
import io.vertx.core.Future;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Keyed state in memory, for a node without a cluster: per type, entries in key order (pages) and in the order they
 * were last updated (eviction: past {@code maxKeys}, exactly the least recently updated key goes, tombstones included).
 * Tombstones older than {@link StateRule#TOMBSTONE_MS} count as absent. One bucket. Thread-safe (a lock per type).
 */
public final class LocalKeyedState implements KeyedState {
    private final Map<String, Table> tables = new HashMap<>();
    private final LongSupplier clock;

    public LocalKeyedState(Map<String, StateOptions> types) {
        this(types, System::currentTimeMillis);
    }

    public LocalKeyedState(Map<String, StateOptions> types, LongSupplier clock) {
        this.clock = clock;
        types.forEach((type, options) -> tables.put(type, new Table(options.maxKeys())));
    }

    private Table table(String type) {
        Table table = tables.get(type);
        if (table == null) {
            throw new IllegalArgumentException(type + " keeps no state");
        }
        return table;
    }

    @Override
    public Future<Void> update(String type, List<StateEntry> entries) {
        Table table = table(type);
        synchronized (table) {
            for (StateEntry entry : entries) {
                table.apply(entry, clock.getAsLong());
            }
        }
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> settled(String type) {
        return Future.succeededFuture(); // updates apply at once
    }

    @Override
    public Future<StatePage> page(String type, StateCursor after, int limit, Predicate<StateEntry> readable) {
        Table table = table(type);
        StatePager pager = new StatePager(after, limit, readable);
        synchronized (table) {
            if (after == null || after.bucket() == 0) {
                String from = after == null ? null : after.key();
                // the bucket from the cursor on, in pieces, so that a page does not copy the whole state
                Map<String, StateEntry> rest = from == null ? table.byKey : table.byKey.tailMap(from, false);
                List<StateEntry> piece = new java.util.ArrayList<>();
                long now = clock.getAsLong();
                for (StateEntry entry : rest.values()) {
                    if (!(entry.deleted() && now - entry.updatedAt() > StateRule.TOMBSTONE_MS)) {
                        piece.add(entry);
                    }
                    if (piece.size() >= (long) StatePager.MAX_SCANNED_PER_ENTRY * limit) {
                        break;
                    }
                }
                pager.offer(0, piece);
            }
        }
        return Future.succeededFuture(pager.page(1));
    }

    /** How many keys the type holds (tombstones included). */
    public int size(String type) {
        Table table = table(type);
        synchronized (table) {
            return table.byKey.size();
        }
    }

    private static final class Table {
        final int maxKeys;
        final TreeMap<String, StateEntry> byKey = new TreeMap<>();
        /** Keys, least recently updated first. */
        final LinkedHashMap<String, Boolean> byUpdate = new LinkedHashMap<>();

        Table(int maxKeys) {
            this.maxKeys = maxKeys;
        }

        void apply(StateEntry incoming, long now) {
            StateEntry current = byKey.get(incoming.key());
            if (current != null && current.deleted() && now - current.updatedAt() > StateRule.TOMBSTONE_MS) {
                current = null;
            }
            StateEntry next = StateRule.next(current, incoming);
            if (next == null) {
                return;
            }
            byKey.put(next.key(), next);
            byUpdate.remove(next.key());
            byUpdate.put(next.key(), Boolean.TRUE);
            Iterator<String> oldest = byUpdate.keySet().iterator();
            while (byKey.size() > maxKeys && oldest.hasNext()) {
                byKey.remove(oldest.next());
                oldest.remove();
            }
        }
    }
}
