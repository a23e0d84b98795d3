package io.herald.history;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;

import java.io.IOException;

/**
 * One event waiting in a user's inbox (docs/backends.md, "Per-user inbox"): a {@link StoredEvent} with its {@code id}
 * (what {@code herald:ack} names) and {@code type}, placed in the inbox by {@code ts}, then {@code seq}, then {@code id}.
 * Stored in Hazelcast as it is (DataSerializable): format byte, id, type, seq, epoch, ts, ownerId, target, envelope.
 */
public final class InboxEntry extends StoredEvent {
    private static final byte FORMAT = 1;

    private String id;
    private String type;

    /** For Hazelcast's deserialisation. */
    public InboxEntry() {
    }

    public InboxEntry(String id, String type, long seq, String epoch, long ts, String ownerId, String target, String envelope) {
        super(seq, epoch, ts, ownerId, target, envelope);
        this.id = id;
        this.type = type;
    }

    /** The event's id: what {@code herald:ack} names. */
    public String id() {
        return id;
    }

    public String type() {
        return type;
    }

    /**
     * Whether this entry comes before the one at {@code (otherTs, otherSeq, otherId)} in the inbox's order: older first;
     * within one millisecond by seq (a type's order), then by id.
     */
    boolean before(long otherTs, long otherSeq, String otherId) {
        return ts() != otherTs ? ts() < otherTs : seq() != otherSeq ? seq() < otherSeq : id.compareTo(otherId) < 0;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeByte(FORMAT);
        out.writeString(id);
        out.writeString(type);
        writePosition(out);
        writeEvent(out);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        byte format = in.readByte();
        if (format != FORMAT) {
            throw new IOException("unknown inbox entry format " + format);
        }
        id = in.readString();
        type = in.readString();
        readPosition(in);
        readEvent(in);
    }

    @Override
    public String toString() {
        return "InboxEntry[" + type + " " + id + " seq " + seq() + "]";
    }
}
