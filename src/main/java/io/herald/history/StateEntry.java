package io.herald.history;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;

import java.io.IOException;

/**
 * One key of a keyed type's state (docs/state.md): the latest event of that key, a {@link StoredEvent} whose
 * {@code seq} and {@code epoch} the update rule compares. A {@code deleted} entry is a tombstone: the key was removed at
 * {@code seq}; it keeps an older event that arrives late from coming back, is never read, and goes after
 * {@link StateRule#TOMBSTONE_MS}. Stored in Hazelcast as it is (DataSerializable): format byte, key, seq, epoch, ts,
 * deleted, ownerId, target, envelope; the class never changes shape lightly.
 */
public final class StateEntry extends StoredEvent {
    private static final byte FORMAT = 1;

    private String key;
    private boolean deleted;

    /** For Hazelcast's deserialisation. */
    public StateEntry() {
    }

    public StateEntry(String key, long seq, String epoch, long updatedAt, boolean deleted, String ownerId, String target, String envelope) {
        super(seq, epoch, updatedAt, ownerId, target, envelope);
        this.key = key;
        this.deleted = deleted;
    }

    public String key() {
        return key;
    }

    /** When the event was published (its ts): the order of eviction in a single node's state. */
    public long updatedAt() {
        return ts();
    }

    public boolean deleted() {
        return deleted;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeByte(FORMAT);
        out.writeString(key);
        writePosition(out);
        out.writeBoolean(deleted);
        writeEvent(out);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        in.readByte(); // the format: one so far
        key = in.readString();
        readPosition(in);
        deleted = in.readBoolean();
        readEvent(in);
    }

    @Override
    public String toString() {
        return (deleted ? "deleted " : "") + key + "@" + epoch() + ":" + seq();
    }
}
