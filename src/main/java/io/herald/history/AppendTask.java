package io.herald.history;

import io.herald.WireVersion;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@link IdempotentAppend} as wire version 2 sends it: Hazelcast's {@link DataSerializable} (a version byte, the ring,
 * the records in the serialised form the ring buffer keeps, {@link SerializedRecords}) instead of Java serialization,
 * whose class descriptors cost a remote append about a quarter of a two-node cluster's ingest. Sent only while every
 * Herald node reads version 2; the release before reads only {@link IdempotentAppend}.
 */
public final class AppendTask implements Callable<Long>, DataSerializable, HazelcastInstanceAware {
    private String ring;
    private List<Data> records;
    private long createdAt;
    private boolean again;
    private transient HazelcastInstance hazelcast;

    /** For Hazelcast's deserialisation. */
    public AppendTask() {
    }

    AppendTask(String ring, List<Data> records, long createdAt, boolean again) {
        this.ring = ring;
        this.records = records;
        this.createdAt = createdAt;
        this.again = again;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcast) {
        this.hazelcast = hazelcast;
    }

    @Override
    public Long call() throws Exception {
        return IdempotentAppend.append(hazelcast, ring, records, () -> SerializedRecords.text(hazelcast, records.get(0)),
                createdAt, again);
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeByte(WireVersion.CURRENT);
        out.writeString(ring);
        out.writeLong(createdAt);
        out.writeBoolean(again);
        SerializedRecords.write(out, records);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        WireVersion.checkLeadingByte(in.readByte(), "append task");
        ring = in.readString();
        createdAt = in.readLong();
        again = in.readBoolean();
        records = SerializedRecords.read(in);
    }

    String ring() {
        return ring;
    }

    List<Data> records() {
        return records;
    }
}
