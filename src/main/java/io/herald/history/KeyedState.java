package io.herald.history;

import io.vertx.core.Future;

import java.util.List;
import java.util.function.Predicate;

/**
 * The keyed state of the types the catalog keys ({@code "state": {"key", "maxKeys"}}, docs/state.md): per type, the
 * latest event of each key, kept by {@link StateRule}, at most {@code maxKeys} keys (the least recently updated go
 * first). Hazelcast maps in a cluster ({@link HazelcastKeyedState}), memory on a single node ({@link LocalKeyedState}).
 * The node that appends an event updates the state after the append ({@link #update}); readers page through it in a
 * stable order ({@link #page}).
 */
public interface KeyedState {
    /** No type keeps state. */
    KeyedState NONE = new KeyedState() {
        @Override
        public Future<Void> update(String type, List<StateEntry> entries) {
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> settled(String type) {
            return Future.succeededFuture();
        }

        @Override
        public Future<StatePage> page(String type, StateCursor after, int limit, Predicate<StateEntry> readable) {
            return Future.succeededFuture(new StatePage(List.of(), null));
        }
    };

    /** Applies events just appended (several of one key: the last counts); completes when the state has them. */
    Future<Void> update(String type, List<StateEntry> entries);

    /** Completes when the updates this node had in flight for the type when called have landed (or failed). */
    Future<Void> settled(String type);

    /**
     * Up to {@code limit} entries after {@code after} (null: from the start) that {@code readable} accepts, tombstones
     * never; a page may hold fewer (even none) and still be followed by more: its {@code next} says where to go on.
     */
    Future<StatePage> page(String type, StateCursor after, int limit, Predicate<StateEntry> readable);
}
