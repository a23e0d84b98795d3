package io.herald.history;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

import java.io.IOException;

/**
 * One event waiting in a user's inbox (docs/backends.md, "Per-user inbox"): its envelope as delivered, with what a
 * reader's rules need without parsing it ({@code type}, {@code ownerId}, {@code target} as JSON) and its place in the
 * inbox ({@code ts}, then {@code id}). Stored in Hazelcast as it is (DataSerializable), so every field is plain.
 */
public final class InboxEntry implements DataSerializable {
    private static final byte FORMAT = 1;

    private String id;
    private String type;
    private long seq;
    private String epoch;
    private long ts;
    private String ownerId;
    private String target;
    private String envelope;

    /** For Hazelcast's deserialisation. */
    public InboxEntry() {
    }

    public InboxEntry(String id, String type, long seq, String epoch, long ts, String ownerId, String target, String envelope) {
        this.id = id;
        this.type = type;
        this.seq = seq;
        this.epoch = epoch;
        this.ts = ts;
        this.ownerId = ownerId;
        this.target = target;
        this.envelope = envelope;
    }

    /** The event's id: what {@code herald:ack} names. */
    public String id() {
        return id;
    }

    public String type() {
        return type;
    }

    public long seq() {
        return seq;
    }

    public String epoch() {
        return epoch;
    }

    /** When the event was published: the inbox's order, and its age. */
    public long ts() {
        return ts;
    }

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

    /**
     * Whether this entry comes before the one at {@code (otherTs, otherSeq, otherId)} in the inbox's order: older first;
     * within one millisecond by seq (a type's order), then by id.
     */
    boolean before(long otherTs, long otherSeq, String otherId) {
        return ts != otherTs ? ts < otherTs : seq != otherSeq ? seq < otherSeq : id.compareTo(otherId) < 0;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeByte(FORMAT);
        out.writeString(id);
        out.writeString(type);
        out.writeLong(seq);
        out.writeString(epoch);
        out.writeLong(ts);
        out.writeString(ownerId);
        out.writeString(target);
        out.writeString(envelope);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        byte format = in.readByte();
        if (format != FORMAT) {
            throw new IOException("unknown inbox entry format " + format);
        }
        id = in.readString();
        type = in.readString();
        seq = in.readLong();
        epoch = in.readString();
        ts = in.readLong();
        ownerId = in.readString();
        target = in.readString();
        envelope = in.readString();
    }

    @Override
    public String toString() {
        return "InboxEntry[" + type + " " + id + " seq " + seq + "]";
    }
}
