package io.herald.history;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

import java.io.IOException;

/**
 * A kept event as the cluster stores it outside history (an inbox entry, a key of a keyed state): its envelope as
 * delivered, with what a reader's rules need without parsing it ({@code ownerId}, {@code target} as JSON) and where it
 * stands ({@code seq}, {@code epoch}, {@code ts}). Stored in Hazelcast as each subclass writes it (DataSerializable:
 * the subclass's name, then its fields); this class writes its fields in two runs, {@link #writePosition} and
 * {@link #writeEvent}, so that each subclass keeps the bytes it always wrote (a rolling upgrade reads both ways).
 */
public abstract class StoredEvent implements DataSerializable {
    private long seq;
    private String epoch;
    private long ts;
    private String ownerId;
    private String target;
    private String envelope;

    /** For Hazelcast's deserialisation. */
    protected StoredEvent() {
    }

    protected StoredEvent(long seq, String epoch, long ts, String ownerId, String target, String envelope) {
        this.seq = seq;
        this.epoch = epoch;
        this.ts = ts;
        this.ownerId = ownerId;
        this.target = target;
        this.envelope = envelope;
    }

    public long seq() {
        return seq;
    }

    public String epoch() {
        return epoch;
    }

    /** When the event was published (its envelope's ts). */
    public long ts() {
        return ts;
    }

    /** The owner's user id (the namespace's ownerField), or null. */
    public String ownerId() {
        return ownerId;
    }

    /** The event's target as JSON, or null. */
    public String target() {
        return target;
    }

    public String envelope() {
        return envelope;
    }

    /** seq, epoch, ts. */
    protected final void writePosition(ObjectDataOutput out) throws IOException {
        out.writeLong(seq);
        out.writeString(epoch);
        out.writeLong(ts);
    }

    protected final void readPosition(ObjectDataInput in) throws IOException {
        seq = in.readLong();
        epoch = in.readString();
        ts = in.readLong();
    }

    /** ownerId, target, envelope. */
    protected final void writeEvent(ObjectDataOutput out) throws IOException {
        out.writeString(ownerId);
        out.writeString(target);
        out.writeString(envelope);
    }

    protected final void readEvent(ObjectDataInput in) throws IOException {
        ownerId = in.readString();
        target = in.readString();
        envelope = in.readString();
    }
}
