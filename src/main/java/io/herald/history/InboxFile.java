package io.herald.history;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@link InboxBox#file} as a Hazelcast entry processor, run on the user's owner and then on its backup with the same
 * time ({@code now} travels with it), so both copies end alike. Answers how many of the entries the inbox holds.
 */
public final class InboxFile implements EntryProcessor<String, InboxBox, Integer>, DataSerializable {
    private List<InboxEntry> entries;
    private int maxPerUser;
    private long maxAgeMs;
    private long now;

    /** For Hazelcast's deserialisation. */
    public InboxFile() {
    }

    InboxFile(List<InboxEntry> entries, InboxBounds bounds, long now) {
        this.entries = entries;
        this.maxPerUser = bounds.maxPerUser();
        this.maxAgeMs = bounds.maxAgeMs();
        this.now = now;
    }

    @Override
    public Integer process(Map.Entry<String, InboxBox> entry) {
        InboxBox box = entry.getValue() == null ? new InboxBox() : entry.getValue();
        int kept = box.file(entries, new InboxBounds(maxPerUser, maxAgeMs, 1), now);
        entry.setValue(box.isEmpty() ? null : box);
        return kept;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeInt(maxPerUser);
        out.writeLong(maxAgeMs);
        out.writeLong(now);
        out.writeInt(entries.size());
        for (InboxEntry entry : entries) {
            entry.writeData(out);
        }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        maxPerUser = in.readInt();
        maxAgeMs = in.readLong();
        now = in.readLong();
        int size = in.readInt();
        entries = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            InboxEntry entry = new InboxEntry();
            entry.readData(in);
            entries.add(entry);
        }
    }
}
