package io.herald.history;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** {@link InboxBox#ack} as a Hazelcast entry processor (owner, then backup); an emptied inbox is removed. Answers how many it removed. */
public final class InboxAck implements EntryProcessor<String, InboxBox, Integer>, DataSerializable {
    private Set<String> ids;

    /** For Hazelcast's deserialisation. */
    public InboxAck() {
    }

    InboxAck(Set<String> ids) {
        this.ids = ids;
    }

    @Override
    public Integer process(Map.Entry<String, InboxBox> entry) {
        InboxBox box = entry.getValue();
        if (box == null) {
            return 0;
        }
        int removed = box.ack(ids);
        if (removed > 0) {
            entry.setValue(box.isEmpty() ? null : box);
        }
        return removed;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeInt(ids.size());
        for (String id : ids) {
            out.writeString(id);
        }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        int size = in.readInt();
        ids = new HashSet<>(size * 2);
        for (int i = 0; i < size; i++) {
            ids.add(in.readString());
        }
    }
}
