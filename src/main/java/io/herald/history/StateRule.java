package io.herald.history;

/**
 * The update rule of a keyed state, the same in Hazelcast ({@link KeepNewer}) and on a single node
 * ({@link LocalKeyedState}): an entry keeps the event of its key with the highest {@code seq}, whatever order the
 * updates arrive in (two nodes append to one stream and update its state concurrently). An event of another epoch
 * (the stream was lost and began again) replaces the entry, since seqs of different epochs do not compare. A delete
 * leaves a tombstone at its seq, so that an older event that arrives after it does not bring the key back.
 */
public final class StateRule {
    /** How long a tombstone is kept: far longer than an update takes to arrive. */
    public static final long TOMBSTONE_MS = 60_000;

    private StateRule() {
    }

    /** The entry after {@code incoming}, or null when {@code current} stays (it holds a later event of the key). */
    public static StateEntry next(StateEntry current, StateEntry incoming) {
        if (current == null || !current.epoch().equals(incoming.epoch()) || incoming.seq() > current.seq()) {
            return incoming;
        }
        return null;
    }
}
