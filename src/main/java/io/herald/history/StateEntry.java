package io.herald.history;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

import java.io.IOException;

/**
 * One key of a keyed type's state (docs/state.md): the latest event of that key, as its envelope, with what a reader's
 * rules need without parsing it ({@code ownerId}, {@code target} as JSON) and what the update rule compares
 * ({@code seq}, {@code epoch}). A {@code deleted} entry is a tombstone: the key was removed at {@code seq}; it keeps an
 * older event that arrives late from coming back, is never read, and goes after {@link StateRule#TOMBSTONE_MS}.
 * Stored in Hazelcast as it is (DataSerializable), so every field is plain and the class never changes shape lightly.
 */
public final class StateEntry implements DataSerializable {
    private static final byte FORMAT = 1;

    private String key;
    private long seq;
    private String epoch;
    private long updatedAt;
    private boolean deleted;
    private String ownerId;
    private String target;
    private String envelope;

    /** For Hazelcast's deserialisation. */
    public StateEntry() {
    }

    public StateEntry(String key, long seq, String epoch, long updatedAt, boolean deleted, String ownerId, String target, String envelope) {
        this.key = key;
        this.seq = seq;
        this.epoch = epoch;
        this.updatedAt = updatedAt;
        this.deleted = deleted;
        this.ownerId = ownerId;
        this.target = target;
        this.envelope = envelope;
    }

    public String key() {
        return key;
    }

    public long seq() {
        return seq;
    }

    public String epoch() {
        return epoch;
    }

    /** When the event was published (its ts): the order of eviction in a single node's state. */
    public long updatedAt() {
        return updatedAt;
    }

    public boolean deleted() {
        return deleted;
    }

    public String ownerId() {
        return ownerId;
    }

    /** The event's target as JSON, or null. */
    public String target() {
        return target;
    }

    /** The event's envelope (with {@code "delete": true} for a tombstone). */
    public String envelope() {
        return envelope;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeByte(FORMAT);
        out.writeString(key);
        out.writeLong(seq);
        out.writeString(epoch);
        out.writeLong(updatedAt);
        out.writeBoolean(deleted);
        out.writeString(ownerId);
        out.writeString(target);
        out.writeString(envelope);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        in.readByte(); // the format: one so far
        key = in.readString();
        seq = in.readLong();
        epoch = in.readString();
        updatedAt = in.readLong();
        deleted = in.readBoolean();
        ownerId = in.readString();
        target = in.readString();
        envelope = in.readString();
    }

    @Override
    public String toString() {
        return (deleted ? "deleted " : "") + key + "@" + epoch + ":" + seq;
    }
}
